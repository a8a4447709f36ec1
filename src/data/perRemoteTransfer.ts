/**
 * One transfer batch per remote, as dvc's storage map groups the objects of push and fetch: the remote named
 * on the command line for every object, else each out's `remote:`, else the default remote. It only groups
 * and adds up; what moves and how is transferObjects.ts.
 */
import { openDataRemote, type DataRemote } from "./dataRemote.js";
import type { DataRepo } from "./dataRepo.js";
import { legacyObjectKey, objectKey, type Oid } from "./hashInfo.js";
import type { pushObjects, TransferEvent, TransferFailure, TransferResult } from "./transferObjects.js";
import type { UsedObject } from "./usedObjects.js";

/** A failure of a batch, with what dvc's per-object error would say about it where we know that. */
export type RemoteTransferFailure = TransferFailure & {
  /**
   * A download the remote could not serve because it lacks the object: where dvc looked for it (the remote's
   * object path), which its error line names ("[Errno 2] No such file or directory: '<location>'").
   */
  location?: string;
  /**
   * A directory manifest that counts as failed because some of its files failed to transfer, as dvc-data
   * counts it ("2 files failed to download" for one file and its directory); dvc prints no line of its own
   * for it.
   */
  incompleteDirectory?: true;
};

export interface PerRemoteResult extends TransferResult {
  failed: RemoteTransferFailure[];
  /** The remotes that were used. */
  remotes: string[];
}

export interface PerRemoteOptions {
  remote?: string;
  jobs?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: (event: TransferEvent, remote: string) => void;
}

type Transfer = typeof pushObjects;

/** Runs one transfer per remote: the named one for all objects, else grouped by each out's remote. */
export async function perRemote(
  repo: DataRepo,
  objects: ReadonlyMap<Oid, UsedObject>,
  options: PerRemoteOptions,
  transfer: Transfer,
): Promise<PerRemoteResult> {
  const total: PerRemoteResult = { transferred: 0, skipped: 0, failed: [], bytes: 0, remotes: [] };
  if (objects.size === 0) return total;
  const groups = new Map<string | undefined, Map<Oid, UsedObject>>();
  for (const [oid, owner] of objects) {
    const name = options.remote ?? owner.remote;
    let group = groups.get(name);
    if (group === undefined) groups.set(name, (group = new Map()));
    group.set(oid, owner);
  }
  // dvc's storage map puts the repository's own (default) remote before the outs' `remote:` ones.
  const ordered = [...groups].sort(([a], [b]) => Number(a !== undefined) - Number(b !== undefined));
  for (const [name, group] of ordered) {
    const remote = openDataRemote(repo, name, options.env === undefined ? {} : { env: options.env });
    const onProgress = options.onProgress;
    const result = await transfer(repo, remote, group, {
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(onProgress !== undefined
        ? { onProgress: (event: TransferEvent) => onProgress(event, remote.name) }
        : {}),
    });
    total.transferred += result.transferred;
    total.skipped += result.skipped;
    total.bytes += result.bytes;
    total.failed.push(...result.failed.map((failure) => located(failure, remote, group)));
    if (result.notPushed !== undefined) (total.notPushed ??= []).push(...result.notPushed);
    total.remotes.push(remote.name);
  }
  return total;
}

/** An object the remote lacks, with the path dvc would have read it from. */
function located(
  failure: TransferFailure,
  remote: DataRemote,
  group: ReadonlyMap<Oid, UsedObject>,
): RemoteTransferFailure {
  if (failure.missing !== true) return failure;
  const key = group.get(failure.oid)?.legacy === true ? legacyObjectKey(failure.oid) : objectKey(failure.oid);
  return { ...failure, location: `${remote.url.replace(/\/+$/, "")}/${key}` };
}
