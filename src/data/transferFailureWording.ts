/**
 * How a failed transfer reads, in dvc's words, for `data push|fetch|pull` and `repro --pull` alike: one
 * error line per failed object, then the count. Wording only; what failed is pushPull.ts's result.
 */
import type { RemoteTransferFailure } from "./perRemoteTransfer.js";

/**
 * One error line per failed object. An object the remote lacks is worded as dvc-data's `_log_exception`
 * words it: "failed to transfer '<oid>' - [Errno 2] No such file or directory: '<remote object path>'".
 * A manifest that failed with its files gets no line, as in dvc; other failures keep our own words.
 */
export function transferFailureLines(failures: readonly RemoteTransferFailure[]): string[] {
  return failures
    .filter((failure) => failure.incompleteDirectory !== true)
    .map((failure) =>
      failure.location !== undefined
        ? `ERROR: failed to transfer '${failure.oid}' - [Errno 2] No such file or directory: '${failure.location}'`
        : `ERROR: '${failure.path}' (md5: ${failure.oid}) ${failure.reason}`,
    );
}

/**
 * dvc's FileTransferError: "2 files failed to download", and "1 files" too, since dvc words every count in
 * the plural.
 */
export function filesFailedMessage(count: number, method: "upload" | "download"): string {
  return `${count} files failed to ${method}`;
}
