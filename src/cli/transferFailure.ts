/**
 * dvc's leading summary on a push, pull or fetch that fails outright (no such remote, a remote it cannot
 * reach): dvc prints `ERROR: failed to push data to the cloud - <reason>`, so the reader knows which step
 * failed before reading why. Ours keeps its own form (`error: CODE: <message>`, program.ts) and puts the same
 * summary at the head of the message. It only rewords: the exit code stays what dvcExitCodes.ts decides.
 */
import { describeFileError, FlowOpsError, systemErrorCode } from "../errors.js";
import { dvcErrorKind, markDvcError } from "../data/dvcErrorKind.js";

/** The summary each command's failures start with, in dvc's words (dvc/commands/data_sync.py). */
export const TRANSFER_FAILED = {
  push: "failed to push data to the cloud",
  pull: "failed to pull data from the cloud",
  fetch: "failed to fetch data from the cloud",
} as const;

/** Runs `work`; whatever it throws is rethrown with `summary` leading its message. */
export async function failingWith<T>(summary: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw withSummary(summary, error);
  }
}

/**
 * `error` with `summary - ` before its message, the original kept as the cause. An error dvc lets escape its
 * command (marked "uncaught") is left alone: dvc reports those as "unexpected error", without the summary.
 */
export function withSummary(summary: string, error: unknown): unknown {
  const kind = dvcErrorKind(error);
  if (kind === "uncaught") return error;
  const wrapped =
    error instanceof FlowOpsError
      ? new FlowOpsError(error.code, `${summary} - ${error.message}`, { cause: error })
      : new Error(`${summary} - ${plainMessage(error)}`, { cause: error });
  // The mark decides the exit code (251 for a config error in a raising command): it must survive the rewording.
  return kind === undefined ? wrapped : markDvcError(wrapped, kind);
}

/** A filesystem error as program.ts prints one (`path: not a directory`); anything else by its message. */
function plainMessage(error: unknown): string {
  const path = typeof error === "object" && error !== null ? (error as { path?: unknown }).path : undefined;
  if (systemErrorCode(error) !== undefined && typeof path === "string") {
    return `${path}: ${describeFileError(error)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
