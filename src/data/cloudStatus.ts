/**
 * `status --cloud` / `status -r <remote>` with DVC's meaning (dvc/repo/status.py `_cloud_status` and
 * dvc-data's `compare_status`): every object the targets use, compared between the local cache and one remote
 * (the one named, else `core.remote`). An object in both is fine and not listed; `new` is only in the cache
 * (push would send it), `deleted` only in the remote (pull would bring it back), `missing` in neither.
 * Names are the outs' paths relative to the cwd, a directory's files as `dir/file` beside the directory itself
 * (its manifest). As DVC does:
 * - outs that say `push: false` are left out (nothing would push them);
 * - outs with their own `remote:` are left out (DVC compares only outs without one against the remote);
 * - a directory whose manifest the cache lacks has the manifest fetched first, where the remote has it, so
 *   its files can be compared too (the only write this makes, into the cache);
 * - a target inside a tracked directory compares the files under it and the directory's manifest;
 * - a directory whose manifest the remote holds has its files taken as held there too (remoteHolds).
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { openDataRemote, selectedRemoteName, type DataRemote, type OpenRemoteOptions } from "./dataRemote.js";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import { FlowOpsError } from "../errors.js";
import { dvcErrorKind } from "./dvcErrorKind.js";
import type { DataRepo } from "./dataRepo.js";
import { EMPTY_PROJECT_MESSAGE } from "./dataStatus.js";
import { findDvcFiles } from "./dvcFile.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import {
  hasHistoryScope,
  historySelectedOuts,
  historyTrackedOuts,
  type HistoryScope,
} from "./historyOuts.js";
import { hashedTargets } from "./declaredTargets.js";
import { fetchObjects, filterLimited, remoteHas, type RemoteLayout } from "./transferObjects.js";
import { unversionedOuts, type UnversionedOut } from "./unversionedOuts.js";
import { expandOuts, selectOuts, trackedOuts, type TrackedOut, type UsedObject } from "./usedObjects.js";

export type CloudState = "new" | "deleted" | "missing";

export interface CloudStatusOptions extends OpenRemoteOptions {
  /** The remote to compare with; `core.remote` by default. */
  remote?: string;
  jobs?: number;
  /** Names are relative to this directory (DVC's: the cwd when it is inside the repo, else the root). */
  cwd?: string;
  /** `-a/-T/-A`: also the objects these git revisions use (their names, where two differ, the last's). */
  history?: HistoryScope;
  /** `-R`: a directory target names the stages of every dvc.yaml under it. */
  recursive?: boolean;
  /**
   * Given the outs the targets name that dvc.lock has no hash for, once they are collected and before the
   * remote is opened: where dvc's collection warns ("is missing version info").
   */
  onUnversioned?: (outs: UnversionedOut[]) => void | Promise<void>;
}

export interface CloudStatus {
  /** The remote compared with. */
  remote: string;
  /** Name -> state, only for objects not in both places: deleted first, then new, then missing, as DVC lists them. */
  entries: Record<string, CloudState>;
  /**
   * False when the project defines nothing (no `.dvc` file, no stage), where DVC prints its empty-project
   * message instead of "in sync". Only looked at when nothing is listed.
   */
  tracksAnything: boolean;
  /** Directory manifests found neither in the cache nor in the remote: left out of `entries`, as dvc does. */
  unknownDirs: Oid[];
}

export async function cloudStatus(
  repo: DataRepo,
  targets: readonly string[] = [],
  options: CloudStatusOptions = {},
): Promise<CloudStatus> {
  // Opened only when some object is compared, as dvc's: a project with nothing to compare needs no remote.
  let opened: DataRemote | undefined;
  const remote = (): DataRemote =>
    (opened ??= openDataRemote(repo, options.remote, options.env === undefined ? {} : { env: options.env }));
  const jobs = (): number => options.jobs ?? remote().jobs;
  const comparable = (all: Map<Oid, UsedObject>): Map<Oid, UsedObject> =>
    new Map([...all].filter(([, owner]) => owner.push !== false && owner.remote === undefined));

  const all = await inWorkspaceCollection(() => trackedOuts(repo));
  const cwd = options.cwd ?? process.cwd();
  const tracked = await inWorkspaceCollection(() =>
    hashedTargets(repo, all, targets, cwd, options.recursive),
  );
  const outs =
    targets.length > 0 && tracked.length === 0
      ? []
      : await withHistory(repo, all, tracked, cwd, options.history);
  if (options.onUnversioned !== undefined) {
    const { history, recursive } = options;
    await options.onUnversioned(
      await unversionedOuts(repo, {
        push: true,
        targets,
        cwd,
        ...(history !== undefined ? { history } : {}),
        ...(recursive !== undefined ? { recursive } : {}),
      }),
    );
  }
  const collect = async (): Promise<Map<Oid, UsedObject>> => comparable(await expandOuts(repo, outs));
  let used = await collect();
  const unread = new Map([...used].filter(([, owner]) => owner.unexpanded === "missing"));
  if (unread.size > 0) {
    // Failures (the remote lacks the manifest too) are not errors here.
    await fetchObjects(repo, remote(), unread, { jobs: jobs() });
    used = await collect();
  }
  // A manifest in neither place leaves its directory unknown: dvc warns about it and does not list it.
  const unknownDirs = [...used].filter(([, owner]) => owner.unexpanded === "missing").map(([oid]) => oid);
  for (const oid of unknownDirs) used.delete(oid);

  const byLayout = { files: [] as Oid[], legacy: [] as Oid[] };
  for (const [oid, owner] of used) byLayout[owner.legacy === true ? "legacy" : "files"].push(oid);
  const inRemote = new Set<Oid>();
  for (const layout of ["files", "legacy"] as const) {
    if (byLayout[layout].length === 0) continue;
    for (const oid of await remoteHolds(repo, remote(), byLayout[layout], jobs(), layout)) inRemote.add(oid);
  }
  const inCache =
    used.size === 0
      ? new Set<Oid>()
      : await filterLimited([...used.keys()], jobs(), (oid) => repo.cache.has(oid));

  const base = namingBase(repo.root, cwd);
  const outsByFile = new Map<string, TrackedOut[]>();
  for (const out of outs) outsByFile.set(out.dvcFile, [...(outsByFile.get(out.dvcFile) ?? []), out]);
  const name = (owner: UsedObject): string => {
    // DVC names an out by its path relative to the cwd ("." for the cwd itself) and a directory's file by
    // joining that name and the file's path inside the directory, without normalising ("./sub/b.txt").
    const out = outsByFile
      .get(owner.dvcFile)
      ?.find((candidate) => owner.path === candidate.path || owner.path.startsWith(`${candidate.path}/`));
    const outPath = out?.path ?? owner.path;
    const outName = relative(base, resolve(repo.root, outPath)).split(sep).join("/") || ".";
    return owner.path === outPath ? outName : `${outName}/${owner.path.slice(outPath.length + 1)}`;
  };
  const states: Record<CloudState, string[]> = { deleted: [], new: [], missing: [] };
  for (const [oid, owner] of used) {
    const cached = inCache.has(oid);
    const remoteHolds = inRemote.has(oid);
    if (cached && remoteHolds) continue;
    states[cached ? "new" : remoteHolds ? "deleted" : "missing"].push(name(owner));
  }
  const entries: Record<string, CloudState> = {};
  for (const state of ["deleted", "new", "missing"] as const) {
    for (const entry of states[state].sort()) entries[entry] = state;
  }
  // The walk for `.dvc` files is repeated only for a project whose files name no cached out at all.
  const tracksAnything =
    all.length > 0 ||
    (await findDvcFiles(repo)).length > 0 ||
    ((await readPipelinesIfAny(repo))?.stages.length ?? 0) > 0;
  // dvc names the remote it would have used, "None" when there is none.
  const remoteName = opened?.name ?? selectedRemoteName(repo, options.remote) ?? "None";
  return { remote: remoteName, entries, tracksAnything, unknownDirs };
}

/**
 * The objects of `oids` the remote holds, as dvc-data's status finds them (`_indexed_dir_hashes`): a directory
 * whose manifest the remote has counts every file the manifest lists as there too, unasked, so a file object
 * lost from the remote is `deleted` (pull would bring it back, dvc assumes), not `missing`. Only the rest are
 * looked for one by one.
 */
async function remoteHolds(
  repo: DataRepo,
  remote: DataRemote,
  oids: readonly Oid[],
  jobs: number,
  layout: RemoteLayout,
): Promise<Set<Oid>> {
  const wanted = new Set(oids);
  const found = await remoteHas(remote, oids.filter(isDirOid), jobs, layout);
  for (const dirOid of [...found]) {
    // A manifest the cache cannot read lists nothing to assume, as dvc's Tree.load failing skips it.
    const entries = await repo.cache.readDirManifest(dirOid).catch(() => []);
    for (const entry of entries) if (wanted.has(entry.md5)) found.add(entry.md5);
  }
  const rest = oids.filter((oid) => !found.has(oid));
  for (const oid of await remoteHas(remote, rest, jobs, layout)) found.add(oid);
  return found;
}

/**
 * The outs the targets select in the workspace, plus, with a history scope, in each of its revisions. As dvc's
 * used_objs, revisions are collected in brancher order, the workspace first, and the first that cannot be
 * collected (a target it lacks) fails the status: unlike push and fetch, status skips none.
 */
async function withHistory(
  repo: DataRepo,
  all: TrackedOut[],
  targets: readonly string[],
  cwd: string,
  scope: HistoryScope | undefined,
): Promise<TrackedOut[]> {
  const workspace = await inWorkspaceCollection(async () =>
    targets.length === 0 ? all : selectOuts(repo, all, targets, { cwd }),
  );
  if (!hasHistoryScope(scope)) return workspace;
  const past =
    targets.length === 0
      ? { outs: await historyTrackedOuts(repo, scope), skipped: [] }
      : await historySelectedOuts(repo, scope, targets, cwd);
  const [lacking] = past.skipped;
  if (lacking !== undefined) {
    throw new FlowOpsError(
      lacking.error.code,
      `Failed to collect '${lacking.revision}': ${lacking.message}`,
      {
        cause: lacking.error,
      },
    );
  }
  return [...workspace, ...past.outs];
}

/**
 * `collect` as a step of collecting the workspace's objects: what stops it (a damaged dvc.lock, a target that
 * names nothing) is dvc's RevCollectionError, "Failed to collect 'workspace': <why>", with the cause's code.
 * An error dvc classes by its exception family (dvcErrorKind) passes as it is, so it exits as before.
 */
async function inWorkspaceCollection<T>(collect: () => Promise<T>): Promise<T> {
  try {
    return await collect();
  } catch (error) {
    if (!(error instanceof FlowOpsError) || dvcErrorKind(error) !== undefined) throw error;
    throw new FlowOpsError(error.code, `Failed to collect 'workspace': ${error.message}`, { cause: error });
  }
}

/** DVC names outs relative to the cwd when the cwd is inside the repo, else relative to the root. */
function namingBase(root: string, cwd: string): string {
  const fromRoot = relative(root, cwd);
  return fromRoot.startsWith("..") || isAbsolute(fromRoot) ? root : cwd;
}

/**
 * The text `dvc status -c` prints: one `state:` line per entry, padded as DVC pads it, tab-indented only with
 * `--cloud` (DVC indents by that flag, so `-r <remote>` alone prints flush left).
 */
export function formatCloudStatus(status: CloudStatus, options: { indent: boolean }): string {
  const indent = options.indent ? "\t" : "";
  const lines = Object.entries(status.entries).map(
    ([entry, state]) => `${indent}${`${state}:`.padEnd(20)}${entry}`,
  );
  if (lines.length > 0) return `${lines.join("\n")}\n`;
  return status.tracksAnything ? `Cache and remote '${status.remote}' are in sync.\n` : EMPTY_PROJECT_MESSAGE;
}
