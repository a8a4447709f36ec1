/**
 * DVC's run-cache (`dvc/stage/cache.py`), shared with DVC: `<cache>/runs/<key[:2]>/<key>/<value>` holds a
 * YAML copy of a stage's lock entry. The key is the sha256 of Python's `json.dumps(d, sort_keys=True)` of the
 * entry with `outs` reduced to their paths and every `size`/`nfiles` removed ("this command on these
 * inputs"); the value is the same hash over the whole entry ("this result"). Restoring picks the newest
 * value by mtime and checks its outs out of the object cache, verified, so a stage that ran before with the
 * same inputs is not run again. It never runs commands and never writes dvc.lock.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { compareCodePoints } from "../data/dirManifest.js";
import type { DataRepo } from "../data/dataRepo.js";
import { cacheHasAll } from "../data/dataStatus.js";
import { materializeOut } from "../data/materialize.js";
import { FlowOpsError } from "../errors.js";
import { lockEntryToYaml, parseLock, type LockEntry, type LockFile } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { isPlainObject, parsePythonYaml, pySortedJsonDumps } from "./pythonValues.js";
import { dumpRuamelYaml } from "./ruamelYaml.js";
import { isCallbackStage, stageOuts } from "./stageStatus.js";

/** The parts of a lock entry the run-cache hashes, as DVC's `to_single_stage_lockfile` builds them. */
export interface RunCacheEntry {
  cmd: string | readonly string[];
  deps?: readonly object[];
  params?: Readonly<Record<string, object>>;
  outs?: readonly { path: string }[];
}

/** Keys DVC drops before hashing (`Meta.PARAM_SIZE`, `Meta.PARAM_NFILES`), at any depth. */
const EXCLUDED_KEYS: ReadonlySet<string> = new Set(["size", "nfiles"]);

/** sha256 over the entry with `outs` reduced to their paths: the directory name under `runs/<key[:2]>/`. */
export function runCacheKey(entry: RunCacheEntry): string {
  return sha256(runCacheJson({ ...lockDict(entry), ...outPaths(entry) }));
}

/** sha256 over the whole entry: the file name in the key's directory. */
export function runCacheValue(entry: RunCacheEntry): string {
  return sha256(runCacheJson(lockDict(entry)));
}

/** Python's `json.dumps(dict_filter(d, ["size", "nfiles"]), sort_keys=True)`, the bytes both hashes cover. */
export function runCacheJson(value: unknown): string {
  return pySortedJsonDumps(value, EXCLUDED_KEYS);
}

/** Where a run-cache entry lives: `<cache>/runs/<key[:2]>/<key>/<value>`. */
export function runCachePath(cacheDir: string, key: string, value?: string): string {
  const dir = join(cacheDir, "runs", key.slice(0, 2), key);
  return value === undefined ? dir : join(dir, value);
}

/**
 * Whether DVC would keep run-cache entries for the stage (`_can_hash` and `Stage.run`): not for callback or
 * always_changed stages, stages without deps or outs, persistent outs, or plain outs with `cache: false`
 * (metrics and plots with `cache: false` are allowed: their content goes into the object cache for the
 * run-cache alone, as DVC does).
 */
export function isRunCacheable(stage: Stage): boolean {
  if (stage.alwaysChanged || isCallbackStage(stage)) return false;
  const outs = stageOuts(stage);
  if (stage.deps.length + stage.params.length === 0 || outs.length === 0) return false;
  if (outs.some((out) => out.persist)) return false;
  return stage.outs.every((out) => out.cache);
}

/**
 * Records a successful run. Every out must already be in the object cache, uncached metrics and plots
 * included (repro commits them), so a restore can bring them all back. An existing identical entry is kept.
 */
export async function saveRunCache(repo: DataRepo, stage: Stage, entry: LockEntry): Promise<boolean> {
  if (!isRunCacheable(stage)) return false;
  const path = runCachePath(repo.cacheDir, runCacheKey(entry), runCacheValue(entry));
  if (existsSync(path)) return false;
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${randomBytes(8).toString("hex")}.tmp`);
  try {
    await writeFile(temp, serializeRunCacheEntry(entry));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}

/**
 * Looks the stage up by its current inputs (`partial`: cmd, deps and params as they are now) and, on a hit
 * whose outs are all in the cache, checks the outs out into the workspace and returns the cached entry.
 * Undefined when there is no usable entry; the workspace is then untouched.
 */
export async function restoreFromRunCache(
  repo: DataRepo,
  stage: Stage,
  partial: Omit<LockEntry, "outs">,
): Promise<LockEntry | undefined> {
  if (!isRunCacheable(stage)) return undefined;
  const byPath = (a: { path: string }, b: { path: string }): number => compareCodePoints(a.path, b.path);
  // Saved entries are lock entries, deps and outs sorted by path (as dvc.lock lists them): the key must be too.
  const outs = stageOuts(stage)
    .map((out) => ({ path: out.path }))
    .sort(byPath);
  const deps = partial.deps === undefined ? {} : { deps: [...partial.deps].sort(byPath) };
  const dir = runCachePath(repo.cacheDir, runCacheKey({ ...partial, ...deps, outs }));
  const entry = await newestEntry(dir);
  return entry === undefined ? undefined : restoreEntry(repo, stage, entry);
}

/**
 * Checks out the outs `entry` records, when every one is in the cache (DVC's `outs_cached`), and returns
 * it; undefined, the workspace untouched, otherwise.
 */
export async function restoreEntry(
  repo: DataRepo,
  stage: Stage,
  entry: LockEntry,
): Promise<LockEntry | undefined> {
  for (const out of entry.outs) {
    if (out.md5 === undefined || !(await cacheHasAll(repo, out.md5))) return undefined;
  }
  for (const out of entry.outs) await checkoutOut(repo, stage, out);
  return entry;
}

async function checkoutOut(repo: DataRepo, stage: Stage, out: LockFile): Promise<void> {
  const dest = join(stage.wdir, out.path);
  const cached = stageOuts(stage).find((o) => o.path === out.path)?.cache ?? true;
  // A stale out of another shape (file vs directory) would confuse the checkout; the stage replaces it anyway.
  await rm(dest, { recursive: true, force: true });
  await mkdir(dirname(dest), { recursive: true });
  await materializeOut(
    repo.cache,
    { md5: out.md5 ?? "", ...(out.isexec === true ? { isexec: true } : {}) },
    dest,
    {
      // An uncached out must look like a git-tracked file: an independent copy, never a link into the cache.
      linkTypes: cached ? repo.linkTypes : ["copy"],
      state: repo.state,
    },
  );
}

/** The newest file of a run-cache key directory, by mtime, as DVC's `_load` picks it. */
export async function newestRunCacheEntryPath(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => !name.startsWith("."));
  } catch {
    return undefined;
  }
  const dated = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })),
  );
  const newest = dated.sort((a, b) => b.mtime - a.mtime)[0];
  return newest === undefined ? undefined : join(dir, newest.name);
}

/** The newest readable entry of a key directory; corrupt files are removed. */
async function newestEntry(dir: string): Promise<LockEntry | undefined> {
  const path = await newestRunCacheEntryPath(dir);
  if (path === undefined) return undefined;
  try {
    return parseRunCacheEntry(path, await readFile(path, "utf8"));
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    // DVC deletes a corrupt entry with a warning; a later successful run writes a good one.
    await rm(path, { force: true });
    return undefined;
  }
}

/** The YAML DVC writes into a run-cache file: the lock entry alone, at the top level. */
export function serializeRunCacheEntry(entry: LockEntry): string {
  return dumpRuamelYaml(lockEntryToYaml(entry));
}

/** Reads a run-cache file with dvc.lock's validation; errors name the file. */
export function parseRunCacheEntry(path: string, text: string): LockEntry {
  const value = parsePythonYaml(path, text).value;
  if (!isPlainObject(value))
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: not a run-cache entry`);
  // Re-emitted inside a lock document so the lock file's reader validates it, field by field.
  const entry = parseLock(path, dumpRuamelYaml({ schema: "2.0", stages: { entry: value } })).stages.get(
    "entry",
  );
  if (entry === undefined)
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: not a run-cache entry`);
  return entry;
}

function lockDict(entry: RunCacheEntry): Record<string, unknown> {
  const { deps = [], params = {}, outs = [] } = entry;
  return {
    cmd: entry.cmd,
    ...(deps.length > 0 ? { deps } : {}),
    ...(Object.keys(params).length > 0 ? { params } : {}),
    ...(outs.length > 0 ? { outs } : {}),
  };
}

function outPaths(entry: RunCacheEntry): { outs?: string[] } {
  const outs = (entry.outs ?? []).map((out) => out.path);
  return outs.length > 0 ? { outs } : {};
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
