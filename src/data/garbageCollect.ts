/**
 * `gc` with DVC's meaning (dvc/repo/gc.py): deletes the cache objects (and with `cloud`, the remote's) that
 * nothing in scope uses: the workspace always, and git history as `-a/-T/-A`, `--rev/-n`, `--date` and
 * `--all-experiments` choose; `projects` are other repositories sharing this cache, their use kept too.
 * `notInRemote` keeps only the used objects the remote lacks: the rest can be pulled again. Directory
 * manifests the cache lacks are fetched first, so files a kept directory lists are never deleted.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import { openDataRemote, type DataRemote, type OpenRemoteOptions } from "./dataRemote.js";
import type { DataRepo } from "./dataRepo.js";
import { objectKey, type Oid } from "./hashInfo.js";
import { dvcErrorKind } from "./dvcErrorKind.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import { hasHistoryScope, historyUsedObjects, type HistoryScope } from "./historyOuts.js";
import { remoteOptions } from "./pushPull.js";
import { fetchObjects, forEachLimited, listRemoteOids, remoteHas } from "./transferObjects.js";
import { mergeUsed, usedObjects, type UsedObject } from "./usedObjects.js";

export interface GcOptions extends HistoryScope, OpenRemoteOptions {
  workspace?: boolean;
  /** Also delete unused objects from the remote. */
  cloud?: boolean;
  /** Keep only the used objects that the remote lacks (`--not-in-remote`). */
  notInRemote?: boolean;
  /** Roots of other repositories that share this cache (`-p/--projects`). */
  projects?: readonly string[];
  remote?: string;
  dryRun?: boolean;
  jobs?: number;
}

export interface GcResult {
  /** Objects removed (or, with dryRun, that would be) from the local cache. */
  removed: Oid[];
  /**
   * The files behind `removed`, per cache layout, directory manifests first: dvc collects its DVC 3 cache
   * ("repo") and DVC 2's ("legacy") one after the other and reports each, naming every file with `--dry`.
   */
  removedPaths: { repo: string[]; legacy: string[] };
  /** The remote files behind `cloudRemoved`, as dvc names them with `--dry` (no scheme). */
  cloudRemovedPaths?: string[];
  /** The same for the remote, with `cloud`. */
  cloudRemoved?: Oid[];
  remote?: string;
  /** Directories in scope whose manifest is in neither cache nor remote: their files could not be kept. */
  unexpanded: { oid: Oid; path: string; dvcFile: string }[];
  dryRun: boolean;
}

/** DVC's wording for gc without a scope. */
export const GC_SCOPE_REQUIRED =
  "Either of `-w|--workspace`, `-a|--all-branches`, `-T|--all-tags` `--all-experiments`, `--all-commits`, " +
  "`--date` or `--rev` needs to be set.";

/**
 * dvc's `_validate_args`, message for message. Its check that `--remote` comes with `--cloud` or
 * `--not-in-remote` is never reached from dvc's command (no caller passes the remote), so `-r` alone is
 * ignored here too.
 */
export function validateGcOptions(options: GcOptions): void {
  const refuse = (message: string): never => {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", message);
  };
  if (options.notInRemote === true && options.cloud === true)
    refuse("`--not-in-remote` and `--cloud` are mutually exclusive");
  if (options.workspace !== true && !hasHistoryScope(options)) refuse(GC_SCOPE_REQUIRED);
  if (options.num !== undefined && options.rev === undefined && options.allBranches !== true)
    refuse("`--num` can only be used alongside `--rev` or `--all-branches`");
}

/**
 * Removes cache objects that neither the workspace nor the chosen git history uses (the workspace is always
 * kept, as in DVC). With `cloud`, the remote's unused objects go too; directory manifests the cache lacks
 * are fetched from that remote first, so files a kept directory lists are never deleted from it.
 */
export async function gc(repo: DataRepo, options: GcOptions): Promise<GcResult> {
  validateGcOptions(options);
  const dryRun = options.dryRun === true;
  const remote =
    options.cloud === true || options.notInRemote === true
      ? openDataRemote(repo, options.remote, remoteOptions(options))
      : undefined;
  let used = await gcUsedObjects(repo, options);
  if (remote !== undefined) {
    const manifests = new Map([...used].filter(([, owner]) => owner.unexpanded !== undefined));
    if (manifests.size > 0) {
      await fetchObjects(repo, remote, manifests, options.jobs === undefined ? {} : { jobs: options.jobs });
      used = await gcUsedObjects(repo, options);
    }
  }
  const unexpanded = [...used]
    .filter(([, owner]) => owner.unexpanded !== undefined)
    .map(([oid, owner]) => ({ oid, path: owner.path, dvcFile: owner.dvcFile }));
  if (options.notInRemote === true && remote !== undefined)
    used = await notInRemote(remote, used, options.jobs);

  const removed: Oid[] = [];
  const repoPaths: string[] = [];
  const legacyPaths: string[] = [];
  for await (const oid of repo.cache.listOids()) {
    if (used.has(oid)) continue;
    removed.push(oid);
    if (existsSync(repo.cache.objectPath(oid))) repoPaths.push(repo.cache.objectPath(oid));
    if (existsSync(repo.cache.legacyObjectPath(oid))) legacyPaths.push(repo.cache.legacyObjectPath(oid));
    if (!dryRun) await repo.cache.remove(oid);
  }
  const removedPaths = { repo: manifestsFirst(repoPaths), legacy: manifestsFirst(legacyPaths) };
  const result: GcResult = { removed, removedPaths, unexpanded, dryRun };
  if (remote === undefined || options.cloud !== true) return result;

  const cloudRemoved = [...(await listRemoteOids(remote, options.jobs ?? remote.jobs))]
    .filter((oid) => !used.has(oid))
    .sort();
  if (!dryRun) await deleteRemoteObjects(remote, cloudRemoved, options.jobs ?? remote.jobs);
  const base = remote.url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  const cloudRemovedPaths = manifestsFirst(cloudRemoved.map((oid) => `${base}/${objectKey(oid)}`));
  return { ...result, cloudRemoved, cloudRemovedPaths, remote: remote.name };
}

/**
 * The workspace's objects; what stops their collection is dvc's RevCollectionError ("Failed to collect
 * 'workspace': <why>", a plain DvcException whatever the cause was). An error dvc lets escape (marked
 * "uncaught") is not one of its DvcExceptions and passes as it is.
 */
async function workspaceUsedObjects(repo: DataRepo, scope: HistoryScope): Promise<Map<Oid, UsedObject>> {
  try {
    return await usedObjects(repo);
  } catch (error) {
    if (!(error instanceof FlowOpsError) || dvcErrorKind(error) === "uncaught") throw error;
    // Unlike dvc, --skip-failed never skips the workspace: dvc then keeps nothing the workspace names and
    // removes the data of every .dvc file because one dvc.lock is damaged, which no one asks --skip-failed for.
    const skipNote =
      scope.skipFailed === true
        ? " (--skip-failed skips Git revisions, never the workspace, whose data gc would remove)"
        : "";
    throw new FlowOpsError(error.code, `Failed to collect 'workspace': ${error.message}${skipNote}`, {
      cause: error,
    });
  }
}

/** dvc-data's gc removes (and with --dry lists) directory manifests before files. */
function manifestsFirst(paths: readonly string[]): string[] {
  return [
    ...paths.filter((path) => path.endsWith(".dir")),
    ...paths.filter((path) => !path.endsWith(".dir")),
  ];
}

async function gcUsedObjects(repo: DataRepo, options: GcOptions): Promise<Map<Oid, UsedObject>> {
  let used = mergeUsed(await workspaceUsedObjects(repo, options), await historyUsedObjects(repo, options));
  for (const project of options.projects ?? []) {
    // The other repository's files, expanded through this (shared) cache.
    const other = {
      root: resolve(project),
      cache: repo.cache,
      ignore: await loadDvcIgnore(resolve(project)),
    };
    used = mergeUsed(mergeUsed(used, await usedObjects(other)), await historyUsedObjects(other, options));
  }
  return used;
}

/** dvc's `_used_obj_ids_not_in_remote`: of the used objects, only those the remote lacks stay. */
async function notInRemote(
  remote: DataRemote,
  used: Map<Oid, UsedObject>,
  jobs: number | undefined,
): Promise<Map<Oid, UsedObject>> {
  const byLayout = { files: [] as Oid[], legacy: [] as Oid[] };
  for (const [oid, owner] of used) byLayout[owner.legacy === true ? "legacy" : "files"].push(oid);
  const present = new Set<Oid>([
    ...(await remoteHas(remote, byLayout.files, jobs ?? remote.jobs, "files")),
    ...(await remoteHas(remote, byLayout.legacy, jobs ?? remote.jobs, "legacy")),
  ]);
  return new Map([...used].filter(([oid]) => !present.has(oid)));
}

async function deleteRemoteObjects(remote: DataRemote, oids: readonly Oid[], jobs: number): Promise<void> {
  const errors: string[] = [];
  await forEachLimited(oids, jobs, async (oid) => {
    try {
      await remote.store.delete(objectKey(oid));
    } catch (error) {
      errors.push(`${oid}: ${toFlowOpsError(error).message}`);
    }
  });
  if (errors.length > 0) {
    throw new FlowOpsError(
      "INTERNAL_ERROR",
      `failed to remove ${errors.length} objects from remote '${remote.name}': ${errors.slice(0, 5).join("; ")}`,
    );
  }
}
