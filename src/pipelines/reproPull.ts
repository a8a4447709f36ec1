/**
 * `repro --pull`, as DVC's `dvc repro --pull` (`dvc/repo/reproduce.py`, `Stage.reproduce`, `stage/run.py`,
 * `StageCache.restore`): `pullRunCache` copies the remote's run-cache in before the repro (the CLI calls it,
 * as `reproduce` does before planning); during it, a stage whose only changes are
 * data missing from the workspace has its outs pulled and checked out instead of being run; a stage that
 * must run first pulls its missing deps, then the objects of the run-cache entry that matches its inputs,
 * so the run-cache can restore it. Transfers go through pushPull/transferObjects; this module only decides
 * what to fetch. It never runs commands and never writes dvc.lock.
 */
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { pipeline as streamPipeline } from "node:stream/promises";
import { dirname, join } from "node:path";
import { compareCodePoints } from "../data/dirManifest.js";
import { openDataRemote, type OpenRemoteOptions } from "../data/dataRemote.js";
import type { DataRepo } from "../data/dataRepo.js";
import { isDirOid, isOid } from "../data/hashInfo.js";
import { cacheHasAll } from "../data/dataStatus.js";
import { materializeOut } from "../data/materialize.js";
import { fetch } from "../data/pushPull.js";
import { fetchObjects } from "../data/transferObjects.js";
import { expandOuts, selectOuts, trackedOuts, type TrackedOut } from "../data/usedObjects.js";
import { toFlowOpsError } from "../errors.js";
import { lockCmd, readLock, type Lock } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { parseRunCacheEntry, runCacheKey, runCachePath, isRunCacheable } from "./runCache.js";
import { hashDeps, readStageParams, stageOuts, type StageChange } from "./stageStatus.js";

/** What repro asks before running a changed stage. */
export interface ReproPull {
  /**
   * Fetches what the stage needs from the remote. `checked-out` when its outs were pulled and checked out
   * and it need not run; undefined when it must still run (its deps and run-cache objects then fetched).
   */
  beforeRun(stage: Stage, changes: readonly StageChange[]): Promise<"checked-out" | undefined>;
}

export interface ReproPullOptions extends OpenRemoteOptions {
  /** The remote to pull from; the out's own `remote:` or the default remote otherwise. */
  remote?: string;
  jobs?: number;
  /** Whether the run-cache may restore stages (`--no-run-cache` sets false): its objects are fetched then. */
  runCache?: boolean;
  /** Non-fatal problems (a remote that cannot be reached, an out that would not check out). */
  onWarning?: (message: string) => void;
}

/** A ReproPull for one repro over `repo`. */
export function reproPull(repo: DataRepo, options: ReproPullOptions = {}): ReproPull {
  return {
    beforeRun: async (stage, changes) => {
      // Deps first: DVC's graph holds `.dvc` files as stages upstream, which pull their own missing data.
      await pullMissingDeps(repo, stage, options);
      if (changes.length > 0 && changes.every(isMissingData)) {
        if (await pullStageOuts(repo, stage, options)) return "checked-out";
      }
      if (options.runCache !== false) await fetchRunCacheObjects(repo, stage, options);
      return undefined;
    },
  };
}

/** Data absent from the workspace: what `Stage.changed(allow_missing=True)` does not count. */
function isMissingData(change: StageChange): boolean {
  return (
    (change.kind === "deps" && change.status === "deleted") ||
    (change.kind === "outs" && (change.status === "deleted" || change.status === "not in cache"))
  );
}

/**
 * `repo.pull(stage.addressing)` then `stage.checkout()`; false (the stage then runs) when either fails.
 * A stage without cached outs has nothing to pull, and DVC then skips it all the same.
 */
async function pullStageOuts(repo: DataRepo, stage: Stage, options: ReproPullOptions): Promise<boolean> {
  const targets = stageOuts(stage)
    .filter((out) => out.cache)
    .map((out) => join(stage.wdir, out.path));
  if (targets.length === 0) return true;
  try {
    const failed = await pullPaths(repo, targets, options);
    if (failed.length === 0) return true;
    options.onWarning?.(`unable to pull data for stage '${stage.name}' (${failed.join(", ")}); running it`);
  } catch (error) {
    options.onWarning?.(`unable to pull data for stage '${stage.name}': ${toFlowOpsError(error).message}`);
  }
  return false;
}

/**
 * DVC's `_pull_missing_deps`: each dep absent from the workspace is pulled by its path. A dep no `.dvc` file
 * or stage tracks cannot be pulled; the stage then fails on it as it would without --pull.
 */
async function pullMissingDeps(repo: DataRepo, stage: Stage, options: ReproPullOptions): Promise<void> {
  for (const dep of stage.deps) {
    const abs = join(stage.wdir, dep);
    if (existsSync(abs)) continue;
    try {
      const failed = await pullPaths(repo, [abs], options);
      if (failed.length > 0) options.onWarning?.(`unable to pull dep '${dep}' of stage '${stage.name}'`);
    } catch (error) {
      const flowOpsError = toFlowOpsError(error);
      if (flowOpsError.code === "RESOURCE_DOES_NOT_EXIST") continue;
      options.onWarning?.(`unable to pull dep '${dep}' of stage '${stage.name}': ${flowOpsError.message}`);
    }
  }
}

/**
 * fetch, then a checkout of the selected outs missing from the workspace; returns the paths that could not
 * be checked out. pushPull.pull is not used: its checkout (checkoutTargets) knows `.dvc` files only, and
 * these paths are as often outs of dvc.lock.
 */
async function pullPaths(
  repo: DataRepo,
  absPaths: readonly string[],
  options: ReproPullOptions,
): Promise<string[]> {
  await fetch(repo, absPaths, transferOptions(options));
  const selected = selectOuts(repo, await trackedOuts(repo), absPaths);
  const lock = await readLock(repo.root);
  const failed: string[] = [];
  for (const out of selected) {
    const dest = join(repo.root, ...out.path.split("/"));
    if (existsSync(dest)) continue;
    if (!(await cacheHasAll(repo, out.md5))) {
      failed.push(out.path);
      continue;
    }
    const isexec = out.stage === undefined ? undefined : lockIsexec(lock, out.stage, out.path);
    await mkdir(dirname(dest), { recursive: true });
    await materializeOut(repo.cache, { md5: out.md5, ...(isexec === true ? { isexec } : {}) }, dest, {
      linkTypes: repo.linkTypes,
      state: repo.state,
    });
  }
  return failed;
}

/** The `isexec` dvc.lock records for a stage's out (a path relative to the root, root-wdir stages only). */
function lockIsexec(lock: Lock, stageName: string, path: string): boolean | undefined {
  return lock.stages.get(stageName)?.outs.find((out) => out.path === path)?.isexec;
}

/**
 * `StageCache.restore(pull=True)`: fetches the objects of the run-cache entry that the stage's current
 * inputs select, so repro's run-cache restore finds them in the cache.
 */
async function fetchRunCacheObjects(repo: DataRepo, stage: Stage, options: ReproPullOptions): Promise<void> {
  if (!isRunCacheable(stage)) return;
  const deps = await hashDeps(repo, stage);
  const params = await readStageParams(stage);
  const outs = stageOuts(stage)
    .map((out) => ({ path: out.path }))
    .sort((a, b) => compareCodePoints(a.path, b.path));
  const dir = runCachePath(repo.cacheDir, runCacheKey({ cmd: lockCmd(stage), deps, params, outs }));
  const entry = await newestEntryText(dir);
  if (entry === undefined) return;
  let lockOuts;
  try {
    lockOuts = parseRunCacheEntry(entry.path, entry.text).outs;
  } catch {
    // runCache.restoreFromRunCache reports and removes a corrupt entry.
    return;
  }
  const tracked: TrackedOut[] = lockOuts
    .filter((out) => out.md5 !== undefined && isOid(out.md5))
    .map((out) => ({ dvcFile: entry.path, path: out.path, md5: out.md5 ?? "", stage: stage.name }));
  try {
    await fetchOuts(repo, tracked, options);
  } catch (error) {
    options.onWarning?.(
      `unable to pull run-cache outputs of '${stage.name}': ${toFlowOpsError(error).message}`,
    );
  }
}

/** fetch's two rounds for outs no `.dvc` file names: directory manifests first, then what they list. */
async function fetchOuts(
  repo: DataRepo,
  outs: readonly TrackedOut[],
  options: ReproPullOptions,
): Promise<void> {
  if (outs.length === 0) return;
  const remote = openDataRemote(repo, options.remote, remoteOptions(options));
  const jobs = options.jobs === undefined ? {} : { jobs: options.jobs };
  const manifests = outs.filter((out) => isDirOid(out.md5));
  if (manifests.length > 0) await fetchObjects(repo, remote, await expandOuts(repo, manifests), jobs);
  await fetchObjects(repo, remote, await expandOuts(repo, outs), jobs);
}

/** The newest file of a run-cache key directory, by mtime, as DVC's `_load` picks it. */
async function newestEntryText(dir: string): Promise<{ path: string; text: string } | undefined> {
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
  if (newest === undefined) return undefined;
  const path = join(dir, newest.name);
  return { path, text: await readFile(path, "utf8") };
}

/**
 * `StageCache.pull`: copies every file under the remote's `runs/` into the cache's `runs/`, replacing what
 * is there (DVC's transfer with force). Returns how many entries were copied.
 */
export async function pullRunCache(repo: DataRepo, options: ReproPullOptions = {}): Promise<number> {
  const remote = openDataRemote(repo, options.remote, remoteOptions(options));
  let copied = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await remote.store.list(dir)) {
      if (entry.is_dir) {
        await walk(entry.path);
        continue;
      }
      const dest = join(repo.cacheDir, ...entry.path.split("/"));
      await mkdir(dirname(dest), { recursive: true });
      // Through a temp file: a half-copied entry must never be read as a (corrupt) run-cache entry.
      const temp = join(dirname(dest), `.${randomBytes(8).toString("hex")}.tmp`);
      try {
        await streamPipeline(await remote.store.read(entry.path), createWriteStream(temp));
        await rename(temp, dest);
      } finally {
        await rm(temp, { force: true });
      }
      copied++;
    }
  };
  await walk(RUNS_DIR);
  return copied;
}

const RUNS_DIR = "runs";

function transferOptions(options: ReproPullOptions): { remote?: string; jobs?: number } & OpenRemoteOptions {
  return {
    ...(options.remote !== undefined ? { remote: options.remote } : {}),
    ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
    ...remoteOptions(options),
  };
}

function remoteOptions(options: OpenRemoteOptions): OpenRemoteOptions {
  return options.env === undefined ? {} : { env: options.env };
}
