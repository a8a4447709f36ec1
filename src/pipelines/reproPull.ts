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
import { rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { compareCodePoints } from "../data/dirManifest.js";
import { openDataRemote, type OpenRemoteOptions } from "../data/dataRemote.js";
import type { DataRepo } from "../data/dataRepo.js";
import { fetchRunCacheEntryObjects, type MissingObject } from "../data/pushPull.js";
import type { CheckoutFailure } from "../data/checkoutTargets.js";
import { noHashWarnings } from "../data/noHashWarnings.js";
import { pullRunCacheEntries } from "../data/runCacheTransfer.js";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import { lockCmd, type LockEntry } from "./dvcLock.js";
import type { Stage } from "./dvcYaml.js";
import { isRunCacheable, newestRunCacheEntryPath, runCacheKey, runCachePath } from "./runCache.js";
import { pullMissingDeps } from "./reproPullDeps.js";
import { COLLECT_FAILED_WARNING, missingRemoteError, restorePullRemoteError } from "./reproPullRemote.js";
import {
  pullForRepro,
  PullStopped,
  transferOptions,
  type ReproTransferOptions,
} from "./reproPullTransfer.js";
import { settleUnasked } from "./reproConfirm.js";
import { checkoutRemovalFailure } from "./reproCheckoutRemoval.js";
import { processPromptConfirm, type DvcPromptConfirm } from "./dvcPrompt.js";
import { canHashForRunCache, hashDeps, readStageParams, stageOuts, type StageChange } from "./stageStatus.js";

export type { MissingObject };

/** What repro asks before running a changed stage. */
export interface ReproPull {
  /**
   * Fetches what the stage needs from the remote. `checked-out` when its outs were pulled and checked out
   * and it need not run; `failed` (with dvc's message) when a download failed, a missing dep would not check
   * out, a checkout refused to remove a file, or the restore from `lock` (its dvc.lock entry as repro started)
   * or the run-cache would pull with no default remote, which fails the stage before it runs; undefined when it
   * must still run (its deps and run-cache objects then fetched).
   */
  beforeRun(
    stage: Stage,
    changes: readonly StageChange[],
    lock?: LockEntry,
    /** A frozen stage never runs: only its missing outs are pulled, nothing removed, no deps fetched. */
    frozen?: boolean,
    /**
     * `-i`'s question, asked where dvc asks: once the outs' pull failed to make the run needless, before any
     * dep is fetched; `aborted` when the answer is no.
     */
    confirmed?: () => Promise<boolean>,
  ): Promise<"checked-out" | "aborted" | PullFailed | undefined>;
  /**
   * A `.dvc` file whose only changes are data missing here, a stage of dvc's graph like the others: its outs
   * pulled and checked out (`checked-out`), or, when they could not be, undefined for it to be verified
   * (which then fails on the missing data); `failed` as for a stage.
   */
  beforeDataSource(source: DataSourceToPull): Promise<"checked-out" | PullFailed | undefined>;
}

/** A `.dvc` file to pull: its name as dvc prints it (the path from the cwd) and its outs, absolute. */
export interface DataSourceToPull {
  name: string;
  paths: readonly string[];
}

/** A pull for the stage that failed: dvc's exception ends the stage ("failed to reproduce"). */
export interface PullFailed {
  failed: string;
}

/**
 * What `StageCache.restore(pull=True)` finds missing when it pulls the outs dvc.lock records, as dvc's
 * `DataCloud._log_missing` names it (`name: <out>, md5: <oid>`): the out's path from the cwd; undefined
 * (dvc's None) for a directory whose manifest is missing, which alone is named, as its CollectCacheError ends
 * the restore.
 */
export type MissingAgain = MissingObject & { name: string | undefined };

export interface ReproPullOptions extends ReproTransferOptions {
  /** Where repro was started: dvc names a missing dep or params file from there. */
  cwd?: string;
  /** Whether the run-cache may restore stages (`--no-run-cache` sets false): its objects are fetched then. */
  runCache?: boolean;
  /** Non-fatal problems (a remote that cannot be reached, an out with no hash recorded). */
  onWarning?: (message: string) => void;
  /**
   * A stage (or a `.dvc` file, named by its path from the cwd) whose outs the pull could not check out,
   * which then runs: dvc's `Stage.reproduce` catches the CheckoutError ("Unable to pull data for stage").
   */
  onOutsNotPulled?: (stage: Pick<Stage, "name">) => void;
  /**
   * The outs the run-cache restore pulls once more before the stage runs and finds missing, after its
   * missing deps were pulled.
   */
  onMissingAgain?: (missing: readonly MissingAgain[]) => void;
  /**
   * dvc's `prompt.confirm`, asked before the checkout removes a file whose object is nowhere
   * (reproCheckoutRemoval.ts); the process's own (a terminal's) when not given.
   */
  confirmRemoval?: DvcPromptConfirm;
}

/** A ReproPull for one repro over `repo`. */
export function reproPull(repo: DataRepo, options: ReproPullOptions = {}): ReproPull {
  return {
    beforeRun: async (stage, changes, lock, frozen, confirmed) => {
      try {
        // dvc's order: `Stage.reproduce` pulls the outs of a stage whose only changes are missing data; only
        // a stage that then runs pulls its missing deps (`run_stage`), and the run-cache restore comes last.
        let notPulled: NotPulled | undefined;
        if (changes.length > 0 && changes.every(isMissingData)) {
          notPulled = await pullStageOuts(repo, stage, options).catch((error: unknown) => {
            // Raised out of `Stage.reproduce` before its question: dvc never asks it.
            if (error instanceof PullStopped) settleUnasked(confirmed);
            throw error;
          });
          if (notPulled === undefined) return "checked-out";
        }
        if (confirmed !== undefined && !(await confirmed())) return "aborted";
        if (frozen === true) return undefined;
        // `Stage.run` removes the outs before `run_stage` pulls deps or restores: a failure there leaves none.
        for (const out of stageOuts(stage)) {
          if (!out.persist) await rm(join(stage.wdir, out.path), { recursive: true, force: true });
        }
        await pullMissingDeps(repo, stage, options);
        const noRemote = await restorePullRemoteError(repo, stage, lock, options);
        if (noRemote !== undefined) throw new PullStopped(noRemote);
        const again = notPulled === undefined ? [] : missingAgain(repo, stage, notPulled, options);
        if (again.length > 0) options.onMissingAgain?.(again);
      } catch (error) {
        if (!(error instanceof PullStopped)) throw error;
        return { failed: `failed to reproduce '${stage.name}': ${error.message}` };
      }
      if (options.runCache !== false) await fetchRunCacheObjects(repo, stage, options);
      return undefined;
    },
    beforeDataSource: async ({ name, paths }) => {
      try {
        // Without a command there is no run-cache restore to pull the outs again and warn of them by name.
        return (await pullOuts(repo, { name }, paths, options)) === undefined ? "checked-out" : undefined;
      } catch (error) {
        if (!(error instanceof PullStopped)) throw error;
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

/** What the pull of a stage's outs missed: the fetch's missing objects and the checkout's failures. */
interface NotPulled {
  missing: readonly MissingObject[];
  failed: readonly CheckoutFailure[];
}

/**
 * `repo.pull(stage.addressing)` then `stage.checkout()`; what was not pulled (the stage then runs) when the
 * pull's checkout failed. A stage without cached outs has nothing to pull, and DVC then skips it all the same.
 */
async function pullStageOuts(
  repo: DataRepo,
  stage: Stage,
  options: ReproPullOptions,
): Promise<NotPulled | undefined> {
  const targets = stageOuts(stage)
    .filter((out) => out.cache)
    .map((out) => join(stage.wdir, out.path));
  if (targets.length === 0) return undefined;
  return pullOuts(repo, stage, targets, options);
}

/**
 * `repo.pull(<targets>)` then their checkout. Its checkout failing is dvc's CheckoutError, which
 * `Stage.reproduce` catches: what was not pulled is returned, after dvc-data's warnings for outs with no hash
 * recorded and `onOutsNotPulled`. Anything else the pull raises, and `Stage.checkout` refusing to relink a
 * file whose object is missing, ends the stage (PullStopped).
 */
async function pullOuts(
  repo: DataRepo,
  stage: Pick<Stage, "name">,
  targets: readonly string[],
  options: ReproPullOptions,
): Promise<NotPulled | undefined> {
  const noSuchRemote = missingRemoteError(repo, options.remote);
  if (noSuchRemote !== undefined) {
    options.onWarning?.(COLLECT_FAILED_WARNING);
    throw new PullStopped(noSuchRemote);
  }
  let missing: MissingObject[] = [];
  let result;
  try {
    result = await pullForRepro(repo, targets, {
      ...options,
      onMissingObjects: (objects) => {
        missing = [...objects];
        options.onMissingObjects?.(objects);
      },
    });
  } catch (error) {
    if (error instanceof PullStopped) throw error;
    throw new PullStopped(toFlowOpsError(error).message);
  }
  const { failed } = result.checkout;
  if (failed.length === 0) {
    const confirm = options.confirmRemoval ?? processPromptConfirm();
    const refusal = await checkoutRemovalFailure(repo, targets, options.cwd ?? repo.root, confirm);
    if (refusal !== undefined) throw new PullStopped(refusal);
    return undefined;
  }
  for (const line of noHashWarnings(failed)) options.onWarning?.(line.replace(/^WARNING: /, ""));
  options.onOutsNotPulled?.(stage);
  return { missing, failed };
}

/**
 * What `StageCache.restore(pull=True)` finds missing when it pulls the outs dvc.lock records: the stage is
 * otherwise unchanged, so it takes them from dvc.lock (outs sorted by path) once its deps can be hashed and
 * every out has a hash recorded (else it looks in the run-cache). Everything the remote had came with the
 * first pull, so what is missing is what that pull missed. A directory's manifest is fetched alone, by
 * `get_dir_cache` (no name), and the first one missing ends the restore before the files are pulled.
 */
function missingAgain(
  repo: DataRepo,
  stage: Stage,
  { missing, failed }: NotPulled,
  options: ReproPullOptions,
): MissingAgain[] {
  if (!stage.deps.every((dep) => existsSync(join(stage.wdir, dep)))) return [];
  if (failed.some((failure) => failure.noHashAt !== undefined)) return [];
  const manifest = missing
    .filter((item) => item.oid.endsWith(".dir"))
    .sort((a, b) => compareCodePoints(a.path, b.path))[0];
  if (manifest !== undefined) return [{ ...manifest, name: undefined }];
  // dvc's `str(out)`: the path from the cwd.
  const cwd = options.cwd ?? repo.root;
  return missing.map((item) => ({ ...item, name: relative(cwd, join(repo.root, item.path)) }));
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
  const entry = await newestRunCacheEntryPath(dir);
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

/**
 * `StageCache.pull`: copies every file under the remote's `runs/` into the cache's `runs/`, replacing what
 * is there (DVC's transfer with force). Returns how many entries were copied.
 */
export async function pullRunCache(repo: DataRepo, options: ReproPullOptions = {}): Promise<number> {
  const noSuchRemote = missingRemoteError(repo, options.remote);
  if (noSuchRemote !== undefined) throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", noSuchRemote);
  const remote = openDataRemote(repo, options.remote, remoteOptions(options));
  return (await pullRunCacheEntries(repo, remote)).length;
}

function remoteOptions(options: OpenRemoteOptions): OpenRemoteOptions {
  return options.env === undefined ? {} : { env: options.env };
}
