/**
 * `ls`: the workspace as `dvc ls` shows a repository: files and directories, with tracked outs marked
 * (`isout`) and their recorded md5; `recursive` descends into directories, tracked ones through their cached
 * manifest (so an out listed by its `.dvc` file or dvc.lock shows even when the workspace lacks it). Stage
 * outs count as dvc's index counts them: cached ones declared in dvc.yaml, with dvc.lock's md5 when recorded. Entry fields and
 * their order are `dvc ls --json`'s. `.git/` and `.dvc/` and .dvcignore'd paths are left out. It never prints.
 */
import { lstat, readdir } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { invalidParameter, notFound } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { isSameOrInside, loadTrackedOuts } from "./dvcFile.js";
import { isDirOid, type DirEntry } from "./hashInfo.js";
import { workspaceDeclaredStageOuts } from "./stageOutsSnapshot.js";

/** An out of a `.dvc` file or of a stage (dvc.yaml + dvc.lock), with what its file records. */
export interface ListedOut {
  abs: string;
  md5: string | null;
  size: number | undefined;
  isexec: boolean;
  /** A stage out that no dvc.lock records yet: dvc lists it, with size 0 when the workspace lacks it. */
  unrecorded?: boolean;
}

async function listedOuts(repo: DataRepo): Promise<ListedOut[]> {
  const outs: ListedOut[] = (await loadTrackedOuts(repo)).map((tracked) => ({
    abs: tracked.abs,
    md5: tracked.out.md5 ?? null,
    size: typeof tracked.out.size === "number" ? tracked.out.size : undefined,
    isexec: tracked.out.isexec === true,
  }));
  const seen = new Set(outs.map((o) => o.abs));
  for (const out of await workspaceDeclaredStageOuts(repo.root)) {
    if (seen.has(out.abs)) continue;
    outs.push({
      abs: out.abs,
      md5: out.md5 ?? null,
      size: out.size,
      isexec: out.isexec === true,
      ...(out.md5 === undefined ? { unrecorded: true } : {}),
    });
  }
  return outs;
}

export interface ListedEntry {
  isout: boolean;
  isdir: boolean;
  isexec: boolean;
  size: number | null;
  md5: string | null;
  /** Relative to the listed directory, POSIX. */
  path: string;
}

export interface ListOptions {
  recursive?: boolean;
  /** Only tracked outs (and, when not recursive, directories that hold some). */
  dvcOnly?: boolean;
  /**
   * With `recursive`, dvc's `--level`: directories this deep (1: the listed directory's own) are listed
   * instead of entered; 0 lists the path itself.
   */
  level?: number;
  /**
   * dvc's `--tree`: the path itself first (named as given), then every entry, directories before their
   * contents, in walk order; `level` counts the levels shown below the path.
   */
  tree?: boolean;
  cwd?: string;
}

/**
 * Where a listing reads the repository: the workspace (files on disk, the local cache), or a Git revision
 * (listRevision.ts: the Git tree, the revision's outs, manifests from the cache or a remote).
 */
export interface ListingSource {
  root: string;
  outs(): Promise<ListedOut[]>;
  /** What is at `abs`; `size` null where the listing shows no size (see `dvcOnly`). */
  stat(abs: string): Promise<{ isdir: boolean; isexec: boolean; size: number | null } | undefined>;
  /** The names in a plain directory ([] when there is none). */
  names(absDir: string): Promise<string[]>;
  /** A directory out's manifest; rejects with the reason when it cannot be read. */
  manifest(md5: string, abs: string): Promise<readonly DirEntry[]>;
  ignores(rel: string, isDir: boolean): boolean;
}

/** The workspace as dvc's working-tree filesystem shows it. */
export function workspaceSource(repo: DataRepo): ListingSource {
  return {
    root: repo.root,
    outs: () => listedOuts(repo),
    stat: statNode,
    names: (absDir) => readdir(absDir).catch(() => []),
    manifest: async (md5) => {
      if (await repo.cache.has(md5)) return repo.cache.readDirManifest(md5);
      throw notFound(`its manifest ${md5} is not in the cache`);
    },
    ignores: (rel, isDir) => repo.ignore.ignores(rel, isDir),
  };
}

interface Node {
  isdir: boolean;
  isexec: boolean;
  size: number | null;
  out?: { md5: string | null; size: number | null };
  /** Tracked directory contents (from the manifest), keyed by name. */
  children?: Map<string, Node>;
  /** Why a directory out's contents are unknown: its manifest could not be read. */
  unreadable?: string;
}

const toPosix = (p: string): string => p.split(sep).join("/");

async function statNode(abs: string): Promise<{ isdir: boolean; isexec: boolean; size: number } | undefined> {
  try {
    const st = await lstat(abs);
    return { isdir: st.isDirectory(), isexec: !st.isDirectory() && (st.mode & 0o111) !== 0, size: st.size };
  } catch {
    return undefined;
  }
}

/** The tree of a tracked directory from its manifest; sizes from the workspace when the file is there. */
async function manifestTree(
  source: ListingSource,
  abs: string,
  entries: readonly DirEntry[],
): Promise<Map<string, Node>> {
  const root = new Map<string, Node>();
  for (const entry of entries) {
    const parts = entry.relpath.split("/");
    let level = root;
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1) {
        const st = await source.stat(join(abs, ...parts));
        level.set(part, {
          isdir: false,
          isexec: entry.isexec ?? st?.isexec ?? false,
          size: st?.size ?? null,
          out: { md5: entry.md5, size: st?.size ?? null },
        });
      } else {
        // dvc shows a directory inside an out with the workspace's size for it, if it is there.
        const dir = level.get(part) ?? {
          isdir: true,
          isexec: false,
          size: (await source.stat(join(abs, ...parts.slice(0, i + 1))))?.size ?? null,
          out: { md5: null, size: null },
          children: new Map(),
        };
        level.set(part, dir);
        level = dir.children as Map<string, Node>;
      }
    }
  }
  return root;
}

async function trackedNode(source: ListingSource, tracked: ListedOut): Promise<Node> {
  const md5 = tracked.md5;
  const st = await source.stat(tracked.abs);
  const isdir = md5 !== null ? isDirOid(md5) : (st?.isdir ?? false);
  const node: Node = {
    isdir,
    isexec: tracked.isexec,
    size: st?.size ?? tracked.size ?? (tracked.unrecorded === true ? 0 : null),
    out: { md5, size: tracked.size ?? null },
  };
  if (!isdir || md5 === null) return node;
  let manifest: readonly DirEntry[];
  try {
    manifest = await source.manifest(md5, tracked.abs);
  } catch (error) {
    node.unreadable = error instanceof Error ? error.message : String(error);
    return node;
  }
  node.children = await manifestTree(source, tracked.abs, manifest);
  return node;
}

/**
 * A directory out's contents are needed (to list it or a path in it) but its manifest could not be read. dvc
 * fails the listing then ("failed to load directory"); so does this, unless the workspace has the directory,
 * whose files are listed instead.
 */
async function assertReadable(source: ListingSource, abs: string, node: Node): Promise<void> {
  if (node.unreadable === undefined || (await source.stat(abs))?.isdir === true) return;
  throw notFound(`failed to load directory '${toPosix(relative(source.root, abs))}': ${node.unreadable}`);
}

/** Children of a plain (untracked) workspace directory merged with the outs that live in it. */
async function workspaceChildren(
  source: ListingSource,
  absDir: string,
  outs: readonly ListedOut[],
): Promise<Map<string, Node>> {
  const children = new Map<string, Node>();
  for (const name of await source.names(absDir)) {
    const abs = join(absDir, name);
    const rel = toPosix(relative(source.root, abs));
    const st = await source.stat(abs);
    if (st === undefined || name === ".git" || name === ".dvc" || source.ignores(rel, st.isdir)) continue;
    children.set(name, { isdir: st.isdir, isexec: st.isexec, size: st.size });
  }
  for (const tracked of outs) {
    if (resolve(tracked.abs, "..") === absDir) {
      children.set(tracked.abs.slice(absDir.length + 1), await trackedNode(source, tracked));
    }
  }
  return children;
}

async function childrenOf(
  source: ListingSource,
  abs: string,
  node: Node | undefined,
  outs: readonly ListedOut[],
): Promise<Map<string, Node>> {
  if (node?.out === undefined) return workspaceChildren(source, abs, outs);
  await assertReadable(source, abs, node);
  // dvc lists a tracked directory's workspace files too: those the manifest lacks are not outs.
  const children = new Map(node.children ?? []);
  for (const [name, plain] of await workspaceChildren(source, abs, [])) {
    if (!children.has(name)) children.set(name, plain);
  }
  return children;
}

function holdsOut(abs: string, outs: readonly ListedOut[]): boolean {
  return outs.some((t) => isSameOrInside(t.abs, abs));
}

export async function listTracked(
  repo: DataRepo,
  path = ".",
  options: ListOptions = {},
): Promise<ListedEntry[]> {
  return listSource(workspaceSource(repo), path, options);
}

/** `listTracked` over any source: the workspace, or a revision (listRevision.ts). */
export async function listSource(
  source: ListingSource,
  path = ".",
  options: ListOptions = {},
): Promise<ListedEntry[]> {
  const cwd = options.cwd ?? process.cwd();
  const abs = resolve(cwd, path);
  // The path itself is always sized as it is (dvc's `info` of it, in tree mode).
  const rootStat = source.stat;
  if (options.dvcOnly === true) {
    // dvc lists only its index then: outs with the sizes their files record, nothing sized from the disk.
    const { stat } = source;
    source = { ...source, stat: async (at) => ((st) => st && { ...st, size: null })(await stat(at)) };
  }
  const outs = await source.outs();
  const target = await resolveNode(source, abs, outs);
  if (target === undefined)
    throw notFound(`'${path}' does not exist in the workspace or in the tracked data`);
  if (options.tree === true) {
    const size = (await rootStat(abs))?.size ?? target.node?.size ?? null;
    const root = { ...(target.node ?? { isdir: true, isexec: false }), size };
    return treeEntries(source, abs, path, { isdir: target.isdir, node: target.node, root }, outs, options);
  }
  if (!target.isdir && target.node !== undefined) return [toEntry(target.node, basename(abs))];
  const level = options.recursive === true ? options.level : undefined;
  if (level !== undefined && level < 0) throw invalidParameter("maxdepth must be at least 1");
  if (level === 0) {
    const st = await source.stat(abs);
    const node = target.node ?? { isdir: true, isexec: false, size: st?.size ?? null };
    return [toEntry(node, abs === source.root ? "." : basename(abs))];
  }
  const listed: ListedEntry[] = [];
  const walk = async (dirAbs: string, node: Node | undefined, prefix: string): Promise<void> => {
    const depth = prefix === "" ? 0 : prefix.split("/").length;
    const children = await childrenOf(source, dirAbs, node, outs);
    for (const name of [...children.keys()].sort()) {
      const child = children.get(name) as Node;
      const childAbs = join(dirAbs, name);
      const rel = prefix === "" ? name : `${prefix}/${name}`;
      const tracked = child.out !== undefined;
      if (options.recursive === true && child.isdir && (level === undefined || depth < level - 1)) {
        await walk(childAbs, child.out !== undefined ? child : undefined, rel);
        continue;
      }
      if (options.dvcOnly === true && !tracked && !(child.isdir && holdsOut(childAbs, outs))) continue;
      listed.push(toEntry(child, rel));
    }
  };
  await walk(abs, target.node, "");
  // dvc sorts the listed paths as whole strings, so with -R `data.dvc` comes before `data/a` ('.' < '/').
  if (options.recursive === true) listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return listed;
}

async function treeEntries(
  source: ListingSource,
  abs: string,
  path: string,
  target: { isdir: boolean; node: Node | undefined; root: Node },
  outs: readonly ListedOut[],
  options: ListOptions,
): Promise<ListedEntry[]> {
  const rows = [toEntry(target.root, path === "" ? "." : path)];
  const level = options.level;
  const walk = async (
    dirAbs: string,
    node: Node | undefined,
    prefix: string,
    depth: number,
  ): Promise<void> => {
    const children = await childrenOf(source, dirAbs, node, outs);
    for (const name of [...children.keys()].sort()) {
      const child = children.get(name) as Node;
      const childAbs = join(dirAbs, name);
      const tracked = child.out !== undefined;
      if (options.dvcOnly === true && !tracked && !(child.isdir && holdsOut(childAbs, outs))) continue;
      const rel = prefix === "" ? name : `${prefix}/${name}`;
      rows.push(toEntry(child, rel));
      if (child.isdir && (level === undefined || depth < level)) {
        await walk(childAbs, tracked ? child : undefined, rel, depth + 1);
      }
    }
  };
  if (target.isdir && (level === undefined || level > 0)) await walk(abs, target.node, "", 1);
  return rows;
}

function basename(abs: string): string {
  return abs.slice(abs.lastIndexOf(sep) + 1);
}

function toEntry(node: Node, path: string): ListedEntry {
  return {
    isout: node.out !== undefined,
    isdir: node.isdir,
    isexec: node.isexec,
    size: node.size,
    md5: node.out?.md5 ?? null,
    path,
  };
}

/** The node at `abs`: a tracked out, a path inside a tracked directory, or a workspace path. */
async function resolveNode(
  source: ListingSource,
  abs: string,
  outs: readonly ListedOut[],
): Promise<{ isdir: boolean; node: Node | undefined } | undefined> {
  const exact = outs.find((t) => t.abs === abs);
  if (exact !== undefined) {
    const node = await trackedNode(source, exact);
    return { isdir: node.isdir, node };
  }
  const container = outs.find((t) => isSameOrInside(abs, t.abs));
  if (container !== undefined) {
    let node: Node | undefined = await trackedNode(source, container);
    // Without its manifest, a path inside the out is only what the workspace has (if it has the directory).
    if (node.unreadable !== undefined) await assertReadable(source, container.abs, node);
    else {
      for (const part of toPosix(relative(container.abs, abs)).split("/")) node = node?.children?.get(part);
      return node === undefined ? undefined : { isdir: node.isdir, node };
    }
  }
  const st = await source.stat(abs);
  if (st === undefined) return undefined;
  return { isdir: st.isdir, node: st.isdir ? undefined : { ...st } };
}
