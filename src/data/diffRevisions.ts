/**
 * `diff [a_rev] [b_rev]`: what changed in tracked data between two Git revisions, or between a revision
 * (HEAD by default) and the workspace, in `dvc diff`'s JSON shape: `added`, `deleted`, `modified`,
 * `renamed` (a deleted and an added entry with the same hash) and, against the workspace only, `not in
 * cache`; paths are relative to the repo root, as DVC's are. A revision's `.dvc` files are read with `git show`,
 * its stages' outs from its dvc.yaml and dvc.lock files (data/stageOutsSnapshot.ts); directories are expanded through their cached
 * manifests (a directory whose manifest is not cached is compared as a whole). It never prints.
 */
import { noScmError } from "./noScm.js";
import { relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { childProcess } from "../childProcess.js";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { loadTrackedOuts, parseDvcFile, type DvcOut } from "./dvcFile.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { hashPath } from "./hashTree.js";
import { parseDvcFileYaml } from "./dvcFileErrors.js";
import { revisionStageOuts, workspaceDeclaredStageOuts } from "./stageOutsSnapshot.js";
import { parseYamlText } from "./yamlFile.js";

function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; maxBuffer?: number },
): Promise<{ stdout: string }> {
  return promisify(childProcess().execFile)(file, args, { ...options, encoding: "utf8" });
}

/** Tracked path (relative to the repo root, POSIX; directories end with `/`) -> hash. */
export type DataSnapshot = Map<string, Oid>;

export interface DiffEntry {
  path: string;
  hash?: string | { old: string; new: string };
}

export interface RenamedEntry {
  path: { old: string; new: string };
  hash?: string;
}

export interface DataDiff {
  added: DiffEntry[];
  deleted: DiffEntry[];
  modified: DiffEntry[];
  renamed: RenamedEntry[];
  /** Only when the new side is the workspace. */
  "not in cache"?: DiffEntry[];
}

export interface DiffOptions {
  /** Only paths equal to or under these (relative to the cwd). */
  targets?: readonly string[];
  showHash?: boolean;
  cwd?: string;
}

async function git(root: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd: root, maxBuffer: 1 << 30 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error).trim();
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `git ${args.join(" ")}: ${stderr}`, { cause: error });
  }
}

async function hasCommits(root: string): Promise<boolean> {
  try {
    const { stdout } = await run("git", ["rev-list", "-n", "1", "--all"], { cwd: root });
    return stdout.trim() !== "";
  } catch {
    // Not a Git repository (core.no_scm): revisions fail later with their own message.
    return true;
  }
}

async function revisionExists(root: string, rev: string): Promise<void> {
  try {
    await run("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { cwd: root });
  } catch {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `failed to get diff - unknown Git revision '${rev}'`);
  }
}

/** Adds an out's entries: the out itself and, for a directory with a cached manifest, each of its files. */
async function addOut(
  repo: DataRepo,
  snapshot: DataSnapshot,
  relOut: string,
  md5: Oid,
  entries?: { relpath: string; md5: Oid }[],
): Promise<void> {
  if (!isDirOid(md5)) {
    snapshot.set(relOut, md5);
    return;
  }
  snapshot.set(`${relOut}/`, md5);
  let files = entries;
  if (files === undefined && (await repo.cache.has(md5))) {
    try {
      files = await repo.cache.readDirManifest(md5);
    } catch {
      files = undefined;
    }
  }
  for (const file of files ?? []) snapshot.set(`${relOut}/${file.relpath}`, file.md5);
}

function outRelPath(dvcFileRel: string, doc: { wdir?: string }, out: DvcOut): string {
  const dir = dvcFileRel.includes("/") ? dvcFileRel.slice(0, dvcFileRel.lastIndexOf("/")) : "";
  return relative("/", resolve("/", dir, doc.wdir ?? ".", out.path))
    .split(sep)
    .join("/");
}

/** An out a revision records: its path (POSIX, relative to the root), md5 (none when never run) and isexec. */
export interface RevisionOut {
  path: string;
  md5: Oid | undefined;
  isexec: boolean;
  /** The `size` the `.dvc` file or dvc.lock records (a directory's total), when it does. */
  size?: number;
}

/** The outs of a Git revision's `.dvc` files, then those of its stages, with what they record. */
export async function revisionOuts(root: string, rev: string): Promise<RevisionOut[]> {
  await revisionExists(root, rev);
  const listing = await git(root, ["ls-tree", "-r", "-z", "--name-only", rev]);
  const outs: RevisionOut[] = [];
  for (const path of listing.split("\0")) {
    if (!path.endsWith(".dvc") || path === ".dvc" || path.startsWith(".dvc/")) continue;
    const text = await git(root, ["show", `${rev}:./${path}`]);
    const doc = parseDvcFile(parseDvcFileYaml(() => parseYamlText(`${rev}:${path}`, text)));
    for (const out of doc.outs) {
      if (out.md5 !== undefined) {
        outs.push({
          path: outRelPath(path, doc, out),
          md5: out.md5,
          isexec: out.isexec === true,
          ...sized(out.size),
        });
      }
    }
  }
  for (const out of await revisionStageOuts(root, rev)) {
    outs.push({ path: out.path, md5: out.md5, isexec: out.isexec === true, ...sized(out.size) });
  }
  return outs;
}

export function sized(size: unknown): { size?: number } {
  return typeof size === "number" ? { size } : {};
}

/** The tracked data recorded at a Git revision. */
export async function revisionSnapshot(repo: DataRepo, rev: string): Promise<DataSnapshot> {
  const snapshot: DataSnapshot = new Map();
  for (const out of await revisionOuts(repo.root, rev)) {
    if (out.md5 === undefined) snapshot.set(out.path, UNKNOWN_HASH);
    else await addOut(repo, snapshot, out.path, out.md5);
  }
  return snapshot;
}

/** A stage out declared at a revision whose stage has no dvc.lock entry there: listed, with no hash. */
const UNKNOWN_HASH = "";

/** The tracked data as it is in the workspace now (hashed through the state); missing outs are absent. */
export async function workspaceSnapshot(repo: DataRepo): Promise<DataSnapshot> {
  const snapshot: DataSnapshot = new Map();
  const pool = HashPool.shared();
  const outs = new Set((await loadTrackedOuts(repo)).map((tracked) => tracked.abs));
  // Through the workspace's dvc.lock files, as dvc's diff reads them: a damaged one fails the diff.
  for (const out of await workspaceDeclaredStageOuts(repo.root)) outs.add(out.abs);
  for (const abs of outs) {
    let hashed;
    try {
      hashed = await hashPath(abs, { root: repo.root, state: repo.state, ignore: repo.ignore, pool });
    } catch (error) {
      if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") continue;
      throw error;
    }
    const rel = relative(repo.root, abs).split(sep).join("/");
    await addOut(repo, snapshot, rel, hashed.md5, hashed.kind === "dir" ? hashed.entries : []);
  }
  repo.state.flush();
  return snapshot;
}

/** Compares two snapshots; each list sorted by path. */
export function compareSnapshots(
  a: DataSnapshot,
  b: DataSnapshot,
  options: { showHash?: boolean } = {},
): Omit<DataDiff, "not in cache"> {
  const show = (p: string): string => p;
  const withHash = options.showHash === true;
  const added: [string, Oid][] = [...b].filter(([p]) => !a.has(p));
  const deleted: [string, Oid][] = [...a].filter(([p]) => !b.has(p));
  const renamed: RenamedEntry[] = [];
  for (const [oldPath, hash] of [...deleted]) {
    if (hash === UNKNOWN_HASH) continue;
    const match = added.findIndex(([p, h]) => h === hash && p.endsWith("/") === oldPath.endsWith("/"));
    if (match < 0) continue;
    const [newPath] = added.splice(match, 1)[0] as [string, Oid];
    deleted.splice(
      deleted.findIndex(([p]) => p === oldPath),
      1,
    );
    renamed.push({ path: { old: show(oldPath), new: show(newPath) }, ...(withHash ? { hash } : {}) });
  }
  const entry = ([p, h]: [string, Oid]): DiffEntry => ({ path: show(p), ...(withHash ? { hash: h } : {}) });
  const modified = [...a]
    .filter(([p, h]) => b.has(p) && b.get(p) !== h)
    .map(([p, h]) => ({ path: show(p), ...(withHash ? { hash: { old: h, new: b.get(p) as Oid } } : {}) }));
  const byPath = <T extends { path: unknown }>(x: T, y: T): number => {
    const key = (e: T): string => (typeof e.path === "string" ? e.path : (e.path as { old: string }).old);
    return key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;
  };
  return {
    added: added.map(entry).sort(byPath),
    deleted: deleted.map(entry).sort(byPath),
    modified: modified.sort(byPath),
    renamed: renamed.sort(byPath),
  };
}

function underTargets(snapshot: DataSnapshot, targets: readonly string[]): DataSnapshot {
  if (targets.length === 0) return snapshot;
  return new Map(
    [...snapshot].filter(([p]) =>
      targets.some((t) => {
        const bare = p.endsWith("/") ? p.slice(0, -1) : p;
        return bare === t || bare.startsWith(`${t}/`);
      }),
    ),
  );
}

/**
 * `dvc diff`: `aRev` defaults to HEAD and `bRev` to the workspace. No changes at all gives `{}` in DVC's
 * JSON; callers check `isEmptyDiff`.
 */
export async function diffRevisions(
  repo: DataRepo,
  aRev = "HEAD",
  bRev?: string,
  options: DiffOptions = {},
): Promise<DataDiff> {
  if (!repo.scm) throw noScmError("failed to get diff - ");
  // As dvc's `diff`: before the first commit there is nothing to compare with, whatever the revisions say.
  if (!(await hasCommits(repo.root))) return { added: [], deleted: [], modified: [], renamed: [] };
  const cwd = options.cwd ?? process.cwd();
  const targets = (options.targets ?? []).map((t) =>
    relative(repo.root, resolve(cwd, t)).split(sep).join("/"),
  );
  const a = underTargets(await revisionSnapshot(repo, aRev), targets);
  const b = underTargets(
    bRev === undefined ? await workspaceSnapshot(repo) : await revisionSnapshot(repo, bRev),
    targets,
  );
  // Unlike status, dvc diff names paths relative to the repo root whatever the cwd.
  const diff: DataDiff = compareSnapshots(
    a,
    b,
    options.showHash !== undefined ? { showHash: options.showHash } : {},
  );
  if (bRev === undefined) {
    const missing: DiffEntry[] = [];
    for (const [p, h] of a) {
      if (h !== UNKNOWN_HASH && !(await repo.cache.has(h)))
        missing.push({ path: p, ...(options.showHash === true ? { hash: h } : {}) });
    }
    diff["not in cache"] = missing.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  }
  return diff;
}

export function isEmptyDiff(diff: DataDiff): boolean {
  return Object.values(diff).every((list: unknown[]) => list.length === 0);
}

/** `dvc diff` text: sections with indented paths, then the files summary. */
export function formatDiff(diff: DataDiff): string {
  if (isEmptyDiff(diff)) return "";
  const short = (h: string): string => h.slice(0, 8);
  const sections: string[] = [];
  const section = (title: string, lines: string[]): void => {
    if (lines.length > 0) sections.push(`${title}:\n${lines.map((l) => `    ${l}\n`).join("")}`);
  };
  const plain = (e: DiffEntry): string =>
    typeof e.hash === "string" ? `${short(e.hash)}  ${e.path}` : e.path;
  section("Added", diff.added.map(plain));
  section("Deleted", diff.deleted.map(plain));
  section(
    "Renamed",
    diff.renamed.map(
      (e) => `${e.hash !== undefined ? `${short(e.hash)}  ` : ""}${e.path.old} -> ${e.path.new}`,
    ),
  );
  section(
    "Modified",
    diff.modified.map((e) =>
      typeof e.hash === "object" ? `${short(e.hash.old)}..${short(e.hash.new)}  ${e.path}` : e.path,
    ),
  );
  section("Not in cache", (diff["not in cache"] ?? []).map(plain));
  // DVC counts files only: a directory's own entry (`d/`) is not in the summary.
  const files = (list: { path: unknown }[]): number =>
    list.filter((e) => typeof e.path !== "string" || !e.path.endsWith("/")).length;
  const counts = [
    [files(diff.added), "added"],
    [files(diff.deleted), "deleted"],
    [files(diff.renamed), "renamed"],
    [files(diff.modified), "modified"],
    [files(diff["not in cache"] ?? []), "not in cache"],
  ].filter(([n]) => (n as number) > 0);
  // As dvc: every section ends with a blank line; with no file counted (only directories, whose manifests are
  // not in the cache) there is no summary line.
  const body = `${sections.join("\n")}\n`;
  if (counts.length === 0) return body;
  return `${body}files summary: ${counts.map(([n, what]) => `${String(n)} ${String(what)}`).join(", ")}\n`;
}

/** dvc diff's `--md` rows: status, (hash,) path, in dvc's order of statuses. */
export function diffTableRows(diff: DataDiff, showHash: boolean): { header: string[]; rows: string[][] } {
  const short = (hash: DiffEntry["hash"]): string =>
    hash === undefined
      ? ""
      : typeof hash === "string"
        ? hash.slice(0, 8)
        : `${hash.old.slice(0, 8)}..${hash.new.slice(0, 8)}`;
  const rows: string[][] = [];
  const statuses: [string, (DiffEntry | RenamedEntry)[]][] = [
    ["added", diff.added],
    ["deleted", diff.deleted],
    ["renamed", diff.renamed],
    ["modified", diff.modified],
    ["not in cache", diff["not in cache"] ?? []],
  ];
  for (const [status, entries] of statuses) {
    for (const entry of entries) {
      const path = typeof entry.path === "string" ? entry.path : `${entry.path.old} -> ${entry.path.new}`;
      rows.push(showHash ? [status, short(entry.hash as DiffEntry["hash"]), path] : [status, path]);
    }
  }
  return { header: showHash ? ["Status", "Hash", "Path"] : ["Status", "Path"], rows };
}
