/**
 * One pull of `repro --pull`, as dvc's `repo.pull` inside `Stage.reproduce` and `_pull_missing_deps`: fetch,
 * then checkout of the targets. dvc-data warns of the objects neither the cache nor the remote has as its
 * fetch ends, before the checkout can fail or refuse to remove unsaved files, so the fetch runs (and is
 * reported) on its own first; pushPull.pull then checks out, its own fetch finding what already came.
 */
import {
  downloadFailures,
  fetch,
  pull,
  type MissingObject,
  type PullResult,
  type SyncResult,
} from "../data/pushPull.js";
import type { DataRepo } from "../data/dataRepo.js";
import type { OpenRemoteOptions } from "../data/dataRemote.js";
import { filesFailedMessage, transferFailureLines } from "../data/transferFailureWording.js";

export interface ReproTransferOptions extends OpenRemoteOptions {
  /** The remote to pull from; the out's own `remote:` or the default remote otherwise. */
  remote?: string;
  jobs?: number;
  /** dvc-data's warning of objects missing everywhere, after each fetch that missed some. */
  onMissingObjects?: (missing: readonly MissingObject[]) => void;
  /** dvc's error lines (`ERROR: ...`, whole) for each object that failed to download, before the stage fails. */
  onTransferError?: (line: string) => void;
}

/**
 * What ends the stage being pulled for, with dvc's message ("failed to reproduce '<stage>': <message>"): a
 * failed download (dvc's DownloadError), a dep that would not check out (its CheckoutError), a checkout
 * that refused to remove a file.
 */
export class PullStopped extends Error {}

/**
 * Fetches then checks out `absPaths` (outs of `.dvc` files and dvc.lock alike). A failed download (not an
 * object missing everywhere, which is only warned of) stops it before checkout: PullStopped. Any other
 * error (nothing tracks a path, a checkout that will not remove unsaved files) is thrown as it is.
 */
export async function pullForRepro(
  repo: DataRepo,
  absPaths: readonly string[],
  options: ReproTransferOptions,
): Promise<PullResult> {
  const transfer = transferOptions(options);
  stopOnDownloadFailures(await fetch(repo, absPaths, transfer), options, true);
  const result = await pull(repo, absPaths, { ...transfer, stopOnFailedFetch: true });
  stopOnDownloadFailures(result.fetch, options, false);
  return result;
}

function stopOnDownloadFailures(fetched: SyncResult, options: ReproTransferOptions, warn: boolean): void {
  if (downloadFailures(fetched).length > 0) {
    for (const line of transferFailureLines(fetched.failed)) options.onTransferError?.(line);
    throw new PullStopped(filesFailedMessage(fetched.failed.length, "download"));
  }
  const missing = fetched.missing ?? [];
  if (warn && missing.length > 0) options.onMissingObjects?.(missing);
}

export function transferOptions(
  options: ReproTransferOptions,
): { remote?: string; jobs?: number } & OpenRemoteOptions {
  return {
    ...(options.remote !== undefined ? { remote: options.remote } : {}),
    ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
}
