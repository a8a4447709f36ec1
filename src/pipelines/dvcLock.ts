/**
 * `dvc.lock` (schema 2.0): reading with file:line errors and writing the bytes DVC 3 writes
 * (`to_single_stage_lockfile` in dvc/stage/serialize.py, dumped by ruamel): per stage `cmd, deps, params,
 * outs`; deps and outs sorted by path, each `path, hash, md5, size, nfiles, isexec`; params with params.yaml
 * first, then the other files alphabetically, keys sorted (top level only). Existing stages keep their place
 * and new ones are appended, as DVC's `dict.update` does. Writes are atomic.
 */
import { writeFileAtomic } from "../writeFileAtomic.js";
import { dirname, join } from "node:path";
import { FlowOpsError } from "../errors.js";
import { isOid } from "../data/hashInfo.js";
import { malformedFile, type YamlFile } from "../data/yamlFile.js";
import { parseDvcFileYaml, placedProblem, validateDvcFile } from "../data/dvcFileErrors.js";
import { DEFAULT_PARAMS_FILE } from "./paramsFile.js";
import { isPlainObject, parsePythonYaml, type PyValue } from "./pythonValues.js";
import { dumpRuamelYaml } from "./ruamelYaml.js";
import type { Stage } from "./dvcYaml.js";
import { readUtf8File } from "../data/utf8Text.js";

export const LOCK_FILE = "dvc.lock";

export interface LockFile {
  /** Relative to the stage's wdir, as written in dvc.yaml. */
  path: string;
  /** `md5` for DVC 3 entries; absent for legacy (DVC 2) entries. */
  hash?: "md5";
  md5?: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
  /** Other keys DVC may write (cloud `version_id`, `etag`, dataset fields) are kept as read. */
  extra?: Record<string, PyValue>;
}

export interface LockEntry {
  /** A string or a list, in the shape dvc.yaml used. */
  cmd: string | string[];
  deps: LockFile[];
  /** `{file: {key: value}}`; values are whole subtrees for `file:` (all) params. */
  params: Record<string, Record<string, PyValue>>;
  outs: LockFile[];
}

export interface Lock {
  /** Stage name -> entry, in file order. */
  stages: Map<string, LockEntry>;
  /** Top-level `datasets`, kept as read. */
  datasets?: PyValue;
}

const FILE_KEYS = ["path", "hash", "md5", "size", "nfiles", "isexec"] as const;

export function emptyLock(): Lock {
  return { stages: new Map() };
}

/** The `cmd` DVC records for a stage: a string when dvc.yaml has a string. */
export function lockCmd(stage: Pick<Stage, "cmd" | "cmdIsString">): string | string[] {
  return stage.cmdIsString ? (stage.cmd[0] ?? "") : [...stage.cmd];
}

/** The directory whose dvc.lock holds `stage`'s entry: the one of its dvc.yaml. */
export function stageLockDir(stage: Pick<Stage, "pipelineFile">): string {
  return dirname(stage.pipelineFile);
}

/**
 * Each stage's entry in the dvc.lock beside its dvc.yaml, keyed by the stage's address (`Stage.name`);
 * every lock file is read once. Stages without an entry are absent.
 */
export async function readStageLocks(
  stages: readonly Pick<Stage, "name" | "lockName" | "pipelineFile">[],
): Promise<Map<string, LockEntry>> {
  const dirs = [...new Set(stages.map(stageLockDir))];
  const locks = new Map(await Promise.all(dirs.map(async (dir) => [dir, await readLock(dir)] as const)));
  const entries = new Map<string, LockEntry>();
  for (const stage of stages) {
    const entry = locks.get(stageLockDir(stage))?.stages.get(stage.lockName);
    if (entry !== undefined) entries.set(stage.name, entry);
  }
  return entries;
}

/** Reads `<root>/dvc.lock`; a missing file is an empty lock, an empty file an error (parseLock). */
export async function readLock(root: string): Promise<Lock> {
  const file = join(root, LOCK_FILE);
  let text: string;
  try {
    text = await readUtf8File(file);
  } catch (error) {
    if (error instanceof FlowOpsError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyLock();
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${file}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
  return parseLock(file, text);
}

/** dvc's voluptuous wording for a lock without `schema: '2.0'`. */
const MISSING_SCHEMA = "required key not provided @ data['schema'] (expected schema: '2.0')";

/** dvc.lock's text as a Lock; what is not YAML, or not a lock, fails as dvc's error for it (dvcFileErrors.ts). */
export function parseLock(file: string, text: string): Lock {
  const yaml = parseDvcFileYaml(() => parsePythonYaml(file, text));
  return validateDvcFile(() => lockOf(file, yaml));
}

function lockOf(file: string, yaml: YamlFile): Lock {
  const fail = (path: (string | number)[], message: string): FlowOpsError =>
    malformedFile(file, yaml.lineOf(path), placedProblem(yaml, path, message));
  const doc = yaml.value;
  // An empty (or whitespace-only) dvc.lock is no lock to dvc but a lock without its required `schema`: every
  // command that reads it fails (dvc 3.67.1: "required key not provided"), rather than rerunning every stage.
  if (doc === undefined) throw fail([], MISSING_SCHEMA);
  if (!isPlainObject(doc)) throw fail([], "expected a mapping");
  for (const key of Object.keys(doc)) {
    if (!["schema", "stages", "datasets"].includes(key)) throw fail([key], `extra key '${key}' not allowed`);
  }
  if (!("schema" in doc)) throw fail([], MISSING_SCHEMA);
  if (doc.schema !== "2.0") throw fail(["schema"], `invalid schema version (expected '2.0')`);
  const lock: Lock = emptyLock();
  if (doc.datasets !== undefined) lock.datasets = doc.datasets as PyValue;
  const stages = doc.stages ?? {};
  if (!isPlainObject(stages)) throw fail(["stages"], "'stages' must be a mapping");
  for (const [name, raw] of Object.entries(stages)) {
    const at = (...rest: (string | number)[]): (string | number)[] => ["stages", name, ...rest];
    if (!isPlainObject(raw)) throw fail(at(), `stage '${name}' must be a mapping`);
    for (const key of Object.keys(raw)) {
      if (!["cmd", "deps", "params", "outs"].includes(key)) {
        throw fail(at(key), `stage '${name}': extra key '${key}' not allowed`);
      }
    }
    const cmd = raw.cmd;
    if (typeof cmd !== "string" && !(Array.isArray(cmd) && cmd.every((c) => typeof c === "string"))) {
      throw fail(at("cmd"), `stage '${name}': cmd must be a string or a list of strings`);
    }
    const params: LockEntry["params"] = {};
    const rawParams = raw.params ?? {};
    if (!isPlainObject(rawParams)) throw fail(at("params"), `stage '${name}': params must be a mapping`);
    for (const [paramsFile, values] of Object.entries(rawParams)) {
      if (!isPlainObject(values)) {
        throw fail(at("params", paramsFile), `stage '${name}': params of '${paramsFile}' must be a mapping`);
      }
      params[paramsFile] = values as Record<string, PyValue>;
    }
    lock.stages.set(name, {
      cmd: cmd as string | string[],
      deps: parseFiles(raw.deps, name, "deps", fail, at),
      params,
      outs: parseFiles(raw.outs, name, "outs", fail, at),
    });
  }
  return lock;
}

function parseFiles(
  raw: unknown,
  name: string,
  key: string,
  fail: (path: (string | number)[], message: string) => FlowOpsError,
  at: (...rest: (string | number)[]) => (string | number)[],
): LockFile[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw fail(at(key), `stage '${name}': ${key} must be a list`);
  return raw.map((item: unknown, index) => {
    if (!isPlainObject(item) || typeof item.path !== "string") {
      throw fail(at(key, index), `stage '${name}': ${key}[${index}] needs a 'path'`);
    }
    const entry: LockFile = { path: item.path };
    const bad = (field: string): FlowOpsError =>
      fail(at(key, index, field), `stage '${name}': ${key}[${index}].${field} has the wrong type`);
    if (item.hash !== undefined) {
      if (item.hash !== "md5") throw bad("hash");
      entry.hash = "md5";
    }
    if (item.md5 !== undefined) {
      if (typeof item.md5 !== "string") throw bad("md5");
      // An out's md5 names a cache object; a damaged one (cut short, say) would otherwise fail later in the
      // cache without naming the lock. A dep's md5 is only compared, so a damaged one reads as "modified".
      if (key === "outs" && !isOid(item.md5)) {
        throw fail(
          at(key, index, "md5"),
          `stage '${name}': ${key}[${index}].md5 must be an md5 hex digest, got ${JSON.stringify(item.md5)}`,
        );
      }
      entry.md5 = item.md5;
    }
    if (item.size !== undefined) {
      if (typeof item.size !== "number") throw bad("size");
      entry.size = item.size;
    }
    if (item.nfiles !== undefined) {
      if (typeof item.nfiles !== "number") throw bad("nfiles");
      entry.nfiles = item.nfiles;
    }
    if (item.isexec !== undefined) {
      if (typeof item.isexec !== "boolean") throw bad("isexec");
      entry.isexec = item.isexec;
    }
    const extra = Object.fromEntries(
      Object.entries(item).filter(([k]) => !(FILE_KEYS as readonly string[]).includes(k)),
    ) as Record<string, PyValue>;
    if (Object.keys(extra).length > 0) entry.extra = extra;
    return entry;
  });
}

const byPath = (a: LockFile, b: LockFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function fileToYaml(file: LockFile): Record<string, unknown> {
  const out: Record<string, unknown> = { path: file.path };
  if (file.hash !== undefined) out.hash = file.hash;
  if (file.md5 !== undefined) out.md5 = file.md5;
  if (file.size !== undefined) out.size = file.size;
  if (file.nfiles !== undefined) out.nfiles = file.nfiles;
  if (file.isexec === true) out.isexec = true;
  return { ...out, ...file.extra };
}

/** The lock entry as DVC orders it. */
export function lockEntryToYaml(entry: LockEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { cmd: entry.cmd };
  if (entry.deps.length > 0) out.deps = [...entry.deps].sort(byPath).map(fileToYaml);
  const files = Object.keys(entry.params).sort((a, b) =>
    a === DEFAULT_PARAMS_FILE ? -1 : b === DEFAULT_PARAMS_FILE ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  if (files.length > 0) {
    const params: Record<string, unknown> = {};
    for (const file of files) {
      const values = entry.params[file] ?? {};
      params[file] = Object.fromEntries(
        Object.keys(values)
          .sort()
          .map((k) => [k, values[k]]),
      );
    }
    out.params = params;
  }
  if (entry.outs.length > 0) out.outs = [...entry.outs].sort(byPath).map(fileToYaml);
  return out;
}

/** The exact text `dvc repro` writes for this lock. */
export function serializeLock(lock: Lock): string {
  const doc: Record<string, unknown> = { schema: "2.0" };
  if (lock.datasets !== undefined) doc.datasets = lock.datasets;
  const stages: Record<string, unknown> = {};
  for (const [name, entry] of lock.stages) stages[name] = lockEntryToYaml(entry);
  doc.stages = stages;
  return dumpRuamelYaml(doc);
}

/** Writes `<root>/dvc.lock` atomically (temp file beside it, then rename). */
export async function writeLock(root: string, lock: Lock): Promise<void> {
  await writeFileAtomic(join(root, LOCK_FILE), serializeLock(lock));
}

const pending = new Map<string, Promise<unknown>>();

/**
 * Read-modify-write of dvc.lock, serialized per file within this process so that stages finishing at the
 * same time never drop each other's entries.
 */
export async function updateLock(root: string, mutate: (lock: Lock) => void): Promise<Lock> {
  const key = join(root, LOCK_FILE);
  const previous = pending.get(key) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(async () => {
      const lock = await readLock(root);
      mutate(lock);
      await writeLock(root, lock);
      return lock;
    });
  pending.set(key, next);
  try {
    return await next;
  } finally {
    if (pending.get(key) === next) pending.delete(key);
  }
}
