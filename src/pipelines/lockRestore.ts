/**
 * The first half of dvc's `StageCache.restore` (dvc/stage/cache.py): a stage whose command and deps (params
 * included) are those dvc.lock records, and whose outs all have a hash there, is restored from its own
 * dvc.lock entry, with or without the run-cache (even `--no-run-cache`), before any run-cache entry is
 * looked up. So a stage whose only change is an edited or deleted out whose object is in the cache is
 * checked out ("Stage '<name>' is cached - skipping run, checking out outputs") rather than run.
 */
import { compareCodePoints } from "../data/dirManifest.js";
import type { DataRepo } from "../data/dataRepo.js";
import type { LockEntry } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { isRunCacheable, restoreEntry, runCacheKey } from "./runCache.js";
import { stageOuts } from "./stageStatus.js";

/**
 * Checks the outs of `lock` (the stage's dvc.lock entry) out when `current` (its cmd, deps and params as
 * they are now) matches it and all are in the cache; the entry restored, or undefined with nothing touched.
 */
export async function restoreFromLock(
  repo: DataRepo,
  stage: Stage,
  lock: LockEntry | undefined,
  current: Omit<LockEntry, "outs">,
): Promise<LockEntry | undefined> {
  if (lock === undefined || !restoresFromLock(stage, lock, current)) return undefined;
  return restoreEntry(repo, stage, lock);
}

/**
 * Whether dvc's restore takes the stage's dvc.lock entry (`lock`) rather than looking in the run-cache:
 * `current` (cmd, deps, params as they are now) matches it and every out has a hash recorded there.
 */
export function restoresFromLock(stage: Stage, lock: LockEntry, current: Omit<LockEntry, "outs">): boolean {
  // dvc's `_can_hash`, the restore's first check, which the run-cache's own condition matches.
  if (!isRunCacheable(stage)) return false;
  const byPath = (a: { path: string }, b: { path: string }): number => compareCodePoints(a.path, b.path);
  const outs = stageOuts(stage)
    .map((out) => ({ path: out.path }))
    .sort(byPath);
  // The run-cache key covers exactly cmd, deps and params (hashes, not sizes): equal keys, unchanged inputs.
  const key = (entry: Omit<LockEntry, "outs">): string =>
    runCacheKey({ cmd: entry.cmd, deps: [...entry.deps].sort(byPath), params: entry.params, outs });
  if (key(lock) !== key(current)) return false;
  const recorded = new Set(lock.outs.filter((out) => out.md5 !== undefined).map((out) => out.path));
  return outs.every((out) => recorded.has(out.path));
}
