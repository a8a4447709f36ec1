/**
 * `status`: how each tracked out differs from its `.dvc` file, with `dvc status` meanings and order of
 * checks (`Output.status`): "not in cache" (the recorded content is not in the local cache) before
 * "deleted" (missing from the workspace) and "modified" (the workspace hash differs from the one recorded,
 * or none is recorded: dvc compares before it would say "new", so an out never reads "new"). Hashing goes
 * through the state, so an unchanged workspace costs one stat per file. `outStatus` is exported for pipeline
 * stage checks. It never prints.
 */
import { readdir } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import { dvcFileWdir, loadTrackedOuts, selectTrackedOuts, type DvcOut, type TrackedOut } from "./dvcFile.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { cacheListingToken } from "./cacheListingToken.js";
import { pathExists } from "./fileStat.js";
import { isVersionedImport } from "./versionedS3Source.js";
import { hashPathSummary } from "./hashTree.js";
import { matchesLegacyRecord } from "./legacyTree.js";
import type { ObjectCache } from "./objectCache.js";

/** DVC's first line when a project defines nothing, so scripts reading it see the same; the hint is ours. */
export const EMPTY_PROJECT_MESSAGE =
  "There are no data or pipelines tracked in this project yet.\n" +
  "Track data with `flowops data add <path>`, or define stages in dvc.yaml.\n";

export type OutStatus = "modified" | "deleted" | "not in cache";
/** A dep's status: an out's, or for an import from another repository a newer commit at its revision. */
export type DepStatus = OutStatus | "update available";

export interface DataStatusEntry extends DvcFileStatus {
  /** The `.dvc` file, relative to the cwd (POSIX), as `dvc status` names it. */
  dvcFile: string;
}

/** What changed in one `.dvc` file, in dvc's order: deps (an unfrozen import's source), outs, stage md5. */
export interface DvcFileStatus {
  /**
   * Source path (as dvc shows it) -> status, only if changed: for an import that is not frozen, and for an
   * import from another repository ("path (url)": "update available").
   */
  changedDeps?: Record<string, DepStatus>;
  /** Out path (relative to the cwd) -> status; only outs that changed. */
  changedOuts: Record<string, OutStatus>;
  /** The recorded stage md5 of an import differs from its contents (dvc's "changed checksum"). */
  changedChecksum?: boolean;
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
  // dvc's workspace_status asks "changed checksum" before "no hash": a recorded nothing differs from any hash
  // of data that is there, so an out with data and no hash is "modified" (dvc 3.67.1), never "new".
  if (out.md5 === undefined) return "modified";
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
    /** Hears each frozen `.dvc` file (named from the cwd): dvc warns that its deps are not shown. */
    onFrozen?: (dvcFile: string) => void;
    /** Ask the repositories of frozen imports from another repository for newer commits (default true). */
    checkUpdates?: boolean;
  } = {},
): Promise<DataStatusEntry[]> {
  const cwd = options.cwd ?? process.cwd();
  const tracked = await loadTrackedOuts(repo);
  options.onDvcFiles?.(new Set(tracked.map((out) => out.dvcFile)).size);
  const selected = selectTrackedOuts(tracked, targets, cwd);
  const byFile = await dvcFileStatuses(repo, selected, cwd, options.onFrozen, {
    ...(options.checkUpdates !== undefined ? { checkUpdates: options.checkUpdates } : {}),
  });
  repo.state.flush();
  return [...byFile.entries()].map(([dvcFile, status]) => ({ dvcFile, ...status }));
}

/**
 * The status of the `.dvc` files that `outs` belong to, by file named relative to `cwd`; files with no change
 * left out. An import (a `.dvc` file with a dep) is also checked for its source, unless frozen, and for its
 * stage md5, as dvc's `Stage.status` does.
 */
export async function dvcFileStatuses(
  repo: DataRepo,
  outs: readonly TrackedOut[],
  cwd: string,
  onFrozen?: (dvcFile: string) => void,
  options: { checkUpdates?: boolean } = {},
): Promise<Map<string, DvcFileStatus>> {
  const byFile = new Map<string, DvcFileStatus>();
  const seen = new Set<string>();
  for (const tracked of outs) {
    const key = posixRel(cwd, tracked.dvcFile);
    if (!seen.has(tracked.dvcFile)) {
      seen.add(tracked.dvcFile);
      // dvc names no frozen import from another repository, nor a version-aware one: their updates show unless
      // --no-updates.
      if (tracked.doc.raw.frozen === true && !isRepoImport(tracked.doc) && !isVersionedImport(tracked.doc)) {
        onFrozen?.(key);
      }
      if (tracked.doc.deps !== undefined || tracked.doc.raw.cmd !== undefined) {
        const { importStatus } = await import("./importStatus.js");
        const { changedDeps, changedChecksum } = await importStatus(
          repo,
          tracked.dvcFile,
          tracked.doc,
          cwd,
          options.checkUpdates ?? true,
        );
        if (changedDeps !== undefined || changedChecksum) {
          byFile.set(key, {
            ...(changedDeps !== undefined ? { changedDeps } : {}),
            changedOuts: {},
            ...(changedChecksum ? { changedChecksum } : {}),
          });
        }
      }
    }
    const status = await outStatus(repo, tracked.out, dvcFileWdir(tracked.dvcFile, tracked.doc));
    if (status === undefined) continue;
    const entry = byFile.get(key) ?? { changedOuts: {} };
    entry.changedOuts[posixRel(cwd, tracked.abs)] = status;
    byFile.set(key, entry);
  }
  return byFile;
}

/** dvc's `is_repo_import`: one dep, naming a repository. */
function isRepoImport(doc: TrackedOut["doc"]): boolean {
  const dep = doc.deps?.length === 1 ? (doc.deps[0] as { repo?: unknown }) : undefined;
  return typeof dep === "object" && dep !== null && dep.repo !== undefined;
}

/** A status as `dvc status --json` lists it: `[{"changed deps": ...}, {"changed outs": ...}, "changed checksum"]`. */
export function dvcFileStatusItems(
  status: DvcFileStatus,
): (
  { "changed deps": Record<string, DepStatus> } | { "changed outs": Record<string, OutStatus> } | string
)[] {
  return [
    ...(status.changedDeps !== undefined ? [{ "changed deps": status.changedDeps }] : []),
    ...(Object.keys(status.changedOuts).length > 0 ? [{ "changed outs": status.changedOuts }] : []),
    ...(status.changedChecksum === true ? ["changed checksum"] : []),
  ];
}

/** `dvc status --json`: `{"foo.dvc": [{"changed outs": {"foo": "modified"}}]}`. */
export function statusJson(
  entries: readonly DataStatusEntry[],
): Record<string, ReturnType<typeof dvcFileStatusItems>> {
  return Object.fromEntries(entries.map((e) => [e.dvcFile, dvcFileStatusItems(e)]));
}

/** `dvc status` text: the file, then each kind of change, its paths with statuses padded to 20 columns. */
export function formatStatus(entries: readonly DataStatusEntry[]): string {
  if (entries.length === 0) return "Data and pipelines are up to date.\n";
  const paths = (changes: Record<string, DepStatus>): string =>
    Object.entries(changes)
      .map(([path, status]) => `\t\t${`${status}:`.padEnd(20)}${path}\n`)
      .join("");
  return entries
    .map(
      (e) =>
        `${e.dvcFile}:\n` +
        (e.changedDeps !== undefined ? `\tchanged deps:\n${paths(e.changedDeps)}` : "") +
        (Object.keys(e.changedOuts).length > 0 ? `\tchanged outs:\n${paths(e.changedOuts)}` : "") +
        (e.changedChecksum === true ? "\tchanged checksum\n" : ""),
    )
    .join("");
}
