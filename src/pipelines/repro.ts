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
import { randomBytes } from "node:crypto";
import { appendFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { ensureGitignored } from "../data/gitignoreEntries.js";
import { FlowOpsError } from "../errors.js";
import { lockCmd, readStageLocks, type LockEntry } from "./dvcLock.js";
import type { Pipeline, Stage } from "./dvcYaml.js";
import { readPipelines } from "./pipelineFiles.js";
import type { StageExecutor, StageRunResult } from "./executor.js";
import { LocalExecutor } from "./executors/local.js";
import { GpuAllocator, type GpuLease } from "./gpuAllocator.js";
import { readGpuInventory } from "./gpuInventory.js";
import { restoreFromRunCache } from "./runCache.js";
import { recordStage } from "./stageRecord.js";
import { planStages, type ReproTargets } from "./reproPlan.js";
import { runSchedule, type StageOutcome } from "./reproScheduler.js";
import type { ReproPull } from "./reproPull.js";
import type { ReproEvent, ReproResult, StageResult } from "./reproResult.js";
import type { ReproTracking } from "./reproTracking.js";
import {
  commandLines,
  hashDeps,
  readStageParams,
  stageChanges,
  stageOuts,
  type StageChange,
} from "./stageStatus.js";

export interface ReproOptions extends ReproTargets {
  /** Run even unchanged stages, and skip the run-cache. */
  force?: boolean;
  /** Run every stage downstream of one that ran, even if its own deps did not change (DVC's flag). */
  forceDownstream?: boolean;
  /** A stage whose only changes are deps or outs missing from the workspace is not run (DVC's flag). */
  allowMissing?: boolean;
  /** Report what would run; change nothing. */
  dry?: boolean;
  /** Stages run at once; 1 by default (DVC's behaviour). */
  jobs?: number;
  /** After a stage fails, still run the stages that do not depend on it (DVC's `-k`); false: stop, as DVC. */
  keepGoing?: boolean;
  /** A failed stage stops nothing, not even its dependants (DVC's `--ignore-errors`). */
  ignoreErrors?: boolean;
  /** Record outs in dvc.lock but put nothing into the object cache or the run-cache (DVC's `--no-commit`). */
  noCommit?: boolean;
  /**
   * Asked before a changed stage is reproduced (DVC's `-i`); false fails the stage with DVC's "reproduction
   * aborted by the user", so what depends on it does not run.
   */
  confirm?: (stage: Stage) => Promise<boolean>;
  /** Extra attempts after a failure, for stages whose flowops.yaml sets none; 0 by default. */
  retries?: number;
  /** Time limit per stage, for stages whose flowops.yaml sets none. */
  timeoutSeconds?: number;
  /** Restore from the run-cache when possible; true by default (`--no-run-cache` sets false). */
  runCache?: boolean;
  /** `--pull`: fetch missing data from the remote before a changed stage runs (see reproPull.ts). */
  pull?: ReproPull;
  tracking?: ReproTracking;
  onEvent?: (event: ReproEvent) => void;
  signal?: AbortSignal;
  /** Injected for tests and other backends; the local executor and GPU inventory by default. */
  executor?: StageExecutor;
  gpus?: GpuAllocator;
  /** Environment the commands inherit; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The pipeline, when the caller has read it already. */
  pipeline?: Pipeline;
}

export type { ReproEvent, ReproResult, StageResult } from "./reproResult.js";

export const LOG_DIR = join(".dvc", "tmp", "flowops", "logs");

export async function repro(repo: DataRepo, options: ReproOptions = {}): Promise<ReproResult> {
  const pipeline = options.pipeline ?? (await readPipelines(repo));
  const plan = planStages(pipeline, options);
  const runId = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${randomBytes(3).toString("hex")}`;
  const planned = new Set(plan.map((p) => p.name));
  const lockAtStart = readStageLocks(pipeline.stages.filter((stage) => planned.has(stage.name)));
  // Awaited by the first stage checked; a malformed dvc.lock must not become an unhandled rejection first.
  lockAtStart.catch(() => undefined);
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
    gitignoreCursor: 0,
  };
  context.emit({ type: "plan", stages: plan.map((p) => p.name) });
  if (plan.some((p) => (context.stages.get(p.name)?.gpus?.count ?? 0) > 0)) await context.gpus.load();
  await guardTracking(context, () =>
    options.tracking?.start({ runId, stages: plan.map((p) => p.name), pipeline }),
  );
  const results = await runSchedule<StageResult>(plan, {
    jobs: options.jobs ?? 1,
    ...(options.keepGoing === true ? { keepGoing: true } : {}),
    ...(options.ignoreErrors === true ? { ignoreErrors: true } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    retries: (name) => context.stages.get(name)?.retries ?? options.retries ?? 0,
    onRetry: (name, attempt, previous) => {
      context.emit({ type: "retry", stage: name, attempt, previous });
    },
    onSettled: (name, result) => finishStage(context, stageNamed(context, name), result),
    // A GPU stage starts only when its GPUs are free, so waiting for them never holds a job slot.
    canStart: (name) => {
      const gpus = context.stages.get(name)?.gpus;
      if (gpus === undefined || gpus.count === 0) return true;
      const lease = context.gpus.tryAcquire(gpus.count, gpus.type);
      if (lease !== undefined) context.reserved.set(name, lease);
      return lease !== undefined;
    },
    run: async (name, attempt) => {
      const stage = stageNamed(context, name);
      try {
        return await reproStage(context, stage, attempt);
      } catch (error) {
        // An interrupted GPU wait or hash ends here too: report it as the cancellation it is.
        const outcome = options.signal?.aborted === true ? "cancelled" : "failed";
        return { name, outcome, changes: [], attempts: attempt, message: messageOf(error) };
      } finally {
        // A stage that turned out unchanged (or failed early) gives back the GPUs reserved for it.
        context.reserved.get(name)?.release();
        context.reserved.delete(name);
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
        ? { message: `upstream stage '${why.failed}' failed` }
        : why.failed !== undefined
          ? {
              message: `not run: stage '${why.failed}' failed (--keep-going runs the stages that do not depend on it)`,
            }
          : {}),
    }),
  });
  try {
    await context.gitignoreWrites;
  } catch (error) {
    context.emit({ type: "warning", message: `.gitignore: ${messageOf(error)}` });
  }
  const stages = [...results.values()];
  const outcome: ReproResult = { runId, ok: stages.every((s) => okOutcomes.has(s.outcome)), stages };
  await guardTracking(context, () => options.tracking?.finish(outcome));
  return outcome;
}

const okOutcomes: ReadonlySet<StageOutcome> = new Set(["ran", "skipped", "restored"]);

interface ReproContext {
  repo: DataRepo;
  options: ReproOptions;
  runId: string;
  executor: StageExecutor;
  gpus: GpuAllocator;
  /** .gitignore updates, chained one at a time in plan order (see writeGitignoreInPlanOrder). */
  gitignoreWrites: Promise<unknown>;
  gitignorePending: Map<string, string[]>;
  gitignoreCursor: number;
  planNames: string[];
  /** Stages whose final result is known, and those results' outcomes. */
  settled: Set<string>;
  outcomes: Map<string, StageOutcome>;
  /**
   * The dvc.lock entries as they were when the repro began (each lock file read once), by stage address: a
   * stage's own entry changes only when that stage is recorded, after its change check, so re-reading the
   * file for every stage (20 parses for 20 stages) only cost time.
   */
  lockAtStart: Promise<Map<string, LockEntry>>;
  /** The planned stages each stage waits for. */
  upstream: Map<string, string[]>;
  emit: (event: ReproEvent) => void;
  stages: Map<string, Stage>;
  /** GPU leases taken when a stage was admitted, used by its first attempt. */
  reserved: Map<string, GpuLease>;
  /** Position of each planned stage, and the stages this repro added to dvc.lock (kept in plan order). */
  planIndex: Map<string, number>;
  addedToLock: Set<string>;
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
    const lock = (await context.lockAtStart).get(stage.name);
    changes = await stageChanges(repo, stage, lock);
    if (options.allowMissing === true) changes = changes.filter((change) => !isMissingData(change));
    if (changes.length === 0) return { ...base, outcome: "skipped", changes };
  }
  if (options.dry === true) {
    // As dvc, a dry run still fails on params the stage names that its params file lacks.
    if (!stage.frozen) await readStageParams(stage);
    const frozen = stage.frozen ? { message: "frozen" } : {};
    const wouldRun = stage.frozen ? { wouldRun: false } : { wouldRun: true, cmd: stage.cmd };
    return { ...base, outcome: "skipped", changes, ...wouldRun, ...frozen };
  }
  if (options.confirm !== undefined && !(await options.confirm(stage))) {
    return {
      ...base,
      outcome: "failed",
      changes,
      message: `stage '${stage.name}': reproduction aborted by the user`,
    };
  }
  if (stage.frozen) {
    // DVC never runs a frozen stage's command: it checks the outs are there and records them.
    const lock = await recordInContext(context, stage, false);
    return { ...base, outcome: "skipped", changes, lock, message: "frozen" };
  }
  // --pull: fetch what the stage lacks; outs of a stage whose only changes were missing data are checked out.
  const pulled =
    options.pull !== undefined && !forced ? await options.pull.beforeRun(stage, changes) : undefined;
  if (pulled === "checked-out") return { ...base, outcome: "skipped", changes, message: "pulled" };
  for (const out of stageOuts(stage)) {
    if (!out.persist) await rm(join(stage.wdir, out.path), { recursive: true, force: true });
  }
  const deps = await hashDeps(repo, stage);
  const params = await readStageParams(stage);
  // dvc's run_stage asks the run-cache only when not forced, and --force-downstream forces the stages below.
  if (options.runCache !== false && !forced) {
    const restored = await restoreFromRunCache(repo, stage, { cmd: lockCmd(stage), deps, params });
    if (restored !== undefined) {
      const lock = await recordInContext(context, stage, false);
      const durationMs = Date.now() - started;
      return { ...base, outcome: "restored", changes, lock, durationMs };
    }
  }
  const run = await executeStage(context, stage, attempt, changes);
  const ran = { ...base, changes, durationMs: run.result.durationMs, exitCode: run.result.exitCode };
  const logged = {
    logPath: run.logPath,
    logTail: run.result.logTail,
    ...(run.gpus ? { gpus: run.gpus } : {}),
  };
  if (run.result.status !== "succeeded") {
    const message = failureMessage(stage, run.result, stage.timeoutSeconds ?? options.timeoutSeconds);
    const outcome = run.result.status === "cancelled" ? "cancelled" : "failed";
    return { ...ran, ...logged, outcome, message };
  }
  const lock = await recordInContext(context, stage, true);
  return { ...ran, ...logged, outcome: "ran", lock };
}

async function recordInContext(context: ReproContext, stage: Stage, saveCache: boolean): Promise<LockEntry> {
  const recorded = await recordStage(context.repo, stage, saveCache, {
    ...context,
    noCommit: context.options.noCommit === true,
  });
  context.gitignorePending.set(stage.name, recorded.gitignored);
  return recorded.entry;
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

async function executeStage(
  context: ReproContext,
  stage: Stage,
  attempt: number,
  changes: StageChange[],
): Promise<{ result: StageRunResult; logPath: string; gpus?: readonly number[] }> {
  const { repo, options } = context;
  const logPath = join(LOG_DIR, context.runId, `${stage.name.replace(/[/\\]/g, "_")}.log`);
  const logAbs = join(repo.root, logPath);
  if (attempt > 1) {
    await mkdir(dirname(logAbs), { recursive: true });
    await appendFile(logAbs, `\nflowops: attempt ${attempt}\n`);
  }
  let lease = context.reserved.get(stage.name);
  context.reserved.delete(stage.name);
  if (lease === undefined && stage.gpus !== undefined && stage.gpus.count > 0) {
    lease = await context.gpus.acquire(stage.gpus.count, stage.gpus.type, options.signal);
  }
  try {
    const gpus = lease?.indices;
    context.emit({
      type: "stage-start",
      stage: stage.name,
      attempt,
      changes,
      cmd: stage.cmd,
      ...(gpus ? { gpus } : {}),
    });
    let runEnv: Record<string, string> | undefined;
    await guardTracking(context, async () => {
      runEnv = await options.tracking?.stageStarting?.(stage);
    });
    const env: NodeJS.ProcessEnv = {
      ...(options.env ?? process.env),
      ...runEnv,
      DVC_ROOT: repo.root,
      DVC_STAGE: stage.name,
      ...(gpus !== undefined ? { CUDA_VISIBLE_DEVICES: gpus.join(",") } : {}),
    };
    const timeoutSeconds = stage.timeoutSeconds ?? options.timeoutSeconds;
    const result = await context.executor.run(
      { name: stage.name, cmd: commandLines(stage), wdir: stage.wdir },
      {
        env,
        logPath: logAbs,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
        onOutput: (line, stream) => context.emit({ type: "output", stage: stage.name, line, stream }),
      },
    );
    return { result, logPath, ...(gpus ? { gpus } : {}) };
  } finally {
    lease?.release();
  }
}

function failureMessage(stage: Stage, result: StageRunResult, timeoutSeconds: number | undefined): string {
  const command = result.command === undefined ? "" : ` '${result.command}'`;
  switch (result.status) {
    case "timed-out":
      return `stage '${stage.name}': timed out after ${timeoutSeconds ?? "?"} s running${command}`;
    case "cancelled":
      return `stage '${stage.name}': cancelled`;
    case "error":
      return `stage '${stage.name}': ${result.message ?? "could not start"}`;
    default:
      return `stage '${stage.name}': failed to reproduce: command${command} exited with code ${result.exitCode ?? result.message ?? "?"}`;
  }
}

/** Reports a stage's final result (after its retries): to the caller, then to the tracking. */
async function finishStage(context: ReproContext, stage: Stage, result: StageResult): Promise<void> {
  context.settled.add(stage.name);
  context.outcomes.set(stage.name, result.outcome);
  writeGitignoreInPlanOrder(context);
  context.emit({ type: "stage-end", result });
  await guardTracking(context, () => context.options.tracking?.stageFinished(stage, result));
}

/**
 * Adds .gitignore lines for the outs of settled stages, in plan order: DVC, running one stage at a time,
 * appends them in that order, and parallel stages must not make the file depend on which finished first.
 */
function writeGitignoreInPlanOrder(context: ReproContext): void {
  for (;;) {
    const name = context.planNames[context.gitignoreCursor];
    if (name === undefined || !context.settled.has(name)) return;
    context.gitignoreCursor++;
    const paths = context.gitignorePending.get(name) ?? [];
    context.gitignoreWrites = context.gitignoreWrites.then(async () => {
      for (const path of paths) await ensureGitignored(context.repo, path);
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tracking is a record of the run, not part of it: its failures become warnings. */
async function guardTracking(context: ReproContext, call: () => Promise<void> | undefined): Promise<void> {
  try {
    await call();
  } catch (error) {
    context.emit({ type: "warning", message: `tracking: ${messageOf(error)}` });
  }
}
