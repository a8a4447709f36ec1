/**
 * The seam between deciding what to run (reproScheduler, repro) and running one stage's commands somewhere:
 * the local machine today (executors/local.ts), a cluster later. An executor runs one attempt of one stage and
 * reports how it ended as a value; it never retries, never hashes, and never touches dvc.lock or the cache.
 */

/** What an executor needs of a stage: its DVC address, its command lines and where to run them. */
export interface ExecutableStage {
  name: string;
  /** Run in order, each through the shell; the first failing line ends the stage. */
  cmd: readonly string[];
  /** Absolute working directory. */
  wdir: string;
}

export type OutputStream = "stdout" | "stderr";

export interface StageRunOptions {
  /** The complete environment of the commands (the caller merges process.env, DVC_*, CUDA_VISIBLE_DEVICES). */
  env: NodeJS.ProcessEnv;
  /** Output of every command is appended here (the directory is created). */
  logPath: string;
  /** Aborting kills the running commands; the result is then `cancelled`. */
  signal?: AbortSignal;
  /** Wall-clock limit for all command lines together; the commands are killed when it passes. */
  timeoutMs?: number;
  /** Each complete line of output as it arrives (a last unterminated line too, when the command ends). */
  onOutput?: (line: string, stream: OutputStream) => void;
}

/**
 * How an attempt ended. `failed`: a command exited non-zero (or was killed by a signal it did not expect);
 * `timed-out` and `cancelled`: we stopped it. `error`: it could not be started at all.
 */
export type StageRunStatus = "succeeded" | "failed" | "timed-out" | "cancelled" | "error";

export interface StageRunResult {
  status: StageRunStatus;
  /** The exit code of the last command that ran; null when it was ended by a signal or never started. */
  exitCode: number | null;
  /** The command line that ended the attempt (the failing one, or the last one on success). */
  command?: string;
  durationMs: number;
  /** The last lines of output, to quote in an error. */
  logTail: string;
  /** Set for `error`: why the command could not start. */
  message?: string;
}

export interface StageExecutor {
  run(stage: ExecutableStage, options: StageRunOptions): Promise<StageRunResult>;
}
