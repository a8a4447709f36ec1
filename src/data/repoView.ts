/**
 * A repository as `dvc get` sees it (dvc's DVCFileSystem): the union of its plain files and its DVC outputs.
 * Without a revision the plain files are the workspace's, every file there (Git-tracked or not), and a file
 * present in the workspace is taken from it even when it belongs to an out, edited or not: dvc reads the
 * working tree first. At a revision they are the Git tree's, and outs come from the cache or a remote. Either
 * way `.dvc` files, `dvc.yaml` files and `.dvcignore` files are hidden, as are `.git/`, `.dvc/` and what
 * `.dvcignore` ignores. A file listed by a directory's manifest but gone from the workspace still shows, from
 * the cache: dvc merges the two listings.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { execFileText } from "../childProcess.js";
import type { DataRepo } from "./dataRepo.js";
import { revisionOuts, sized, type RevisionOut } from "./diffRevisions.js";
import { loadTrackedOuts } from "./dvcFile.js";
import { isDirOid, type DirEntry, type Oid } from "./hashInfo.js";
import { workspaceDeclaredStageOuts } from "./stageOutsSnapshot.js";

/** Where a file of the view is read from. */
export type ViewSource =
  | { kind: "workspace"; abs: string }
  | { kind: "git"; rev: string; path: string }
  | { kind: "object"; oid: Oid; out: string };

export interface ViewFile {
  /** POSIX, relative to the repository root. */
  path: string;
  source: ViewSource;
  isexec: boolean;
}

/** The manifest of a directory out; throws, saying why, when neither the cache nor a remote has it. */
export type ManifestReader = (oid: Oid, outPath: string) => Promise<DirEntry[]>;

/** dvc's `_is_dvc_file`: names the view never shows. dvc.lock is not one of them. */
export function hiddenFromView(name: string): boolean {
  return name.endsWith(".dvc") || name === "dvc.yaml" || name === ".dvcignore";
}

function isAtOrUnder(path: string, dir: string): boolean {
  return dir === "." || path === dir || path.startsWith(`${dir}/`);
}

/** The repository a view shows: its root and its `.dvcignore` rules. */
export type ViewedRepo = Pick<DataRepo, "root" | "ignore">;

/** The outs a view holds: the workspace's `.dvc` files and dvc.lock, or a revision's. */
export async function repoOuts(repo: DataRepo, rev: string | undefined): Promise<RevisionOut[]> {
  if (rev !== undefined) return revisionOuts(repo.root, rev);
  const outs: RevisionOut[] = (await loadTrackedOuts(repo)).map((tracked) => ({
    path: posixRelative(repo.root, tracked.abs),
    md5: tracked.out.md5,
    isexec: tracked.out.isexec === true,
    ...sized(tracked.out.size),
  }));
  for (const out of await workspaceDeclaredStageOuts(repo.root)) {
    outs.push({ path: out.path, md5: out.md5, isexec: out.isexec === true, ...sized(out.size) });
  }
  return outs;
}

function posixRelative(root: string, abs: string): string {
  return abs
    .slice(root.length + 1)
    .split(/[\\/]/)
    .join("/");
}

function visible(repo: ViewedRepo, path: string, isDir: boolean): boolean {
  const parts = path.split("/");
  if (parts[0] === ".git" || parts[0] === ".dvc") return false;
  if (parts.some((part) => part === ".git") || (!isDir && hiddenFromView(parts.at(-1)!))) return false;
  return !repo.ignore.ignores(path, isDir);
}

/** The workspace's files at or under `path`; the directories met, empty ones included. */
async function workspaceFiles(
  repo: ViewedRepo,
  path: string,
  files: ViewFile[],
  dirs: Set<string>,
): Promise<void> {
  const abs = path === "." ? repo.root : join(repo.root, path);
  let info;
  try {
    info = await lstat(abs);
  } catch {
    return;
  }
  if (info.isFile()) {
    if (path !== "." && visible(repo, path, false)) {
      files.push({ path, source: { kind: "workspace", abs }, isexec: (info.mode & 0o111) !== 0 });
    }
    return;
  }
  if (!info.isDirectory() || (path !== "." && !visible(repo, path, true))) return;
  dirs.add(path);
  for (const entry of await readdir(abs, { withFileTypes: true })) {
    const child = path === "." ? entry.name : `${path}/${entry.name}`;
    if (entry.isDirectory() || entry.isFile()) await workspaceFiles(repo, child, files, dirs);
  }
}

/** The Git tree's files at or under `path` at `rev`. */
async function gitFiles(repo: ViewedRepo, rev: string, path: string, files: ViewFile[]): Promise<void> {
  // A path is a path, not a pattern: `data/*.csv` names that file only, as in dvc.
  const args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", rev];
  if (path !== ".") args.push("--", path);
  const { stdout } = await execFileText("git", args, { cwd: repo.root, maxBuffer: 1 << 30 });
  for (const line of stdout.split("\0")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type] = line.slice(0, tab).split(" ");
    const file = line.slice(tab + 1);
    if (type !== "blob" || !isAtOrUnder(file, path) || !visible(repo, file, false)) continue;
    files.push({ path: file, source: { kind: "git", rev, path: file }, isexec: mode === "100755" });
  }
}

/** The out files at or under `path`, directories expanded through their manifests. */
async function outFiles(
  outs: readonly RevisionOut[],
  path: string,
  readManifest: ManifestReader,
  inWorkspace: (outPath: string) => Promise<boolean>,
): Promise<ViewFile[]> {
  const files: ViewFile[] = [];
  for (const out of outs) {
    if (out.md5 === undefined) continue;
    const related = isAtOrUnder(out.path, path) || isAtOrUnder(path, out.path);
    if (!related) continue;
    if (!isDirOid(out.md5)) {
      if (isAtOrUnder(out.path, path)) {
        files.push({
          path: out.path,
          source: { kind: "object", oid: out.md5, out: out.path },
          isexec: out.isexec,
        });
      }
      continue;
    }
    let entries: DirEntry[];
    try {
      entries = await readManifest(out.md5, out.path);
    } catch (error) {
      // The workspace holds this directory: dvc lists it from there, and a missing manifest is no error.
      if (await inWorkspace(out.path)) continue;
      throw error;
    }
    for (const entry of entries) {
      const file = `${out.path}/${entry.relpath}`;
      if (!isAtOrUnder(file, path)) continue;
      files.push({
        path: file,
        source: { kind: "object", oid: entry.md5, out: out.path },
        isexec: entry.isexec === true,
      });
    }
  }
  return files;
}

export interface RepoView {
  /** Whether `path` is a file of the view (else a directory). */
  isFile: boolean;
  /** Files at or under `path`, sorted by path; the plain file wins where both listings have one. */
  files: ViewFile[];
  /** Directories at or under `path` that the workspace has, so empty ones are made too. */
  dirs: string[];
}

/**
 * The view of `path` (POSIX, relative to the root, "." for all) given the repository's `outs`; undefined when
 * it shows nothing there.
 */
export async function readRepoView(
  repo: ViewedRepo,
  path: string,
  rev: string | undefined,
  outs: readonly RevisionOut[],
  readManifest: ManifestReader,
): Promise<RepoView | undefined> {
  const plain: ViewFile[] = [];
  const dirs = new Set<string>();
  if (rev === undefined) await workspaceFiles(repo, path, plain, dirs);
  else await gitFiles(repo, rev, path, plain);
  const byPath = new Map<string, ViewFile>();
  const inWorkspace = async (outPath: string): Promise<boolean> =>
    rev === undefined &&
    (await lstat(join(repo.root, outPath)).then(
      (info) => info.isDirectory(),
      () => false,
    ));
  for (const file of await outFiles(outs, path, readManifest, inWorkspace)) byPath.set(file.path, file);
  for (const file of plain) byPath.set(file.path, file);
  const files = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const isFile = files.length === 1 && files[0]!.path === path;
  if (files.length === 0 && !dirs.has(path)) return undefined;
  return { isFile, files, dirs: [...dirs].sort() };
}
