/**
 * Which of fetch's failures are objects missing everywhere, which dvc's fetch only warns of ("Some of the
 * cache files do not exist neither locally nor on remote"), and which stay failed downloads. dvc-data asks the
 * remote for each object, except that a directory whose `.dir` the remote holds has its files taken as held
 * too (`hashfile/status.py`, `_indexed_dir_hashes`): such a file the remote lacks is then a failed download
 * ("1 files failed to download"), while one of a directory whose manifest only the cache holds is missing.
 */
import { join, resolve, sep } from "node:path";
import type { CheckoutFailure } from "./checkoutTargets.js";
import { openDataRemote, type OpenRemoteOptions } from "./dataRemote.js";
import type { DataRepo } from "./dataRepo.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import type { RemoteTransferFailure } from "./perRemoteTransfer.js";
import type { MissingObject } from "./pushPull.js";
import { remoteHas, type TransferFailure } from "./transferObjects.js";
import type { UsedObject } from "./usedObjects.js";

export interface MissingSplit {
  failed: RemoteTransferFailure[];
  missing: MissingObject[];
}

/**
 * `all` apart: the objects the remote lacks that dvc only warns of, grouped by remote (`defaultRemote`'s
 * first, then as the outs name their remotes), and the rest, still failures. `used` is what was fetched, for
 * the manifests that list the directories' files; `remoteOf` names the remote an object was fetched from.
 */
export async function splitMissing(
  repo: DataRepo,
  all: readonly RemoteTransferFailure[],
  used: ReadonlyMap<Oid, UsedObject>,
  remoteOf: (oid: Oid) => string,
  defaultRemote: string | undefined,
  options: OpenRemoteOptions,
): Promise<MissingSplit> {
  const filesLacked = all.filter(
    (failure) => failure.missing === true && used.get(failure.oid)?.inDirectory === true,
  );
  const held = await listedByManifestsOnRemote(repo, filesLacked, used, remoteOf, options);
  const warned = (failure: TransferFailure): boolean => failure.missing === true && !held.has(failure.oid);
  const missing = all.filter(warned).map((failure) => ({ ...failure, remote: remoteOf(failure.oid) }));
  // dvc fetches manifests and files of one remote in one transfer; ours are two rounds, so regroup.
  const order = [...new Set([defaultRemote, ...missing.map((item) => item.remote)])];
  const rank = (item: MissingObject): number => order.indexOf(item.remote);
  missing.sort((a, b) => rank(a) - rank(b));
  return { failed: all.filter((failure) => !warned(failure)), missing };
}

/** Those of `files` that a used manifest lists which is on the remote the file was fetched from. */
async function listedByManifestsOnRemote(
  repo: DataRepo,
  files: readonly TransferFailure[],
  used: ReadonlyMap<Oid, UsedObject>,
  remoteOf: (oid: Oid) => string,
  options: OpenRemoteOptions,
): Promise<Set<Oid>> {
  const held = new Set<Oid>();
  if (files.length === 0) return held;
  const wanted = new Set(files.map((file) => file.oid));
  // Per remote, the manifests listing a wanted file, and the wanted files each lists there.
  const byRemote = new Map<string, Map<Oid, Oid[]>>();
  for (const [oid, owner] of used) {
    if (!isDirOid(oid) || owner.unexpanded !== undefined) continue;
    const entries = await repo.cache.readDirManifest(oid).catch(() => []);
    for (const entry of entries) {
      const remote = remoteOf(entry.md5);
      if (!wanted.has(entry.md5) || remote !== remoteOf(oid)) continue;
      const manifests = byRemote.get(remote) ?? new Map<Oid, Oid[]>();
      byRemote.set(remote, manifests);
      manifests.set(oid, [...(manifests.get(oid) ?? []), entry.md5]);
    }
  }
  for (const [name, manifests] of byRemote) {
    const remote = openDataRemote(repo, name, options);
    const oids = [...manifests.keys()];
    const found = await remoteHas(remote, oids);
    // A DVC 2 remote keeps them at `ab/cdef..`, which fetch reads too.
    const legacy = await remoteHas(
      remote,
      oids.filter((oid) => !found.has(oid)),
      remote.jobs,
      "legacy",
    );
    for (const oid of [...found, ...legacy]) for (const file of manifests.get(oid) ?? []) held.add(file);
  }
  return held;
}

/**
 * `failed` with each directory out that lists an object of `missing` marked missing, as dvc's checkout counts
 * a directory whose files are gone (`--allow-missing` lets it pass, and its CheckoutError names it alone).
 * Failure paths are relative to `cwd`, with a trailing `/` for a directory; `missing`'s to the root.
 */
export function withMissingDirectories(
  failed: readonly CheckoutFailure[],
  missing: readonly TransferFailure[],
  root: string,
  cwd: string,
): CheckoutFailure[] {
  const gone = missing.map((item) => join(root, ...item.path.split("/")));
  return failed.map((failure) => {
    if (failure.missing === true || !failure.path.endsWith("/")) return failure;
    const dir = resolve(cwd, failure.path);
    return gone.some((path) => path.startsWith(`${dir}${sep}`)) ? { ...failure, missing: true } : failure;
  });
}
