/**
 * Under `repro --pull`, dvc's `StageCache.restore(pull=True)` (dvc/stage/cache.py) pulls the outs of the entry
 * it restores from (the stage's dvc.lock entry when its inputs are unchanged, else the run-cache entry they
 * select) through `DataCloud.pull`, which opens the default remote before it looks at a single object, so even
 * outs already in the cache need one. With none, that is dvc's NoRemoteError, which nothing catches: the stage
 * fails ("failed to reproduce '<stage>': config file error: no remote specified ..."), where without --pull
 * it would be restored. A stage with nothing to restore from runs, remote or not.
 */
import { readdir } from "node:fs/promises";
import { compareCodePoints } from "../data/dirManifest.js";
import { openDataRemote, selectedRemoteName, type OpenRemoteOptions } from "../data/dataRemote.js";
import type { DataRepo } from "../data/dataRepo.js";
import { configuredRemoteName } from "../data/dvcConfig.js";
import { toFlowOpsError } from "../errors.js";
import { lockCmd, type LockEntry } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { restoresFromLock } from "./lockRestore.js";
import { isRunCacheable, runCacheKey, runCachePath } from "./runCache.js";
import { canHashForRunCache, hashDeps, readStageParams, stageOuts } from "./stageStatus.js";

export interface RestoreRemoteOptions extends OpenRemoteOptions {
  /** Where repro was started: dvc names a missing dep or params file from there. */
  cwd?: string;
  /** false with `--no-run-cache`: only the dvc.lock entry can be restored from then. */
  runCache?: boolean;
}

/**
 * dvc's NoRemoteError message when the restore of `stage` would pull with no default remote to pull from;
 * undefined when there is a default remote or the restore would not get as far as pulling.
 */
export async function restorePullRemoteError(
  repo: DataRepo,
  stage: Stage,
  lock: LockEntry | undefined,
  options: RestoreRemoteOptions,
): Promise<string | undefined> {
  // `DataCloud.pull` uses `core.remote`, whatever remote the outs name.
  const remoteError = defaultRemoteError(repo, options);
  if (remoteError === undefined) return undefined;
  // Outs with `cache: false` have no objects to pull: `get_used_objs` is empty and no remote is asked for.
  if (!isRunCacheable(stage) || !stageOuts(stage).some((out) => out.cache)) return undefined;
  const cwd = options.cwd ?? repo.root;
  if (!(await canHashForRunCache(repo, stage, cwd))) return undefined;
  const current = {
    cmd: lockCmd(stage),
    deps: await hashDeps(repo, stage, cwd),
    params: await readStageParams(stage, cwd),
  };
  if (lock !== undefined && restoresFromLock(stage, lock, current)) return remoteError;
  if (options.runCache === false) return undefined;
  return (await hasRunCacheEntry(repo, stage, current)) ? remoteError : undefined;
}

/**
 * dvc's RemoteNotFoundError (`get_fs_config`) when the remote a pull would use, `remote` or else
 * `core.remote`, names none configured; worded as dvc words it, without the full stop of its `dvc remote`
 * commands' message.
 */
export function missingRemoteError(repo: DataRepo, remote?: string): string | undefined {
  const selected = selectedRemoteName(repo, remote);
  if (selected === undefined || configuredRemoteName(repo.config, selected) !== undefined) return undefined;
  return `config file error: remote '${selected}' doesn't exist`;
}

/**
 * dvc's `repo.pull` collects its index before it transfers anything, and the index asks for each out's
 * remote: a remote that does not exist fails the collection, which dvc's `_collect_indexes` warns of for the
 * workspace before it raises the RemoteNotFoundError.
 */
export const COLLECT_FAILED_WARNING = "failed to collect 'workspace', skipping";

/**
 * The NoRemoteError when `core.remote` is unset, the RemoteNotFoundError when it names no remote; any other
 * remote that is set is left for the pull to judge.
 */
function defaultRemoteError(repo: DataRepo, options: OpenRemoteOptions): string | undefined {
  if (selectedRemoteName(repo) !== undefined) return missingRemoteError(repo);
  try {
    openDataRemote(repo, undefined, options.env === undefined ? {} : { env: options.env });
    return undefined;
  } catch (error) {
    return toFlowOpsError(error).message;
  }
}

/** Whether the run-cache holds an entry for the stage's current inputs (dvc's `_load` finds one). */
async function hasRunCacheEntry(
  repo: DataRepo,
  stage: Stage,
  current: Omit<LockEntry, "outs">,
): Promise<boolean> {
  const byPath = (a: { path: string }, b: { path: string }): number => compareCodePoints(a.path, b.path);
  const outs = stageOuts(stage)
    .map((out) => ({ path: out.path }))
    .sort(byPath);
  const key = runCacheKey({ ...current, deps: [...current.deps].sort(byPath), outs });
  try {
    return (await readdir(runCachePath(repo.cacheDir, key))).some((name) => !name.startsWith("."));
  } catch {
    return false;
  }
}
