/**
 * `repro`: brings a pipeline's outputs up to date, DVC-compatibly, running independent stages in parallel.
 * For each planned stage, once its upstream stages are done: skip it when nothing changed (stageStatus);
 * otherwise delete its non-persistent outs, try the run-cache, else run its commands (with GPUs leased when
 * the stage asks for them); then commit its outs to the object cache, rewrite its dvc.lock entry (the other
 * entries kept, bytes as dvc writes them), add .gitignore entries and save a run-cache entry. A failed
 * stage stops its dependants, and the rest of the run unless `keepGoing`. A GPU stage is admitted only when
 * its GPUs are free, so waiting for them never holds a job slot. New dvc.lock entries and .gitignore lines
 * follow plan order, as a sequential dvc run writes them, whatever order parallel stages finish in. Ordering and retries are reproScheduler's;
 * executing is the executor's.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { lockCmd, readStageLocks, type LockEntry } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { readPipelines } from "./pipelineFiles.js";
import { LocalExecutor } from "./executors/local.js";
import { GpuAllocator } from "./gpuAllocator.js";
import { readGpuInventory } from "./gpuInventory.js";
import { restoreFromRunCache } from "./runCache.js";
import { restoreFromLock } from "./lockRestore.js";
import { dryRunCacheHit } from "./reproDryRunCache.js";
import {
  finishStage,
  guardTracking,
  messageOf,
  type ReproContext,
  type ReproOptions,
} from "./reproContext.js";
import { executeStage, failureMessage } from "./stageCommand.js";
import type { DataSourceResult } from "./dataSources.js";
import { runDataSourceItem, settleDataSourceItem, type PlanItemResult } from "./reproDataSourceItem.js";
import { recordStage } from "./stageRecord.js";
import { checkFrozenStage } from "./reproFrozenStage.js";
import { ABORTED_BY_USER, confirmOnce } from "./reproConfirm.js";
import { planRepro } from "./reproPlan.js";
import { planItemName, warnOfSkippedDependants } from "./skippedDependants.js";
import { runSchedule, type StageOutcome } from "./reproScheduler.js";
import type { ReproResult, StageResult } from "./reproResult.js";
import {
  canHashForRunCache,
  hashDeps,
  readStageParams,
  stageChanges,
  stageOuts,
  type StageChange,
} from "./stageStatus.js";

export type { ReproEvent, ReproResult, StageResult } from "./reproResult.js";

export { LOG_DIR } from "./stageCommand.js";
export type { ReproOptions } from "./reproContext.js";

export async function repro(repo: DataRepo, options: ReproOptions = {}): Promise<ReproResult> {
  // Until a stage writes the workspace, a path hashed once (a `.dvc` file's data, then the stage reading it)
  // is not walked again.
  repo.workspaceSummaries = new Map();
  try {
    return await reproPlanned(repo, options);
  } finally {
    repo.workspaceSummaries = undefined;
  }
}

async function reproPlanned(repo: DataRepo, options: ReproOptions): Promise<ReproResult> {
  const pipeline = options.pipeline ?? (await readPipelines(repo));
  const { stages: plan, dependants } = planRepro(pipeline, options);
  const stagePlan = plan.filter((p) => p.dataSource === undefined).map((p) => p.name);
  const sources = new Map(plan.flatMap((p) => (p.dataSource !== undefined ? [[p.name, p.dataSource]] : [])));
  // Only names the logs' directory: Math.random is unique enough within one second, and node:crypto is not
  // loaded by a no-op repro (~4 ms).
  const suffix = Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, "0");
  const runId = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${suffix}`;
  const planned = new Set(stagePlan);
  // Every dvc.lock of the pipeline is read before any stage runs: dvc loads them all with its index, so a
  // damaged one stops the whole repro (exit 255) instead of failing its own stages after others have run.
  const allLocks = await readStageLocks(pipeline.stages);
  const lockAtStart = new Map([...allLocks].filter(([name]) => planned.has(name)));
  const context: ReproContext = {
    repo,
    options,
    runId,
    executor: options.executor ?? new LocalExecutor(),
    gpus: options.gpus ?? new GpuAllocator(() => readGpuInventory(options.env ?? process.env)),
    gitignoreWrites: Promise.resolve(),
    emit: (event) => options.onEvent?.(event),
    stages: new Map(pipeline.stages.map((stage) => [stage.name, stage])),
    reserved: new Map(),
    planIndex: new Map(plan.map((p, index) => [p.name, index])),
    addedToLock: new Set(),
    planNames: plan.map((p) => p.name),
    settled: new Set(),
    outcomes: new Map(),
    lockAtStart,
    upstream: new Map(plan.map((p) => [p.name, p.upstream])),
    gitignorePending: new Map(),
    filesToTrack: new Set(),
    gitignoreCursor: 0,
  };
  context.emit({ type: "plan", stages: stagePlan });
  if (stagePlan.some((name) => (context.stages.get(name)?.gpus?.count ?? 0) > 0)) await context.gpus.load();
  await guardTracking(context, () => options.tracking?.start({ runId, stages: stagePlan, pipeline }));
  const dataSources: DataSourceResult[] = [];
  // A data source runs alone (reproDataSourceItem.ts): nothing starts beside it, nor it beside anything.
  const running = new Set<string>();
  const results = await runSchedule<PlanItemResult>(plan, {
    jobs: options.jobs ?? 1,
    ...(options.keepGoing === true ? { keepGoing: true } : {}),
    ...(options.ignoreErrors === true ? { ignoreErrors: true } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    retries: (name) => (sources.has(name) ? 0 : (context.stages.get(name)?.retries ?? options.retries ?? 0)),
    onRetry: (name, attempt, previous) => {
      context.emit({ type: "retry", stage: name, attempt, previous });
    },
    onSettled: async (name, result) => {
      if (sources.has(name)) settleDataSourceItem(context, result, dataSources);
      else await finishStage(context, stageNamed(context, name), result);
      if (result.outcome === "failed" && options.keepGoing === true)
        warnOfSkippedDependants(context, name, dependants);
    },
    // A GPU stage starts only when its GPUs are free, so waiting for them never holds a job slot.
    canStart: (name) => {
      if ([...running].some((other) => sources.has(other))) return false;
      if (sources.has(name)) return running.size === 0;
      const gpus = context.stages.get(name)?.gpus;
      if (gpus === undefined || gpus.count === 0) return true;
      const lease = context.gpus.tryAcquire(gpus.count, gpus.type);
      if (lease !== undefined) context.reserved.set(name, lease);
      return lease !== undefined;
    },
    run: async (name, attempt) => {
      running.add(name);
      try {
        const outs = sources.get(name);
        if (outs !== undefined) return await runDataSourceItem(context, name, outs);
        return await runStageAttempt(context, name, attempt);
      } finally {
        running.delete(name);
      }
    },
    fromError: (name, error) => ({
      name,
      outcome: "failed" as const,
      changes: [],
      attempts: 1,
      message: messageOf(error),
    }),
    notRun: (name, why) => ({
      name,
      outcome: why.outcome,
      changes: [],
      attempts: 0,
      ...(why.outcome === "not-run-upstream-failed"
        ? { message: `upstream stage '${planItemName(context, why.failed)}' failed` }
        : why.failed !== undefined
          ? {
              message: `not run: stage '${planItemName(context, why.failed)}' failed (--keep-going runs the stages that do not depend on it)`,
            }
          : {}),
    }),
  });
  try {
    await context.gitignoreWrites;
  } catch (error) {
    context.emit({ type: "warning", message: `.gitignore: ${messageOf(error)}` });
  }
  const stages = stagePlan.flatMap((name): StageResult[] => {
    const result = results.get(name);
    return result === undefined ? [] : [result];
  });
  const inPlanOrder = (a: DataSourceResult, b: DataSourceResult): number =>
    (context.planIndex.get(a.dvcFile) ?? 0) - (context.planIndex.get(b.dvcFile) ?? 0);
  dataSources.sort(inPlanOrder);
  const failures = plan.flatMap(({ name }): ReproResult["failures"] => {
    if (results.get(name)?.outcome !== "failed") return [];
    return [sources.has(name) ? { dataSource: name } : { stage: name }];
  });
  const ok =
    stages.every((s) => okOutcomes.has(s.outcome)) &&
    [...sources.keys()].every((name) => results.get(name)?.outcome !== "failed");
  const outcome: ReproResult = {
    runId,
    ok,
    stages,
    dataSources,
    failures,
    filesToTrack: [...context.filesToTrack],
  };
  await guardTracking(context, () => options.tracking?.finish(outcome));
  return outcome;
}

const okOutcomes: ReadonlySet<StageOutcome> = new Set(["ran", "skipped", "restored"]);

/** One attempt at one stage, with the GPUs reserved for it given back whatever happens. */
async function runStageAttempt(context: ReproContext, name: string, attempt: number): Promise<StageResult> {
  const { options } = context;
  const stage = stageNamed(context, name);
  try {
    return await reproStage(context, stage, attempt);
  } catch (error) {
    // An interrupted GPU wait or hash ends here too: report it as the cancellation it is.
    const outcome = options.signal?.aborted === true ? "cancelled" : "failed";
    // Errors from before the command ran (a GPU request no machine can meet, a dep that cannot be hashed)
    // may not say which stage they stopped; the summary line needs it.
    const message = messageOf(error);
    const named = message.includes(`'${name}'`) ? message : `stage '${name}': ${message}`;
    return { name, outcome, changes: [], attempts: attempt, message: named };
  } finally {
    // A stage that turned out unchanged (or failed early) gives back the GPUs reserved for it.
    context.reserved.get(name)?.release();
    context.reserved.delete(name);
  }
}

function stageNamed(context: ReproContext, name: string): Stage {
  const stage = context.stages.get(name);
  if (stage === undefined)
    throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `stage '${name}' is not in the pipeline`);
  return stage;
}

/** One attempt at one stage; reports failure as a result so the scheduler can retry or skip dependants. */
async function reproStage(context: ReproContext, stage: Stage, attempt: number): Promise<StageResult> {
  const { repo, options } = context;
  const started = Date.now();
  const base = { name: stage.name, attempts: attempt };
  let changes: StageChange[] = [];
  if (stage.frozen && attempt === 1) {
    context.emit({
      type: "warning",
      message: `stage: '${stage.name}' is frozen. Its dependencies are not going to be reproduced.`,
    });
  }
  const forced = options.force === true || (options.forceDownstream === true && upstreamRan(context, stage));
  if (!forced) {
    const lock = context.lockAtStart.get(stage.name);
    changes = await stageChanges(repo, stage, lock);
    if (options.allowMissing === true) changes = changes.filter((change) => !isMissingData(change));
    if (changes.length === 0) return { ...base, outcome: "skipped", changes };
  }
  const cwd = options.cwd ?? repo.root;
  const confirmed = confirmOnce(context, stage.name);
  const aborted = {
    ...base,
    outcome: "failed" as const,
    changes,
    message: `stage '${stage.name}': ${ABORTED_BY_USER}`,
  };
  if (options.dry === true) {
    if (!(await confirmed())) return aborted;
    // As dvc's dry run_stage, which still asks whether the run-cache could serve the stage: that hashes its
    // deps and params, so a missing dep or param fails the stage.
    const cached =
      !stage.frozen && !forced && (await canHashForRunCache(repo, stage, cwd))
        ? await dryRunCacheHit(
            repo,
            stage,
            context.lockAtStart.get(stage.name),
            { cmd: lockCmd(stage), ...(await checkedInputs(repo, stage, cwd)) },
            options.runCache !== false,
          )
        : false;
    const frozen = stage.frozen ? { message: "frozen" } : {};
    const wouldRun = stage.frozen
      ? { wouldRun: false }
      : { wouldRun: true, cmd: stage.cmd, ...(cached ? { cachedRun: true } : {}) };
    return { ...base, outcome: "skipped", changes, ...wouldRun, ...frozen };
  }
  if (stage.frozen) {
    // DVC never runs a frozen stage's command: it checks the outs are there and records them.
    const checked = await checkFrozenStage(context, stage, changes, forced, confirmed);
    if (checked === "aborted") return aborted;
    if (checked !== undefined) return { ...base, changes, ...checked };
    const recorded = await recordInContext(context, stage, false);
    return { ...base, outcome: "skipped", changes, ...recorded, message: "frozen", verifiedFrozen: true };
  }
  // From here on this stage writes the workspace: what was hashed before may no longer hold.
  repo.workspaceSummaries = undefined;
  // --pull: fetch what the stage lacks; outs of a stage whose only changes were missing data are checked out.
  const pulled =
    options.pull !== undefined && !forced
      ? await options.pull.beforeRun(stage, changes, context.lockAtStart.get(stage.name), false, confirmed)
      : undefined;
  if (pulled === "checked-out") return { ...base, outcome: "skipped", changes, message: "pulled" };
  // Asked after --pull brought what it could (beforeRun asked already then: the answer is kept).
  if (pulled === "aborted" || !(await confirmed())) return aborted;
  // A failed download fails the stage before it runs or anything is checked out, as dvc's DownloadError.
  if (pulled !== undefined) return { ...base, outcome: "failed", changes, message: pulled.failed };
  for (const out of stageOuts(stage)) {
    if (!out.persist) await rm(join(stage.wdir, out.path), { recursive: true, force: true });
  }
  // dvc's run_stage restores only when not forced, and --force-downstream forces the stages below.
  const inputs = forced ? await forcedInputs(repo, stage, cwd) : await checkedInputs(repo, stage, cwd);
  if (inputs !== undefined && !forced) {
    const current = { cmd: lockCmd(stage), ...inputs };
    // As dvc's restore: the stage's own dvc.lock entry first, even with --no-run-cache.
    const restored =
      (await restoreFromLock(repo, stage, context.lockAtStart.get(stage.name), current)) ??
      (options.runCache !== false ? await restoreFromRunCache(repo, stage, current) : undefined);
    if (restored !== undefined) {
      const recorded = await recordInContext(context, stage, false);
      const durationMs = Date.now() - started;
      return { ...base, outcome: "restored", changes, ...recorded, durationMs };
    }
  }
  const run = await executeStage(context, stage, attempt, changes);
  const ran = {
    ...base,
    changes,
    ...(inputs !== undefined ? { inputs } : {}),
    durationMs: run.result.durationMs,
    exitCode: run.result.exitCode,
  };
  const logged = {
    logPath: run.logPath,
    logTail: run.result.logTail,
    ...(run.gpus ? { gpus: run.gpus } : {}),
  };
  if (run.result.status !== "succeeded") {
    // A command that exits non-zero is dvc's StageCmdFailedError, in its words; the rest are FlowOps' own.
    const message =
      run.result.status === "failed" && run.result.exitCode !== null
        ? `stage '${stage.name}': failed to run: ${run.result.command ?? stage.cmd.join(" && ")}, exited with ${run.result.exitCode}`
        : failureMessage(stage, run.result, stage.timeoutSeconds ?? options.timeoutSeconds);
    const outcome = run.result.status === "cancelled" ? "cancelled" : "failed";
    return { ...ran, ...logged, outcome, message };
  }
  return { ...ran, ...logged, outcome: "ran", ...(await recordInContext(context, stage, true)) };
}

type StageInputs = Pick<LockEntry, "deps" | "params">;

/** dvc's order before a run: `_can_hash` (Errno 2 for a missing dep), then `save_deps` (its own wording). */
async function checkedInputs(repo: DataRepo, stage: Stage, cwd: string): Promise<StageInputs> {
  await canHashForRunCache(repo, stage, cwd);
  return { deps: await hashDeps(repo, stage, cwd), params: await readStageParams(stage, cwd) };
}

/**
 * A forced stage runs before dvc hashes anything of it: a dep or param that is missing fails it only once
 * the command has run, when its lock entry is recorded.
 */
async function forcedInputs(repo: DataRepo, stage: Stage, cwd: string): Promise<StageInputs | undefined> {
  try {
    return { deps: await hashDeps(repo, stage, cwd), params: await readStageParams(stage, cwd) };
  } catch (error) {
    const missing = ["RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"];
    if (error instanceof FlowOpsError && missing.includes(error.code)) return undefined;
    throw error;
  }
}

async function recordInContext(
  context: ReproContext,
  stage: Stage,
  saveCache: boolean,
): Promise<{ lock: LockEntry } & Pick<StageResult, "lockFile">> {
  const recorded = await recordStage(context.repo, stage, saveCache, {
    ...context,
    noCommit: context.options.noCommit === true,
    ...(context.options.cwd !== undefined ? { cwd: context.options.cwd } : {}),
  });
  context.gitignorePending.set(stage.name, recorded.gitignored);
  if (recorded.lockChanged === undefined) return { lock: recorded.entry };
  context.filesToTrack.add(recorded.lockChanged);
  const generated = recorded.lockGenerated === true;
  return { lock: recorded.entry, lockFile: { path: recorded.lockChanged, generated } };
}

/** Whether a stage this one waits for ran its command (transitively: a forced stage runs too). */
function upstreamRan(context: ReproContext, stage: Stage): boolean {
  return (context.upstream.get(stage.name) ?? []).some((name) => context.outcomes.get(name) === "ran");
}

/** Data absent from the workspace, which --allow-missing does not count as a change. */
function isMissingData(change: StageChange): boolean {
  return (
    (change.kind === "deps" && change.status === "deleted") ||
    (change.kind === "outs" && (change.status === "deleted" || change.status === "not in cache"))
  );
}
