/**
 * What one `repro` carries from stage to stage: its options, the state of the run (settled stages, GPU leases,
 * dvc.lock order, .gitignore order), and the reporting every stage's end goes through. repro.ts plans and
 * checks stages; stageCommand.ts runs a stage's command.
 */
import type { DataRepo } from "../data/dataRepo.js";
import { ensureGitignored } from "../data/gitignoreEntries.js";
import type { LockEntry } from "./dvcLock.js";
import type { Pipeline, Stage } from "./dvcYaml.js";
import type { StageExecutor } from "./executor.js";
import type { GpuAllocator, GpuLease } from "./gpuAllocator.js";
import type { ReproTargets } from "./reproPlan.js";
import type { ReproPull } from "./reproPull.js";
import type { ReproEvent, StageResult } from "./reproResult.js";
import type { StageOutcome } from "./reproScheduler.js";
import type { ReproTracking } from "./reproTracking.js";

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
   * Asked before a changed stage or `.dvc` data source (named by its absolute path) is reproduced (DVC's
   * `-i`, reproConfirm.ts); false fails it with DVC's "reproduction aborted by the user", so what depends on
   * it does not run.
   */
  confirm?: (item: Pick<Stage, "name">) => Promise<boolean>;
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

export interface ReproContext {
  repo: DataRepo;
  options: ReproOptions;
  runId: string;
  executor: StageExecutor;
  gpus: GpuAllocator;
  /** .gitignore updates, chained one at a time in plan order (see writeGitignoreInPlanOrder). */
  gitignoreWrites: Promise<unknown>;
  gitignorePending: Map<string, string[]>;
  /** Files this repro changed that Git should hear of: dvc.lock files, `.dvc` files, `.gitignore` files. */
  filesToTrack: Set<string>;
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
  lockAtStart: Map<string, LockEntry>;
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

/** Reports a stage's final result (after its retries): to the caller, then to the tracking. */
export async function finishStage(context: ReproContext, stage: Stage, result: StageResult): Promise<void> {
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
export function writeGitignoreInPlanOrder(context: ReproContext): void {
  for (;;) {
    const name = context.planNames[context.gitignoreCursor];
    if (name === undefined || !context.settled.has(name)) return;
    context.gitignoreCursor++;
    const paths = context.gitignorePending.get(name) ?? [];
    context.gitignoreWrites = context.gitignoreWrites.then(async () => {
      for (const path of paths) {
        const gitignore = await ensureGitignored(context.repo, path);
        if (gitignore !== undefined) context.filesToTrack.add(gitignore);
      }
    });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tracking is a record of the run, not part of it: its failures become warnings. */
export async function guardTracking(
  context: ReproContext,
  call: () => Promise<void> | undefined,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    context.emit({ type: "warning", message: `tracking: ${messageOf(error)}` });
  }
}
