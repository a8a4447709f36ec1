/**
 * `status`: how each tracked out differs from its `.dvc` file, with `dvc status` meanings and order of
 * checks (`Output.status`): "not in cache" (the recorded content is not in the local cache) before
 * "deleted" (missing from the workspace), "new" (no hash recorded) and "modified" (the workspace hash
 * differs). Hashing goes through the state, so an unchanged workspace costs one stat per file.
 * `outStatus` is exported for pipeline stage checks. It never prints.
 */
import { readdir } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import { dvcFileWdir, loadTrackedOuts, selectTrackedOuts, type DvcOut, type TrackedOut } from "./dvcFile.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { cacheListingToken } from "./cacheListingToken.js";
import { pathExists } from "./fileStat.js";
import { hashPathSummary } from "./hashTree.js";
import { matchesLegacyRecord } from "./legacyTree.js";
import type { ObjectCache } from "./objectCache.js";

/** DVC's first line when a project defines nothing, so scripts reading it see the same; the hint is ours. */
export const EMPTY_PROJECT_MESSAGE =
  "There are no data or pipelines tracked in this project yet.\n" +
  "Track data with `flowops data add <path>`, or define stages in dvc.yaml.\n";

export type OutStatus = "modified" | "deleted" | "not in cache" | "new";

export interface DataStatusEntry {
  /** The `.dvc` file, relative to the cwd (POSIX), as `dvc status` names it. */
  dvcFile: string;
  /** Out path (relative to the cwd) -> status; only outs that changed. */
  changedOuts: Record<string, OutStatus>;
}

const COMPLETE_TREE_MEMO = "complete-tree";

/**
 * Whether the object and, for a directory, its manifest and every file it lists are in the cache. A tree
 * found complete is remembered in the state (when given) under the cache's listing token, so asking again
 * while no object was added or removed costs 256 directory stats instead of the manifest and its listings.
 */
export async function cacheHasAll(
  repo: Pick<DataRepo, "cache"> & Partial<Pick<DataRepo, "state">>,
  oid: Oid,
): Promise<boolean> {
  if (!(await repo.cache.has(oid))) return false;
  if (!isDirOid(oid)) return true;
  const token = repo.state === undefined ? undefined : cacheListingToken(repo.cache);
  if (token !== undefined && repo.state?.recall(COMPLETE_TREE_MEMO, oid, token) !== undefined) return true;
  let entries;
  try {
    entries = await repo.cache.readDirManifest(oid);
  } catch {
    return false;
  }
  const unlisted = await unlistedObjects(
    repo.cache,
    entries.map((e) => e.md5),
  );
  if (unlisted.length === 0) {
    // Only objects in the fan-out directories the token covers (not DVC 2's layout) make a lasting answer.
    if (token !== undefined) repo.state?.remember(COMPLETE_TREE_MEMO, oid, token, "1");
    return true;
  }
  for (const other of unlisted) if (!(await repo.cache.has(other))) return false;
  return true;
}

/**
 * The oids of `oids` the cache lacks. One readdir per fan-out directory instead of a stat per object: a
 * directory of 20k files costs ~256 readdirs. Oids not seen in a listing are asked about one by one, so
 * objects in the legacy layout still count.
 */
export async function missingObjects(
  cache: Pick<ObjectCache, "objectPath" | "has">,
  oids: readonly Oid[],
): Promise<Oid[]> {
  const missing: Oid[] = [];
  for (const oid of await unlistedObjects(cache, oids)) if (!(await cache.has(oid))) missing.push(oid);
  return missing;
}

/** The oids of `oids` not listed in their fan-out directory of the cache's current layout. */
async function unlistedObjects(cache: Pick<ObjectCache, "objectPath">, oids: readonly Oid[]): Promise<Oid[]> {
  // Objects sit at <cache>/<first two hex digits>/<the rest>: group by the prefix, locate each directory once.
  const byPrefix = new Map<string, Oid[]>();
  for (const oid of oids) {
    const prefix = oid.slice(0, 2);
    const list = byPrefix.get(prefix);
    if (list === undefined) byPrefix.set(prefix, [oid]);
    else list.push(oid);
  }
  const unseen: Oid[] = [];
  for (const group of byPrefix.values()) {
    const dir = dirname(cache.objectPath(group[0]!));
    const names = new Set(await readdir(dir).catch(() => [] as string[]));
    for (const oid of group) if (!names.has(oid.slice(2))) unseen.push(oid);
  }
  return unseen;
}

/** The status of one out whose path is relative to `wdirAbs`; undefined when it is up to date. */
export async function outStatus(
  repo: DataRepo,
  out: DvcOut,
  wdirAbs: string,
): Promise<OutStatus | undefined> {
  const abs = resolve(wdirAbs, out.path);
  if (out.md5 !== undefined && out.cache !== false && !(await cacheHasAll(repo, out.md5)))
    return "not in cache";
  if (!(await pathExists(abs))) return "deleted";
  if (out.md5 === undefined) return "new";
  const ctx = {
    root: repo.root,
    state: repo.state,
    ignore: repo.ignore,
    pool: HashPool.shared(),
    ...(repo.workspaceSummaries !== undefined ? { summaries: repo.workspaceSummaries } : {}),
  };
  const hashed = await hashPathSummary(abs, ctx);
  if (hashed.md5 === out.md5) return undefined;
  // A DVC 2 entry (no `hash: md5`) records md5-dos2unix, which differs for text with CRLF: ask that hash
  // before calling it modified. Only a mismatch pays the second read.
  if (out.hash === undefined && (await matchesLegacyRecord(repo, abs, hashed.kind, out.md5, ctx)))
    return undefined;
  return "modified";
}

function posixRel(from: string, to: string): string {
  return relative(from, to).split(sep).join("/");
}

/** Status of every `.dvc` file (or those `targets` select), only those with changes, in path order. */
export async function dataStatus(
  repo: DataRepo,
  targets: readonly string[] = [],
  options: {
    cwd?: string;
    /** Hears how many `.dvc` files the workspace has, so a caller can tell an empty project from a clean one. */
    onDvcFiles?: (count: number) => void;
  } = {},
): Promise<DataStatusEntry[]> {
  const cwd = options.cwd ?? process.cwd();
  const tracked = await loadTrackedOuts(repo);
  options.onDvcFiles?.(new Set(tracked.map((out) => out.dvcFile)).size);
  const selected = selectTrackedOuts(tracked, targets, cwd);
  const byFile = await changedOutsByDvcFile(repo, selected, cwd);
  repo.state.flush();
  return [...byFile.entries()].map(([dvcFile, changedOuts]) => ({ dvcFile, changedOuts }));
}

/** The changed outs among `outs`, by `.dvc` file, both named relative to `cwd`; files with no change left out. */
export async function changedOutsByDvcFile(
  repo: DataRepo,
  outs: readonly TrackedOut[],
  cwd: string,
): Promise<Map<string, Record<string, OutStatus>>> {
  const byFile = new Map<string, Record<string, OutStatus>>();
  for (const tracked of outs) {
    const status = await outStatus(repo, tracked.out, dvcFileWdir(tracked.dvcFile, tracked.doc));
    if (status === undefined) continue;
    const key = posixRel(cwd, tracked.dvcFile);
    const changed = byFile.get(key) ?? {};
    changed[posixRel(cwd, tracked.abs)] = status;
    byFile.set(key, changed);
  }
  return byFile;
}

/** `dvc status --json`: `{"foo.dvc": [{"changed outs": {"foo": "modified"}}]}`. */
export function statusJson(
  entries: readonly DataStatusEntry[],
): Record<string, { "changed outs": Record<string, OutStatus> }[]> {
  return Object.fromEntries(entries.map((e) => [e.dvcFile, [{ "changed outs": e.changedOuts }]]));
}

/** `dvc status` text: the file, `changed outs:`, then each out with its status padded to 20 columns. */
export function formatStatus(entries: readonly DataStatusEntry[]): string {
  if (entries.length === 0) return "Data and pipelines are up to date.\n";
  return entries
    .map(
      (e) =>
        `${e.dvcFile}:\n\tchanged outs:\n` +
        Object.entries(e.changedOuts)
          .map(([path, status]) => `\t\t${`${status}:`.padEnd(20)}${path}\n`)
          .join(""),
    )
    .join("");
}
