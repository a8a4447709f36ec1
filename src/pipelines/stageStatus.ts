/**
 * Whether a pipeline stage must run again, by DVC's rules (`Stage.changed`, dvc/stage/__init__.py): the
 * command first, then dependencies and params, then outputs, stopping at the first category with a change.
 * `frozen` stages ignore their dependencies; `always_changed` and callback stages (a cmd with no deps and no
 * outs) always count as changed. It also measures what the workspace holds for a stage (hashes of deps and
 * outs, values of params), which is what dvc.lock records after a run. Hashing goes through the repo's state,
 * so unchanged files are never rehashed. It never writes the workspace, the cache or dvc.lock.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "../data/dataRepo.js";
import { cacheHasAll } from "../data/dataStatus.js";
import { hashPath, hashPathSummary, type HashedPath, type PathSummary } from "../data/hashTree.js";
import { matchesLegacyRecord } from "../data/legacyTree.js";
import { lockCmd, type LockEntry, type LockFile } from "./dvcLock.js";
import type { Stage, StageOut } from "./dvcYaml.js";
import { loadParamsFile, selectParams, type ParamsObject } from "./paramsFile.js";
import { pyEquals } from "./pythonValues.js";

export type DepStatus = "modified" | "deleted" | "new";
export type OutStatus = "modified" | "deleted" | "not in cache" | "new";
export type ParamStatus = "modified" | "deleted" | "new";

/** One reason a stage is changed, in DVC's vocabulary (`dvc status` prints the same words). */
export type StageChange =
  | { kind: "cmd" }
  | { kind: "always-changed"; why: "always_changed" | "callback" }
  | { kind: "deps"; path: string; status: DepStatus }
  /** `key` absent: the whole params file is new (no lock values) or deleted. */
  | { kind: "params"; file: string; key?: string; status: ParamStatus }
  | { kind: "outs"; path: string; status: OutStatus };

/** Every out of a stage: DVC treats metrics and plots as outs too (in dvc.lock, the run-cache, repro). */
export function stageOuts(stage: Stage): StageOut[] {
  return [...stage.outs, ...stage.metrics, ...stage.plots];
}

/** A cmd with no deps (params count) and no outs: DVC runs it every time (`Stage.is_callback`). */
export function isCallbackStage(stage: Stage): boolean {
  return stage.deps.length === 0 && stage.params.length === 0 && stageOuts(stage).length === 0;
}

/** The command lines to run: DVC runs a string cmd line by line (`str.splitlines`). */
export function commandLines(stage: Stage): string[] {
  if (!stage.cmdIsString) return [...stage.cmd];
  // Python's str.splitlines also breaks at the file, group and record separators.
  // eslint-disable-next-line no-control-regex
  const lines = (stage.cmd[0] ?? "").split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Why `stage` must run, compared with its dvc.lock entry; empty when it is up to date. Stops after the first
 * category that has changes (cmd, then deps and params, then outs), as DVC does, so outs of a stage whose
 * deps changed are not hashed.
 */
export async function stageChanges(
  repo: DataRepo,
  stage: Stage,
  lock: LockEntry | undefined,
): Promise<StageChange[]> {
  if (lock !== undefined && !pyEquals(lockCmd(stage), lock.cmd)) return [{ kind: "cmd" }];
  if (!stage.frozen) {
    if (stage.alwaysChanged) return [{ kind: "always-changed", why: "always_changed" }];
    if (isCallbackStage(stage)) return [{ kind: "always-changed", why: "callback" }];
    const deps = [...(await depChanges(repo, stage, lock)), ...(await paramChanges(stage, lock))];
    if (deps.length > 0) return deps;
  }
  return outChanges(repo, stage, lock);
}

/**
 * Everything `dvc status` reports for a stage, without stopping at the first category (`Stage.status`): deps
 * and params (not for a frozen stage), outs, then "always changed" and a changed command.
 */
export async function stageStatusChanges(
  repo: DataRepo,
  stage: Stage,
  lock: LockEntry | undefined,
): Promise<StageChange[]> {
  const changes: StageChange[] = [];
  if (!stage.frozen)
    changes.push(...(await depChanges(repo, stage, lock)), ...(await paramChanges(stage, lock)));
  changes.push(...(await outChanges(repo, stage, lock)));
  if (stage.alwaysChanged) changes.push({ kind: "always-changed", why: "always_changed" });
  else if (isCallbackStage(stage)) changes.push({ kind: "always-changed", why: "callback" });
  if (lock !== undefined && !pyEquals(lockCmd(stage), lock.cmd)) changes.push({ kind: "cmd" });
  return changes;
}

async function depChanges(repo: DataRepo, stage: Stage, lock: LockEntry | undefined): Promise<StageChange[]> {
  const changes: StageChange[] = [];
  const locked = byPath(lock?.deps);
  for (const path of stage.deps) {
    const current = await summarizeIfExists(repo, join(stage.wdir, path));
    const recorded = locked.get(path);
    // DVC compares hash infos: with no recorded hash the dep reads as "modified", not "new".
    if (current === undefined) changes.push({ kind: "deps", path, status: "deleted" });
    else if (!(await matchesLock(repo, join(stage.wdir, path), current, recorded)))
      changes.push({ kind: "deps", path, status: "modified" });
  }
  return changes;
}

async function paramChanges(stage: Stage, lock: LockEntry | undefined): Promise<StageChange[]> {
  const changes: StageChange[] = [];
  for (const { file, keys } of stage.params) {
    const abs = join(stage.wdir, file);
    if (!existsSync(abs)) {
      changes.push({ kind: "params", file, status: "deleted" });
      continue;
    }
    const recorded = lock?.params[file];
    if (recorded === undefined) {
      changes.push({ kind: "params", file, status: "new" });
      continue;
    }
    const actual = selectParams(await loadParamsFile(abs), keys);
    const names = keys === "all" ? distinct([...Object.keys(actual), ...Object.keys(recorded)]) : keys;
    for (const key of names) {
      let status: ParamStatus | undefined;
      if (!(key in actual)) status = "deleted";
      else if (!(key in recorded)) status = "new";
      else if (!pyEquals(actual[key], recorded[key])) status = "modified";
      if (status !== undefined) changes.push({ kind: "params", file, key, status });
    }
  }
  return changes;
}

async function outChanges(repo: DataRepo, stage: Stage, lock: LockEntry | undefined): Promise<StageChange[]> {
  const changes: StageChange[] = [];
  const locked = byPath(lock?.outs);
  for (const out of stageOuts(stage)) {
    const recorded = locked.get(out.path);
    // "not in cache" comes first in DVC (`Output.status`): a cached out whose object is gone must be rebuilt.
    if (recorded?.md5 !== undefined && out.cache && !(await cacheHasAll(repo, recorded.md5))) {
      changes.push({ kind: "outs", path: out.path, status: "not in cache" });
      continue;
    }
    const current = await summarizeIfExists(repo, join(stage.wdir, out.path));
    if (current === undefined) changes.push({ kind: "outs", path: out.path, status: "deleted" });
    else if (recorded === undefined) changes.push({ kind: "outs", path: out.path, status: "modified" });
    else if (!(await matchesLock(repo, join(stage.wdir, out.path), current, recorded)))
      changes.push({ kind: "outs", path: out.path, status: "modified" });
  }
  return changes;
}

/** Whether a hashed path is what its lock entry records; DVC 2 entries (no `hash: md5`) by md5-dos2unix. */
async function matchesLock(
  repo: DataRepo,
  abs: string,
  current: PathSummary,
  recorded: LockFile | undefined,
): Promise<boolean> {
  if (recorded?.md5 === undefined) return false;
  if (recorded.md5 === current.md5) return true;
  const ctx = { root: repo.root, state: repo.state, ignore: repo.ignore };
  return (
    recorded.hash === undefined && (await matchesLegacyRecord(repo, abs, current.kind, recorded.md5, ctx))
  );
}

/** Hashes a workspace path through the state; undefined when it does not exist. */
export async function hashIfExists(repo: DataRepo, absPath: string): Promise<HashedPath | undefined> {
  return undefinedIfMissing(absPath, () =>
    hashPath(absPath, { root: repo.root, state: repo.state, ignore: repo.ignore }),
  );
}

/** `hashIfExists` without a directory's entries (hashPathSummary), for comparisons and lock records. */
export async function summarizeIfExists(repo: DataRepo, absPath: string): Promise<PathSummary | undefined> {
  return undefinedIfMissing(absPath, () =>
    hashPathSummary(absPath, {
      root: repo.root,
      state: repo.state,
      ignore: repo.ignore,
      ...(repo.workspaceSummaries !== undefined ? { summaries: repo.workspaceSummaries } : {}),
    }),
  );
}

async function undefinedIfMissing<T>(absPath: string, hash: () => Promise<T>): Promise<T | undefined> {
  if (!existsSync(absPath)) return undefined;
  try {
    return await hash();
  } catch (error) {
    if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") return undefined;
    throw error;
  }
}

/** A lock record for a hashed path, with DVC's fields. */
export function lockFileOf(path: string, hashed: PathSummary): LockFile {
  return {
    path,
    hash: "md5",
    md5: hashed.md5,
    size: hashed.size,
    ...(hashed.nfiles !== undefined ? { nfiles: hashed.nfiles } : {}),
    ...(hashed.isexec === true ? { isexec: true } : {}),
  };
}

/**
 * dvc's `_can_hash` (stage/cache.py), asked before a stage that is not forced runs, dry or not: whether the
 * run-cache may be consulted. On the way it hashes each dep, so a missing dep file is Python's
 * FileNotFoundError (`[Errno 2] ...`, the absolute path) and a param its file lacks is dvc's
 * MissingParamsError; a whole-file params dep that reads as empty (or is missing) ends the check instead.
 */
export async function canHashForRunCache(repo: DataRepo, stage: Stage, cwd: string): Promise<boolean> {
  if (stage.alwaysChanged || isCallbackStage(stage)) return false;
  if (
    stage.cmd.length === 0 ||
    stage.deps.length + stage.params.length === 0 ||
    stageOuts(stage).length === 0
  )
    return false;
  for (const path of stage.deps) {
    const abs = join(stage.wdir, path).replace(/(.)\/+$/, "$1");
    if ((await summarizeIfExists(repo, abs)) === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `stage '${stage.name}': [Errno 2] No such file or directory: '${abs}'`,
      );
    }
  }
  for (const { file, keys } of stage.params) {
    const abs = join(stage.wdir, file);
    // dvc reads a missing params file as empty (`read_params`), so its listed keys are what is missing.
    const values = existsSync(abs) ? selectParams(await loadParamsFile(abs), keys) : {};
    if (keys === "all") {
      if (Object.keys(values).length === 0) return false;
    } else throwIfParamsMissing(stage, keys, values, shownPath(abs, cwd));
  }
  return true;
}

/**
 * Hashes every dep, as dvc's `save_deps`: a missing one is its DependencyDoesNotExistError, named from the
 * cwd (dvc's `str(dep)`). It is what a stage meets when `canHashForRunCache` did not hash its deps (no outs,
 * always changed, forced) and after a run.
 */
export async function hashDeps(repo: DataRepo, stage: Stage, cwd: string = repo.root): Promise<LockFile[]> {
  const deps: LockFile[] = [];
  for (const path of stage.deps) {
    const abs = join(stage.wdir, path);
    const hashed = await summarizeIfExists(repo, abs);
    if (hashed === undefined) throw dependencyMissing(stage, shownPath(abs, cwd));
    deps.push(lockFileOf(path, hashed));
  }
  return deps;
}

/**
 * The params values dvc.lock records: per file, the listed keys (or the whole file). A missing file is
 * dvc's DependencyDoesNotExistError, a missing key its MissingParamsError, each naming the file from the cwd.
 */
export async function readStageParams(
  stage: Stage,
  cwd: string = repoRootOf(stage),
): Promise<Record<string, ParamsObject>> {
  const params: Record<string, ParamsObject> = {};
  for (const { file, keys } of stage.params) {
    const abs = join(stage.wdir, file);
    if (!existsSync(abs)) throw dependencyMissing(stage, shownPath(abs, cwd));
    const values = selectParams(await loadParamsFile(abs), keys);
    if (keys !== "all") throwIfParamsMissing(stage, keys, values, shownPath(abs, cwd));
    params[file] = { ...(params[file] ?? {}), ...values };
  }
  return params;
}

/** dvc's MissingParamsError; dvc lists the keys in a set's order, which varies run to run: ours is the stage's. */
function throwIfParamsMissing(
  stage: Stage,
  keys: readonly string[],
  values: ParamsObject,
  shown: string,
): void {
  const missing = keys.filter((key) => !(key in values));
  if (missing.length === 0) return;
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `stage '${stage.name}': Parameters '${missing.join(", ")}' are missing from '${shown}'.`,
  );
}

function dependencyMissing(stage: Stage, shown: string): FlowOpsError {
  return new FlowOpsError(
    "RESOURCE_DOES_NOT_EXIST",
    `stage '${stage.name}': dependency '${shown}' does not exist`,
  );
}

/** The repo root, from the stage's wdir and its path from the root. */
function repoRootOf(stage: Stage): string {
  const up = stage.relWdir.split("/").filter((part) => part !== "." && part !== "");
  return join(stage.wdir, ...up.map(() => ".."));
}

/** A workspace path as dvc's `str(output)` shows it: relative to the cwd. */
function shownPath(abs: string, cwd: string): string {
  return relative(cwd, abs).split("\\").join("/") || ".";
}

function byPath(files: readonly LockFile[] | undefined): Map<string, LockFile> {
  return new Map((files ?? []).map((file) => [file.path, file]));
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
