/**
 * Whether `dvc repro --dry` says a changed stage "is cached - skipping run, checking out outputs" before it
 * echoes the command it would run. dvc's dry `run_stage` still calls the run-cache's `restore(dry=True)`,
 * which takes the stage's own dvc.lock entry when its inputs still match it, and otherwise looks up the
 * run-cache by the stage as loaded, whose deps and params carry the hashes dvc.lock recorded (a dry run
 * never saves the current ones): so an entry for the last recorded run counts, whatever changed since.
 * Either way every out of the entry must be in the cache. Nothing is checked out.
 */
import { readFile } from "node:fs/promises";
import { compareCodePoints } from "../data/dirManifest.js";
import type { DataRepo } from "../data/dataRepo.js";
import { cacheHasAll } from "../data/dataStatus.js";
import { lockCmd, type LockEntry } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { restoresFromLock } from "./lockRestore.js";
import {
  isRunCacheable,
  newestRunCacheEntryPath,
  parseRunCacheEntry,
  runCacheKey,
  runCachePath,
} from "./runCache.js";
import { stageOuts } from "./stageStatus.js";

export async function dryRunCacheHit(
  repo: DataRepo,
  stage: Stage,
  lock: LockEntry | undefined,
  current: Omit<LockEntry, "outs">,
  runCache: boolean,
): Promise<boolean> {
  // Without a dvc.lock entry the loaded stage has no hashes, so no run-cache key can match.
  if (lock === undefined || !isRunCacheable(stage)) return false;
  if (restoresFromLock(stage, lock, current)) return outsCached(repo, lock);
  if (!runCache) return false;
  const byPath = (a: { path: string }, b: { path: string }): number => compareCodePoints(a.path, b.path);
  const outs = stageOuts(stage)
    .map((out) => ({ path: out.path }))
    .sort(byPath);
  const key = runCacheKey({
    cmd: lockCmd(stage),
    deps: [...lock.deps].sort(byPath),
    params: lock.params,
    outs,
  });
  const entry = await newestEntry(runCachePath(repo.cacheDir, key));
  return entry !== undefined && (await outsCached(repo, entry));
}

async function outsCached(repo: DataRepo, entry: LockEntry): Promise<boolean> {
  for (const out of entry.outs) {
    if (out.md5 === undefined || !(await cacheHasAll(repo, out.md5))) return false;
  }
  return true;
}

/** The newest entry by mtime, as dvc's `_load`; an unreadable one is no hit (a dry run deletes nothing). */
async function newestEntry(dir: string): Promise<LockEntry | undefined> {
  const path = await newestRunCacheEntryPath(dir);
  if (path === undefined) return undefined;
  try {
    return parseRunCacheEntry(path, await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}
