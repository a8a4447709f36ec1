/**
 * Recording a stage after it ran or was restored: hash its deps, params and outs, commit cached outs to the
 * object cache (relinking the workspace when `cache.type` prefers links), rewrite its dvc.lock entry with
 * the bytes dvc writes, and save a run-cache entry. It changes no .gitignore: the caller adds the returned
 * paths in plan order.
 */
import { existsSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { compareCodePoints } from "../data/dirManifest.js";
import type { HashedPath } from "../data/hashTree.js";
import { refuseGitTrackedOut } from "../data/gitTracked.js";
import { linkFromCache } from "../data/linkTypes.js";
import { FlowOpsError } from "../errors.js";
import { LOCK_FILE, lockCmd, stageLockDir, updateLock, type LockEntry, type LockFile } from "./dvcLock.js";
import { stageAddress, type Stage } from "./dvcYaml.js";
import { isRunCacheable, saveRunCache } from "./runCache.js";
import { hashDeps, hashIfExists, lockFileOf, readStageParams, stageOuts } from "./stageStatus.js";

/** How a repro records: entries new to dvc.lock in plan order (whatever order parallel stages finish in). */
export interface RecordContext {
  /** Position of each planned stage. */
  planIndex: ReadonlyMap<string, number>;
  /** Stages this repro added to dvc.lock (filled here). */
  addedToLock: Set<string>;
  /** `--no-commit`: hash and record the outs, but copy nothing into the object cache or the run-cache. */
  noCommit?: boolean;
  /** Where the command was started: a missing dep or params file is named from here, as dvc names it. */
  cwd?: string;
}

export interface RecordedStage {
  entry: LockEntry;
  /** The dvc.lock (absolute) when this stage's entry in it changed: dvc then names it to `git add`. */
  lockChanged?: string;
  /** With `lockChanged`: the dvc.lock was missing or empty before, so this wrote it anew. */
  lockGenerated?: true;
  /** Cached outs (absolute) that belong in .gitignore. */
  gitignored: string[];
}

/**
 * After a run or a restore: hashes deps, params and outs, commits cached outs, rewrites the stage's dvc.lock
 * entry, adds .gitignore entries, and (after a run) saves a run-cache entry.
 */
export async function recordStage(
  repo: DataRepo,
  stage: Stage,
  saveCache: boolean,
  context: RecordContext,
): Promise<RecordedStage> {
  const deps = await hashDeps(repo, stage, context.cwd);
  const params = await readStageParams(stage, context.cwd);
  const outs: LockFile[] = [];
  const cacheable = isRunCacheable(stage);
  for (const out of stageOuts(stage)) {
    const abs = join(stage.wdir, out.path);
    const hashed = await hashIfExists(repo, abs);
    if (hashed === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `stage '${stage.name}': output '${out.path}' does not exist`,
      );
    }
    // As dvc, after the command ran and before anything is recorded: the run's outputs stay for the user.
    if (out.cache) await refuseGitTrackedOut(repo, abs, out.path);
    // Uncached metrics and plots go into the object cache too when a run-cache entry will name them.
    if (context.noCommit !== true && (out.cache || (saveCache && cacheable)))
      await commitOut(repo, abs, hashed, out.cache);
    outs.push(lockFileOf(out.path, hashed));
  }
  // Sorted as DVC sorts (Python string order): the run-cache value hashes the lists in this order.
  const byPath = (a: LockFile, b: LockFile): number => compareCodePoints(a.path, b.path);
  const entry: LockEntry = { cmd: lockCmd(stage), deps: deps.sort(byPath), params, outs: outs.sort(byPath) };
  // The entry goes into the dvc.lock beside the stage's dvc.yaml, under its name in that file.
  const dvcfile = relative(repo.root, stage.pipelineFile).split(sep).join("/");
  const addressOf = (lockName: string): string => stageAddress(dvcfile, lockName);
  let changed = true;
  const lockPath = join(stageLockDir(stage), LOCK_FILE);
  let generated = false;
  await updateLock(stageLockDir(stage), (lock) => {
    // dvc's "Generating lock file" is for a dvc.lock that held nothing: missing, or empty.
    generated = !existsSync(lockPath) || statSync(lockPath).size === 0;
    const previous = lock.stages.get(stage.lockName);
    if (previous !== undefined) {
      changed = canonicalJson(previous) !== canonicalJson(entry);
      lock.stages.set(stage.lockName, entry);
      return;
    }
    // DVC appends new entries as stages finish one by one, in plan order. Parallel stages finish in any
    // order, so entries new in this repro are kept in plan order: dvc.lock does not depend on timing.
    context.addedToLock.add(stage.name);
    const entries = [...lock.stages, [stage.lockName, entry] as const];
    const rank = (lockName: string): number => {
      const name = addressOf(lockName);
      return context.addedToLock.has(name) ? (context.planIndex.get(name) ?? 0) : -1;
    };
    const ordered = entries
      .map((item, position) => ({ item, position }))
      .sort((a, b) => rank(a.item[0]) - rank(b.item[0]) || a.position - b.position);
    lock.stages.clear();
    for (const { item } of ordered) lock.stages.set(item[0], item[1]);
  });
  if (saveCache && context.noCommit !== true) await saveRunCache(repo, stage, entry);
  const gitignored = stageOuts(stage)
    .filter((out) => out.cache)
    .map((out) => join(stage.wdir, out.path));
  return {
    entry,
    gitignored,
    ...(changed ? { lockChanged: lockPath } : {}),
    ...(changed && generated ? { lockGenerated: true as const } : {}),
  };
}

/** JSON with object keys sorted, so two entries compare by content whatever order their keys were read in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * Puts an out's content into the object cache (each file, and a directory's manifest), then, when
 * `cache.type` prefers links, replaces the workspace files with links to the objects as DVC does.
 */
async function commitOut(repo: DataRepo, abs: string, hashed: HashedPath, linkable: boolean): Promise<void> {
  const files =
    hashed.kind === "file"
      ? [{ abs, md5: hashed.md5, isexec: hashed.isexec === true }]
      : hashed.entries.map((e) => ({
          abs: join(abs, ...e.relpath.split("/")),
          md5: e.md5,
          isexec: e.isexec === true,
        }));
  const relink = linkable && repo.linkTypes[0] !== undefined && repo.linkTypes[0] !== "copy";
  for (const file of files) {
    await repo.cache.addFile(file.abs, file.md5);
    if (relink) {
      await linkFromCache(repo.cache.objectPath(file.md5), file.abs, repo.linkTypes, { isexec: file.isexec });
      repo.state.record(file.abs, await stat(file.abs), file.md5);
    }
  }
  if (hashed.kind === "dir") await repo.cache.addBytes(hashed.md5, hashed.manifest);
}
