/**
 * `.dvc` files: the YAML stage DVC writes for `dvc add`. Reading validates each out and names the file,
 * line and field that is wrong; serializing writes the bytes `dvc add` writes (checked against dvc 3.67.1):
 * out keys in the order md5, size, nfiles, isexec, hash, path, then any other keys as they were read, so a
 * re-add keeps `remote:`, `desc:` and the like. It must not hash or touch the workspace.
 */
import { readdir } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { GitIgnoreMatcher } from "../pipelines/gitIgnoreMatcher.js";
import { isOid } from "./hashInfo.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { malformedFile, readYamlFile, type YamlFile } from "./yamlFile.js";
import { dvcFileSyntaxError, placedProblem, validateDvcFile } from "./dvcFileErrors.js";
import { stringifyLikeRuamel, updateDvcFileText } from "./dvcFileUpdate.js";

export interface DvcOut {
  /** POSIX, relative to the .dvc file's wdir. */
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
  /** "md5" for DVC 3 entries; absent for DVC 2 (legacy md5-dos2unix) entries. */
  hash?: "md5";
  cache?: boolean;
  remote?: string;
  push?: boolean;
  persist?: boolean;
  desc?: string;
  [key: string]: unknown;
}

export interface DvcFileDoc {
  /** Where the file lives (absolute, or as given). */
  path: string;
  outs: DvcOut[];
  deps?: unknown[];
  /** Relative to the .dvc file's directory; "." by default. */
  wdir?: string;
  md5?: string;
  /** Every top-level key as read, so a rewrite keeps keys this module does not know. */
  raw: Record<string, unknown>;
  /** The file's text when read from disk: a rewrite applies its changes to it, keeping comments (as dvc). */
  text?: string;
}

export const DVC_FILE_SUFFIX = ".dvc";

/** The out keys DVC emits first, in its order (`Output.dumpd`); everything else follows as read. */
const OUT_KEY_ORDER = ["md5", "size", "nfiles", "isexec", "hash", "path"] as const;
/** Top-level keys in DVC's order (`serialize.to_single_stage_file`); unknown keys follow. */
const DOC_KEY_ORDER = ["md5", "frozen", "deps", "outs", "wdir"] as const;

/**
 * The keys dvc's schema allows (dvc/schema.py SINGLE_STAGE_SCHEMA and dvc/output.py SCHEMA, 3.67.1): dvc
 * refuses any other as "extra keys not allowed", so a typo such as `remtoe:` is not silently ignored.
 */
const ALLOWED_DOC_KEYS: ReadonlySet<string> = new Set([
  "md5",
  "wdir",
  "deps",
  "outs",
  "locked",
  "frozen",
  "meta",
  "always_changed",
  "desc",
]);
const ALLOWED_OUT_KEYS: ReadonlySet<string> = new Set([
  "path",
  "md5",
  "etag",
  "checksum",
  "size",
  "nfiles",
  "isexec",
  "hash",
  "cache",
  "remote",
  "push",
  "persist",
  "desc",
  "type",
  "labels",
  "meta",
  "cloud",
  "files",
  "fs_config",
  "version_id",
]);

/** Reads and checks a `.dvc` file of the repository at `root` (absolute), whose outs must lie inside it. */
export async function readDvcFile(path: string, root: string): Promise<DvcFileDoc> {
  const file = await readYamlFile(path).catch((error: unknown) => {
    throw dvcFileSyntaxError(error);
  });
  return { ...parseDvcFile(file, root), ...(file.text !== undefined ? { text: file.text } : {}) };
}

/**
 * Checks a `.dvc` file's fields, which fail as dvc's schema does (dvcFileErrors.ts). With the repository's
 * `root` (and the file's absolute path), an out outside the repository is an error too: DVC 3 cannot check
 * such an out out either, and writing it would let a committed `.dvc` file overwrite any file its user can write.
 */
export function parseDvcFile(file: YamlFile, root?: string): DvcFileDoc {
  const doc = validateDvcFile(() => dvcFileFields(file));
  if (root !== undefined) {
    const outsWdir = resolve(dvcFileWdir(file.path, doc));
    doc.outs.forEach((out, index) => {
      if (!isInsideRepository(resolve(outsWdir, out.path), root)) {
        throw malformedFile(
          file.path,
          file.lineOf(["outs", index, "path"]),
          `outs[${index}].path '${out.path}' is outside the repository (${root})`,
        );
      }
    });
  }
  return doc;
}

/** A schema problem at `keyPath` of `file`, placed as dvc places it. */
function invalid(file: YamlFile, keyPath: readonly (string | number)[], message: string): FlowOpsError {
  return malformedFile(file.path, file.lineOf(keyPath), placedProblem(file, keyPath, message));
}

function dvcFileFields(file: YamlFile): DvcFileDoc {
  const { path, value } = file;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(file, [], "expected a mapping with an 'outs' list");
  }
  const raw = value as Record<string, unknown>;
  const extra = Object.keys(raw).find((key) => !ALLOWED_DOC_KEYS.has(key));
  if (extra !== undefined) throw invalid(file, [extra], `extra keys not allowed, in ${extra}`);
  const outsValue = raw.outs;
  if (!Array.isArray(outsValue) || outsValue.length === 0) {
    throw invalid(file, ["outs"], "'outs' must be a non-empty list");
  }
  const outs = outsValue.map((item, index) => parseOut(file, item, index));
  const wdir = raw.wdir;
  if (wdir !== undefined && typeof wdir !== "string")
    throw invalid(file, ["wdir"], "'wdir' must be a string");
  const md5 = raw.md5;
  if (md5 !== undefined && typeof md5 !== "string") throw invalid(file, ["md5"], "'md5' must be a string");
  const deps = raw.deps;
  if (deps !== undefined && !Array.isArray(deps)) throw invalid(file, ["deps"], "'deps' must be a list");
  return {
    path,
    outs,
    raw,
    ...(wdir !== undefined ? { wdir } : {}),
    ...(md5 !== undefined ? { md5 } : {}),
    ...(deps !== undefined ? { deps } : {}),
  };
}

function parseOut(file: YamlFile, item: unknown, index: number): DvcOut {
  const at = (key?: string): (string | number)[] =>
    key === undefined ? ["outs", index] : ["outs", index, key];
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    throw invalid(file, at(), `outs[${index}] must be a mapping`);
  }
  const out = item as Record<string, unknown>;
  const extra = Object.keys(out).find((key) => !ALLOWED_OUT_KEYS.has(key));
  if (extra !== undefined) {
    throw invalid(file, at(extra), `extra keys not allowed, in outs -> ${index} -> ${extra}`);
  }
  const fail = (key: string, expected: string): never => {
    throw invalid(file, at(key), `outs[${index}].${key} must be ${expected}, got ${describeValue(out[key])}`);
  };
  if (typeof out.path !== "string" || out.path === "") fail("path", "a non-empty string");
  if (out.md5 !== undefined && (typeof out.md5 !== "string" || !isOid(out.md5)))
    fail("md5", "an md5 hex digest");
  for (const key of ["size", "nfiles"]) {
    const v = out[key];
    if (v !== undefined && v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      fail(key, "a non-negative integer");
    }
  }
  for (const key of ["isexec", "cache", "push", "persist"]) {
    if (out[key] !== undefined && typeof out[key] !== "boolean") fail(key, "true or false");
  }
  if (out.hash !== undefined && out.hash !== "md5") fail("hash", "'md5'");
  if (out.remote !== undefined && typeof out.remote !== "string") fail("remote", "a remote name");
  const result = { ...out } as DvcOut;
  // `size: null` appears in hand-written files; treat it as unknown rather than carrying null around.
  if (result.size === null) delete result.size;
  if (result.nfiles === null) delete result.nfiles;
  return result;
}

/** A value as read, for messages; JSON would show a number too large for a double (1e400) as `null`. */
function describeValue(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return `${value} (a number too large)`;
  return JSON.stringify(value);
}

/** An out in DVC's key order; absent/undefined optional fields are left out. */
export function orderedOut(out: DvcOut): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of OUT_KEY_ORDER) if (out[key] !== undefined) ordered[key] = out[key];
  for (const [key, value] of Object.entries(out)) {
    if (!(OUT_KEY_ORDER as readonly string[]).includes(key) && value !== undefined) ordered[key] = value;
  }
  return ordered;
}

/**
 * The file's bytes as `dvc add` writes them (ruamel: block style, sequences not indented under their key); over
 * the old text when there is one, as dvc does, so its comments and layout stay.
 */
export function serializeDvcFile(doc: DvcFileUpdate): string {
  const merged: Record<string, unknown> = { ...doc.raw };
  merged.outs = doc.outs.map(orderedOut);
  if (doc.wdir !== undefined) merged.wdir = doc.wdir;
  if (doc.md5 !== undefined) merged.md5 = doc.md5;
  const ordered: Record<string, unknown> = {};
  for (const key of DOC_KEY_ORDER) if (merged[key] !== undefined) ordered[key] = merged[key];
  for (const [key, value] of Object.entries(merged)) {
    if (!(DOC_KEY_ORDER as readonly string[]).includes(key) && value !== undefined) ordered[key] = value;
  }
  if (doc.text !== undefined) return updateDvcFileText(doc.text, ordered);
  return stringifyLikeRuamel(ordered);
}

export type DvcFileUpdate = Pick<DvcFileDoc, "outs"> &
  Partial<Pick<DvcFileDoc, "raw" | "wdir" | "md5" | "text">>;

export async function writeDvcFile(path: string, doc: DvcFileUpdate): Promise<void> {
  await writeFileAtomic(path, serializeDvcFile(doc));
}

/** The directory outs of this file are relative to. */
export function dvcFileWdir(dvcFilePath: string, doc: Pick<DvcFileDoc, "wdir">): string {
  return join(dvcFilePath, "..", doc.wdir ?? ".");
}

/**
 * Every `*.dvc` file in the workspace (absolute paths, sorted), skipping `.dvc/`, `.git/` and what the repo's
 * .dvcignore rejects (DVC skips ignored directories the same way). Also skips directories whose walk fails
 * with EACCES, as DVC's walk does, instead of failing the whole command.
 */
export async function findDvcFiles(repo: WalkedRepo): Promise<string[]> {
  const found: string[] = [];
  await walkDvcFiles(repo, (file) => {
    found.push(file);
    return [];
  });
  return found.sort();
}

export interface WalkedRepo {
  root: string;
  ignore?: { ignores(relPosixPath: string, isDir: boolean): boolean };
  /** False when the repo is not in Git for DVC (`core.no_scm`); unknown is judged by a `.git` at the root. */
  scm?: boolean;
  /**
   * Git's rules when the caller already holds them (gitIgnoreOf), so a walk right after a check does not
   * read them again; a matcher keeps what it read, so it is shared only while nothing writes a `.gitignore`.
   */
  gitIgnore?: GitIgnoreMatcher | undefined;
}

/**
 * Calls `found` for each `*.dvc` file, a directory's files before its subdirectories; `found` answers with
 * the absolute paths of the file's outs, which are not entered: like DVC's `collect_files`, the walk does not
 * descend into tracked outputs, which is most of a workspace's files.
 */
function walkDvcFiles(
  repo: WalkedRepo,
  found: (dvcFile: string) => Promise<string[]> | string[],
): Promise<void> {
  return walkWorkspaceFiles(repo, (name) => name.endsWith(DVC_FILE_SUFFIX), found);
}

/**
 * DVC's `collect_files` walk, for any kind of file that declares outputs (`*.dvc`, `dvc.yaml`): calls `found`
 * for each file whose name `wanted` accepts, a directory's files before its subdirectories, and does not
 * enter the outputs `found` answers with (absolute paths), nor `.git/`, `.dvc/`, .dvcignored directories or
 * directories it may not read.
 */
export async function walkWorkspaceFiles(
  repo: WalkedRepo,
  wanted: (fileName: string) => boolean,
  found: (abs: string) => Promise<string[]> | string[],
): Promise<void> {
  const skip = (abs: string, isDir: boolean): boolean =>
    repo.ignore?.ignores(relative(repo.root, abs).split(sep).join("/"), isDir) ?? false;
  const outs = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EACCES") return;
      throw error;
    }
    const subdirs: string[] = [];
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name !== ".git" && entry.name !== ".dvc") subdirs.push(join(dir, entry.name));
      } else if (entry.isFile() && wanted(entry.name)) {
        const abs = join(dir, entry.name);
        if (!skip(abs, false)) for (const out of await found(abs)) outs.add(out);
      }
    }
    for (const subdir of subdirs) if (!outs.has(subdir) && !skip(subdir, true)) await walk(subdir);
  };
  await walk(repo.root);
}

/** One out of one `.dvc` file, with its absolute workspace path. */
export interface TrackedOut {
  dvcFile: string;
  doc: DvcFileDoc;
  out: DvcOut;
  /** The out's index in `doc.outs`. */
  index: number;
  abs: string;
}

/** Every out of every `.dvc` file in the workspace, in file order. */
export async function loadTrackedOuts(repo: WalkedRepo): Promise<TrackedOut[]> {
  const byFile = new Map<string, TrackedOut[]>();
  await walkDvcFiles(repo, async (dvcFile) => {
    const doc = await readDvcFile(dvcFile, repo.root);
    const wdir = dvcFileWdir(dvcFile, doc);
    const outs = doc.outs.map((out, index) => ({ dvcFile, doc, out, index, abs: resolve(wdir, out.path) }));
    byFile.set(dvcFile, outs);
    return outs.map((tracked) => tracked.abs);
  });
  return [...byFile.keys()].sort().flatMap((file) => byFile.get(file)!);
}

/** True when `inner` is `outer` or lies inside it. */
export function isSameOrInside(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : `${outer}${sep}`);
}

/** True when `abs` lies inside the repository `root` and is not the root itself: where an out may be. */
export function isInsideRepository(abs: string, root: string): boolean {
  return abs !== root && isSameOrInside(abs, root);
}

/**
 * The outs that `targets` name, as `dvc status`/`dvc checkout` resolve them: a `.dvc` file selects its outs,
 * a path selects the out it equals or lies inside. No targets: every out. A target that names nothing is an
 * error naming it.
 */
export function selectTrackedOuts(
  tracked: readonly TrackedOut[],
  targets: readonly string[],
  cwd: string,
): TrackedOut[] {
  if (targets.length === 0) return [...tracked];
  const selected = new Set<TrackedOut>();
  for (const target of targets) {
    const abs = resolve(cwd, target);
    const matches = tracked.filter((t) => t.dvcFile === abs || isSameOrInside(abs, t.abs));
    if (matches.length === 0) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `'${target}' does not exist as an output or a .dvc file`,
      );
    }
    matches.forEach((m) => selected.add(m));
  }
  return tracked.filter((t) => selected.has(t));
}
