/**
 * What a `repro` reports: each stage's result, the whole run's, and the events a caller hears while it runs
 * (the CLI prints them; tracking and triggers record them).
 */
import type { DataSourceResult } from "./dataSources.js";
import type { LockEntry } from "./dvcLock.js";
import type { OutputStream } from "./executor.js";
import type { StageOutcome } from "./reproScheduler.js";
import type { StageChange } from "./stageStatus.js";

export interface StageResult {
  name: string;
  outcome: StageOutcome;
  /** Why it ran (or would run, with --dry); empty when forced or skipped. */
  changes: StageChange[];
  attempts: number;
  durationMs?: number;
  exitCode?: number | null;
  /** Relative to the repo root. */
  logPath?: string;
  logTail?: string;
  /** What went wrong, or a note (`frozen`, `upstream 'x' failed`). */
  message?: string;
  gpus?: readonly number[];
  /** The dvc.lock entry written for the stage. */
  lock?: LockEntry;
  /**
   * The dvc.lock (absolute) whose entry for the stage this changed, `generated` when it was missing or empty
   * before: dvc then says "Generating lock file" and "Updating lock file".
   */
  lockFile?: { path: string; generated: boolean };
  /**
   * The dep hashes and params this attempt ran with, taken before its command started; set whenever the
   * command was reached, failed or not. A failed attempt writes no dvc.lock entry, so without this its
   * lineage could only come from the previous run's entry.
   */
  inputs?: Pick<LockEntry, "deps" | "params">;
  /** With --dry: the stage would run. */
  wouldRun?: boolean;
  /** With `wouldRun`: the command lines that would run, interpolated. */
  cmd?: readonly string[];
  /** With `wouldRun`: dvc's dry run finds it in the run-cache ("is cached") before echoing its command. */
  cachedRun?: boolean;
  /**
   * A frozen stage whose outputs were verified (it changed, or was forced): dvc's `run` says "Verifying
   * outputs in frozen stage", then records them, or fails on those missing.
   */
  verifiedFrozen?: boolean;
}

export interface ReproResult {
  /** Names the log directory `.dvc/tmp/flowops/logs/<runId>/`. */
  runId: string;
  ok: boolean;
  stages: StageResult[];
  /** The `.dvc` data sources reproduced (dataSources.ts), in plan order; one the run never reached is not. */
  dataSources: DataSourceResult[];
  /** What failed, stages and data sources (by `.dvc` path) together, in plan order: dvc names them so. */
  failures: ({ stage: string } | { dataSource: string })[];
  /**
   * What this repro changed that Git should hear of (absolute): dvc.lock files whose entries changed, `.dvc`
   * files of verified data sources, `.gitignore` files that got a line. dvc names these to `git add`.
   */
  filesToTrack: string[];
}

export type ReproEvent =
  | { type: "plan"; stages: string[] }
  | {
      type: "stage-start";
      stage: string;
      attempt: number;
      changes: StageChange[];
      /** The command lines about to run, interpolated. */
      cmd: readonly string[];
      gpus?: readonly number[];
    }
  | { type: "output"; stage: string; line: string; stream: OutputStream }
  | { type: "retry"; stage: string; attempt: number; previous: StageResult }
  | { type: "stage-end"; result: StageResult }
  | { type: "data-source"; result: DataSourceResult }
  | { type: "warning"; message: string };
