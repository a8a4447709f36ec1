/**
 * Directories whose files did not all transfer, counted as dvc-data counts them (`hashfile/transfer.py`,
 * `_do_transfer`): a directory manifest that was itself to be transferred fails with its files, so one file
 * of a directory missing on the remote is "2 files failed to download". A manifest held back only because
 * files it lists are missing everywhere is neither failed nor sent, yet dvc counts it as transferred
 * (`status.new - failed`). This module only sorts manifests into those groups; it moves nothing.
 */
import type { DataRepo } from "./dataRepo.js";
import type { Oid } from "./hashInfo.js";
import type { RemoteTransferFailure } from "./perRemoteTransfer.js";
import type { TransferFailure } from "./transferObjects.js";

export interface ManifestOutcome {
  /** Manifests that fail because some of their files failed to transfer. */
  failed: RemoteTransferFailure[];
  /** Manifests with no failed file: their files were only missing everywhere (dvc counts them as sent). */
  unfailed: TransferFailure[];
}

/**
 * Sorts `manifests` (each with the out path it belongs to) by whether a file they list is among `failed`.
 * A manifest the cache cannot read has no known files and is left unfailed.
 */
export async function manifestsWithFailedFiles(
  repo: Pick<DataRepo, "cache">,
  manifests: readonly TransferFailure[],
  failed: readonly TransferFailure[],
): Promise<ManifestOutcome> {
  const failedOids = new Set<Oid>(failed.map((failure) => failure.oid));
  const outcome: ManifestOutcome = { failed: [], unfailed: [] };
  for (const manifest of manifests) {
    const entries = await repo.cache.readDirManifest(manifest.oid).catch(() => []);
    const count = entries.filter((entry) => failedOids.has(entry.md5)).length;
    if (count === 0) outcome.unfailed.push(manifest);
    else
      outcome.failed.push({
        oid: manifest.oid,
        path: manifest.path,
        reason: `did not transfer in full: ${count} of its files failed`,
        incompleteDirectory: true,
      });
  }
  return outcome;
}
