/**
 * `repro --pull`, as DVC's `dvc repro --pull` (`dvc/repo/reproduce.py`, `Stage.reproduce`, `stage/run.py`,
 * `StageCache.restore`): `pullRunCache` copies the remote's run-cache in before the repro (the CLI calls it,
 * as `reproduce` does before planning); during it, a stage whose only changes are
 * data missing from the workspace has its outs pulled and checked out instead of being run; a stage that
 * must run first pulls its missing deps, then the objects of the run-cache entry that matches its inputs,
 * so the run-cache can restore it. Transfers and checkouts go through pushPull (the same paths as
 * `flowops data pull`); this module only decides what to pull. It never runs commands and never writes
 * dvc.lock.
 */
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { compareCodePoints } from "../data/dirManifest.js";
import { openDataRemote, type OpenRemoteOptions } from "../data/dataRemote.js";
import type { DataRepo } from "../data/dataRepo.js";
import {
  downloadFailures,
  fetchRunCacheEntryObjects,
  pull,
  type MissingObject,
  type PullResult,
} from "../data/pushPull.js";
import { pullRunCacheEntries } from "../data/runCacheTransfer.js";
import { filesFailedMessage, transferFailureLines } from "../data/transferFailureWording.js";
import { toFlowOpsError } from "../errors.js";
import { lockCmd } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { runCacheKey, runCachePath, isRunCacheable } from "./runCache.js";
import { canHashForRunCache, hashDeps, readStageParams, stageOuts, type StageChange } from "./stageStatus.js";

/** What repro asks before running a changed stage. */
export interface ReproPull {
  /**
   * Fetches what the stage needs from the remote. `checked-out` when its outs were pulled and checked out
   * and it need not run; `failed` (with dvc's message) when a download failed, which fails the stage before
   * anything is checked out or run; undefined when it must still run (its deps and run-cache objects then
   * fetched).
   */
  beforeRun(stage: Stage, changes: readonly StageChange[]): Promise<"checked-out" | PullFailed | undefined>;
  /**
   * A `.dvc` file whose only changes are data missing here, a stage of dvc's graph like the others: its outs
   * pulled and checked out (`checked-out`), or, when they could not be, undefined for it to be verified
   * (which then fails on the missing data); `failed` when a download failed.
   */
  beforeDataSource(source: DataSourceToPull): Promise<"checked-out" | PullFailed | undefined>;
}

/** A `.dvc` file to pull: its name as dvc prints it (the path from the cwd) and its outs, absolute. */
export interface DataSourceToPull {
  name: string;
  paths: readonly string[];
}

/** A pull for the stage whose fetch failed: dvc's DownloadError ends the stage ("failed to reproduce"). */
export interface PullFailed {
  failed: string;
}

/**
 * A stage whose outs the pull could not check out, which then runs: dvc's `Stage.reproduce` catches the
 * CheckoutError ("Unable to pull data for stage"), then its `StageCache.restore(pull=True)` pulls the outs
 * that dvc.lock records once more before the command runs.
 */
export interface OutsNotPulled {
  /** A stage of dvc.yaml, or a `.dvc` file named by its path from the cwd. */
  stage: Pick<Stage, "name">;
  /** The pull's objects that neither the cache nor the remote has (dvc-data's warning, `md5: <oid>`). */
  missing: MissingObject[];
  /**
   * What the restore's second pull finds missing, as dvc's `DataCloud._log_missing` names it
   * (`name: <out>, md5: <oid>`): the out's path from the cwd; undefined (dvc's None) for a directory whose
   * manifest is missing, which alone is named, as its CollectCacheError ends the restore. Empty when the
   * restore would not pull (a dep still missing).
   */
  missingAgain: (MissingObject & { name: string | undefined })[];
}

/** A download failed: raised out of the pull, as dvc's DownloadError, for the stage to fail on. */
class DownloadFailed extends Error {}

export interface ReproPullOptions extends OpenRemoteOptions {
  /** The remote to pull from; the out's own `remote:` or the default remote otherwise. */
  remote?: string;
  jobs?: number;
  /** Where repro was started: dvc names a missing dep or params file from there. */
  cwd?: string;
  /** Whether the run-cache may restore stages (`--no-run-cache` sets false): its objects are fetched then. */
  runCache?: boolean;
  /** Non-fatal problems (a remote that cannot be reached, a dep that would not check out). */
  onWarning?: (message: string) => void;
  /** A stage whose outs could not be pulled, before it runs (instead of a warning). */
  onOutsNotPulled?: (notPulled: OutsNotPulled) => void;
  /** dvc's error lines (`ERROR: ...`, whole) for each object that failed to download, before the stage fails. */
  onTransferError?: (line: string) => void;
}

/** A ReproPull for one repro over `repo`. */
export function reproPull(repo: DataRepo, options: ReproPullOptions = {}): ReproPull {
  return {
    beforeRun: async (stage, changes) => {
      try {
        // Deps first: DVC's graph holds `.dvc` files as stages upstream, which pull their own missing data.
        await pullMissingDeps(repo, stage, options);
        if (changes.length > 0 && changes.every(isMissingData)) {
          if (await pullStageOuts(repo, stage, options)) return "checked-out";
        }
      } catch (error) {
        if (!(error instanceof DownloadFailed)) throw error;
        return { failed: `failed to reproduce '${stage.name}': ${error.message}` };
      }
      if (options.runCache !== false) await fetchRunCacheObjects(repo, stage, options);
      return undefined;
    },
    beforeDataSource: async ({ name, paths }) => {
      try {
        // Without a command there is no run-cache restore to pull the outs again and warn of them by name.
        return (await pullOuts(repo, { name }, paths, options, () => [])) ? "checked-out" : undefined;
      } catch (error) {
        if (!(error instanceof DownloadFailed)) throw error;
        return { failed: `failed to reproduce '${name}': ${error.message}` };
      }
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
  return pullOuts(repo, stage, targets, options, (missing) => missingAgain(repo, stage, missing, options));
}

/**
 * `repo.pull(<targets>)` then their checkout; false when either fails, after `onOutsNotPulled` (with what
 * `again` finds missing once more) or a warning.
 */
async function pullOuts(
  repo: DataRepo,
  stage: Pick<Stage, "name">,
  targets: readonly string[],
  options: ReproPullOptions,
  again: (missing: readonly MissingObject[]) => OutsNotPulled["missingAgain"],
): Promise<boolean> {
  try {
    const result = await pullPaths(repo, targets, options);
    if (result.checkout.failed.length === 0) return true;
    const missing = result.fetch.missing ?? [];
    options.onOutsNotPulled?.({ stage, missing, missingAgain: again(missing) });
  } catch (error) {
    if (error instanceof DownloadFailed) throw error;
    options.onWarning?.(`unable to pull data for stage '${stage.name}': ${toFlowOpsError(error).message}`);
  }
  return false;
}

/**
 * What `StageCache.restore(pull=True)` finds missing when it pulls the outs dvc.lock records: the stage is
 * otherwise unchanged, so it takes them from dvc.lock (outs sorted by path) once its deps can be hashed.
 * Everything the remote had came with the first pull, so what is missing is what that pull missed. A
 * directory's manifest is fetched alone, by `get_dir_cache` (no name), and the first one missing ends the
 * restore before the files are pulled.
 */
function missingAgain(
  repo: DataRepo,
  stage: Stage,
  missing: readonly MissingObject[],
  options: ReproPullOptions,
): OutsNotPulled["missingAgain"] {
  if (!stage.deps.every((dep) => existsSync(join(stage.wdir, dep)))) return [];
  const manifest = missing
    .filter((item) => item.oid.endsWith(".dir"))
    .sort((a, b) => compareCodePoints(a.path, b.path))[0];
  if (manifest !== undefined) return [{ ...manifest, name: undefined }];
  // dvc's `str(out)`: the path from the cwd.
  const cwd = options.cwd ?? repo.root;
  return missing.map((item) => ({ ...item, name: relative(cwd, join(repo.root, item.path)) }));
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
      const failed = (await pullPaths(repo, [abs], options)).checkout.failed;
      if (failed.length > 0) options.onWarning?.(`unable to pull dep '${dep}' of stage '${stage.name}'`);
    } catch (error) {
      if (error instanceof DownloadFailed) throw error;
      const flowOpsError = toFlowOpsError(error);
      if (flowOpsError.code === "RESOURCE_DOES_NOT_EXIST") continue;
      options.onWarning?.(`unable to pull dep '${dep}' of stage '${stage.name}': ${flowOpsError.message}`);
    }
  }
}

/**
 * `pushPull.pull` of the paths: fetch, then checkout of the outs (`.dvc` and `dvc.lock` alike) they select.
 * A failed download (not an object missing everywhere, which is only warned of) stops the pull before
 * checkout and throws DownloadFailed, as dvc's `repo.pull` raises inside `Stage.reproduce`.
 */
async function pullPaths(
  repo: DataRepo,
  absPaths: readonly string[],
  options: ReproPullOptions,
): Promise<PullResult> {
  const result = await pull(repo, absPaths, { ...transferOptions(options), stopOnFailedFetch: true });
  if (downloadFailures(result.fetch).length > 0) {
    for (const line of transferFailureLines(result.fetch.failed)) options.onTransferError?.(line);
    throw new DownloadFailed(filesFailedMessage(result.fetch.failed.length, "download"));
  }
  return result;
}

/**
 * `StageCache.restore(pull=True)`: fetches the objects of the run-cache entry that the stage's current
 * inputs select, so repro's run-cache restore finds them in the cache.
 */
async function fetchRunCacheObjects(repo: DataRepo, stage: Stage, options: ReproPullOptions): Promise<void> {
  if (!isRunCacheable(stage)) return;
  // dvc's `_can_hash` comes first: a dep still missing after the pull fails the stage with its Errno 2.
  if (!(await canHashForRunCache(repo, stage, options.cwd ?? repo.root))) return;
  const deps = await hashDeps(repo, stage, options.cwd);
  const params = await readStageParams(stage, options.cwd);
  const outs = stageOuts(stage)
    .map((out) => ({ path: out.path }))
    .sort((a, b) => compareCodePoints(a.path, b.path));
  const dir = runCachePath(repo.cacheDir, runCacheKey({ cmd: lockCmd(stage), deps, params, outs }));
  const entry = await newestEntryPath(dir);
  if (entry === undefined) return;
  // A corrupt entry names no objects here; runCache.restoreFromRunCache reports and removes it.
  try {
    const relEntry = relative(repo.cacheDir, entry).split(sep).join("/");
    await fetchRunCacheEntryObjects(repo, [relEntry], transferOptions(options));
  } catch (error) {
    options.onWarning?.(
      `unable to pull run-cache outputs of '${stage.name}': ${toFlowOpsError(error).message}`,
    );
  }
}

/** The newest file of a run-cache key directory, by mtime, as DVC's `_load` picks it. */
async function newestEntryPath(dir: string): Promise<string | undefined> {
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

/**
 * `StageCache.pull`: copies every file under the remote's `runs/` into the cache's `runs/`, replacing what
 * is there (DVC's transfer with force). Returns how many entries were copied.
 */
export async function pullRunCache(repo: DataRepo, options: ReproPullOptions = {}): Promise<number> {
  const remote = openDataRemote(repo, options.remote, remoteOptions(options));
  return (await pullRunCacheEntries(repo, remote)).length;
}

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
