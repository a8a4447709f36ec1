/**
 * `ls-url <url>`: dvc's `list-url`, the contents of what a URL names (a local path, an s3 prefix or object,
 * an http(s) file, or `remote://name/path`), read by import-url's clients (importLocation.ts). As dvc's:
 * a file, or `--level 0`, is one entry named by its full path without a size; a directory lists its entries
 * (with -R its files, directory by directory, each directory's own files before those below it), and with
 * -R and `--level N` directories N levels down are listed instead of entered. Local directories have their
 * sizes from the disk; s3 prefixes none, as s3fs reports them.
 */
import { lstat, opendir } from "node:fs/promises";
import { join } from "node:path";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { cwdConfig } from "./getUrl.js";
import { locateImportSource, unreadableSource } from "./importLocation.js";
import { isHttpUrl } from "./importSource.js";

export interface UrlEntry {
  /** Relative to the listed directory, POSIX; a file's full path when the URL names one. */
  path: string;
  isdir: boolean;
  size: number | null;
}

export interface ListUrlOptions {
  recursive?: boolean;
  /**
   * dvc's `--tree`: the URL itself first (a local path as given, an s3 one as `bucket/key`), then every entry
   * under it, sorted by name, directories before their contents; `level` counts the levels shown.
   */
  tree?: boolean;
  level?: number;
  fsConfig?: Record<string, string>;
}

/** A directory as a listing needs it: its files and subdirectories by name. */
interface Dir {
  files: Map<string, number | null>;
  dirs: Map<string, { size: number | null; dir: Dir }>;
}

type UrlTree =
  | { kind: "file"; name: string; size: number | null; shown: string }
  | { kind: "dir"; name: string; size: number | null; shown: string; dir: Dir };

function missing(url: string): FlowOpsError {
  return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `The path '${url}' does not exist`);
}

/**
 * A local directory's entries in the order the file system gives them, as dvc's walk (os.scandir) lists them:
 * `opendir`, since `readdir` sorts the names (libuv's scandir sorts them with strcmp).
 */
async function localDir(abs: string): Promise<Dir> {
  const dir: Dir = { files: new Map(), dirs: new Map() };
  for await (const entry of await opendir(abs)) {
    const path = join(abs, entry.name);
    const info = await lstat(path);
    if (info.isDirectory()) dir.dirs.set(entry.name, { size: info.size, dir: await localDir(path) });
    else dir.files.set(entry.name, info.size);
  }
  return dir;
}

/** The directory tree of a flat key listing (s3 has no directories, only `/` in keys). */
function keyTree(files: readonly { relpath: string; size: number }[]): Dir {
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const file of files) {
    const parts = file.relpath.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const next = dir.dirs.get(part) ?? { size: 0, dir: { files: new Map(), dirs: new Map() } };
      dir.dirs.set(part, next);
      dir = next.dir;
    }
    dir.files.set(parts.at(-1)!, file.size);
  }
  return root;
}

async function readUrlTree(
  url: string,
  cwd: string,
  fsConfig: Record<string, string> | undefined,
): Promise<UrlTree> {
  const location = locateImportSource(await cwdConfig(cwd), url, cwd, fsConfig, cwd);
  if (location.kind === "unreadable") throw unreadableSource(url, location.url);
  if (location.kind === "local") {
    const info = await lstat(location.abs).catch(() => undefined);
    if (info === undefined) throw missing(url);
    const common = { name: location.abs, size: info.size, shown: url };
    if (!info.isDirectory()) return { kind: "file", ...common };
    return { kind: "dir", ...common, dir: await localDir(location.abs) };
  }
  if (isHttpUrl(location.url)) {
    // An http(s) URL names one file: dvc's HTTP filesystem lists nothing below it.
    const { httpSourceInfo } = await import("./httpSource.js");
    const size = (await httpSourceInfo(location.url)).size ?? null;
    return { kind: "file", name: location.url, size, shown: location.url };
  }
  const { parseS3Url, s3SourceInfo } = await import("./s3Source.js");
  let info;
  try {
    info = await s3SourceInfo(location.url, location.options);
  } catch (error) {
    if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") throw missing(url);
    throw error;
  }
  const { bucket, key } = parseS3Url(location.url);
  const name = key === "" ? bucket : `${bucket}/${key}`;
  return info.kind === "file"
    ? { kind: "file", name, size: info.size, shown: name }
    : { kind: "dir", name, size: 0, shown: name, dir: keyTree(info.files) };
}

/** dvc's `_ls_tree` of a URL: the root, then each entry by name, recursing `level` levels (all without). */
function treeEntries(tree: UrlTree, level: number | undefined): UrlEntry[] {
  const entries: UrlEntry[] = [{ path: tree.shown, isdir: tree.kind === "dir", size: tree.size }];
  const walk = (dir: Dir, prefix: string, depth: number): void => {
    const names = [...dir.files.keys(), ...dir.dirs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const sub = dir.dirs.get(name);
      entries.push({
        path: `${prefix}${name}`,
        isdir: sub !== undefined,
        size: sub?.size ?? dir.files.get(name)!,
      });
      if (sub !== undefined && (level === undefined || depth < level))
        walk(sub.dir, `${prefix}${name}/`, depth + 1);
    }
  };
  if (tree.kind === "dir" && (level === undefined || level > 0)) walk(tree.dir, "", 1);
  return entries;
}

export async function listUrl(url: string, cwd: string, options: ListUrlOptions = {}): Promise<UrlEntry[]> {
  const { level } = options;
  if (level !== undefined && level < 0) throw invalidParameter("maxdepth must be at least 1");
  const tree = await readUrlTree(url, cwd, options.fsConfig);
  if (options.tree === true) return treeEntries(tree, level);
  if (level === 0 || tree.kind === "file") return [{ path: tree.name, isdir: false, size: null }];
  // dvc's walk order: each directory's files, then its subdirectories (listed at the last level, else
  // entered), both in the order the file system lists them (an s3 listing's is by key).
  const entries: UrlEntry[] = [];
  const walk = (dir: Dir, prefix: string, depth: number): void => {
    const listDirs = options.recursive !== true || (level !== undefined && depth >= level - 1);
    for (const [name, size] of dir.files) entries.push({ path: `${prefix}${name}`, isdir: false, size });
    if (listDirs) {
      for (const [name, sub] of dir.dirs)
        entries.push({ path: `${prefix}${name}`, isdir: true, size: sub.size });
      return;
    }
    for (const [name, sub] of dir.dirs) walk(sub.dir, `${prefix}${name}/`, depth + 1);
  };
  walk(tree.dir, "", 0);
  return entries;
}
