/**
 * Makes a workspace path match a cached file or directory (the core of checkout and pull). Objects are
 * verified before anything in the workspace changes: when one is missing or corrupt the call fails naming the
 * path and oid and the workspace is left as it was. Each file is linked under a temp name and renamed over its
 * destination, so no file is ever half-written. Files already correct (by the state, else by hashing) are
 * skipped; files of a directory that its manifest lacks are removed; what was written is recorded in the state
 * so the next status does not rehash it.
 */
import { lstat, mkdir, readdir, rm, rmdir, stat } from "node:fs/promises";
import { lstatSync, statSync, type Stats } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DvcIgnore } from "./dvcIgnore.js";
import { isDirOid, type DirEntry, type Oid } from "./hashInfo.js";
import type { HashState } from "./hashState.js";
import { legacyFileMatches } from "./legacyTree.js";
import { linkFromCache, type LinkType } from "./linkTypes.js";
import { md5File } from "./md5File.js";
import { corruptObject, type ObjectCache } from "./objectCache.js";

export interface MaterializeOptions {
  linkTypes: LinkType[];
  state?: HashState;
  /** Increments: bytes written, files finished (written or already correct). */
  onProgress?: (bytes: number, files: number) => void;
  /** With `root`, workspace files that these rules ignore are neither compared nor deleted. */
  ignore?: DvcIgnore;
  root?: string;
  /**
   * For a directory: only the files at or below these paths (relative to it, POSIX) are compared, written or
   * removed, as `dvc checkout data/sub` restores part of a tracked directory and leaves the rest alone.
   */
  only?: readonly string[];
  /** A DVC 2 record: a file whose md5-dos2unix is the recorded hash is already right (legacyTree.ts). */
  legacy?: boolean;
}

/** Absolute paths of the files written or removed. */
export interface MaterializeResult {
  added: string[];
  modified: string[];
  deleted: string[];
  /** A tracked directory with no files was created: a change, but no file to count (dvc counts none). */
  createdEmpty?: boolean;
}

/** Parallel file operations; linking is I/O bound, and a bound keeps file descriptors in check. */
const CONCURRENCY = 16;

export async function materializeOut(
  cache: ObjectCache,
  hashed: { md5: Oid; isexec?: boolean },
  destAbs: string,
  options: MaterializeOptions,
): Promise<MaterializeResult> {
  return isDirOid(hashed.md5)
    ? materializeDirectory(cache, hashed.md5, destAbs, options)
    : materializeFile(cache, hashed.md5, hashed.isexec === true, destAbs, options);
}

async function materializeFile(
  cache: ObjectCache,
  oid: Oid,
  isexec: boolean,
  destAbs: string,
  options: MaterializeOptions,
): Promise<MaterializeResult> {
  const result: MaterializeResult = { added: [], modified: [], deleted: [] };
  const existing = await lstatOrUndefined(destAbs);
  if (existing !== undefined && !existing.isDirectory() && (await currentMd5(destAbs, options)) === oid) {
    options.onProgress?.(0, 1);
    return result;
  }
  const objectAbs = await verifiedObject(cache, oid, destAbs);
  if (existing?.isDirectory() === true) {
    result.deleted.push(...(await listFiles(destAbs, options)).map((file) => file.abs));
    await rm(destAbs, { recursive: true, force: true });
  }
  await writeFile(objectAbs, destAbs, oid, isexec, options);
  (existing === undefined || existing.isDirectory() ? result.added : result.modified).push(destAbs);
  return result;
}

async function materializeDirectory(
  cache: ObjectCache,
  oid: Oid,
  destAbs: string,
  options: MaterializeOptions,
): Promise<MaterializeResult> {
  const result: MaterializeResult = { added: [], modified: [], deleted: [] };
  const selected = (relpath: string): boolean => isSelected(relpath, options.only);
  const entries = (await cache.readDirManifest(oid)).filter((entry) => selected(entry.relpath));
  const existingRoot = await lstatOrUndefined(destAbs);
  const present = new Map<string, Stats>();
  if (existingRoot?.isDirectory() === true) {
    options.state?.preload(destAbs);
    for (const file of await listFiles(destAbs, options)) {
      if (selected(file.relpath)) present.set(file.relpath, file.st);
    }
  }

  // 1. Decide what to write, comparing present files by md5 (state first).
  const wanted = new Set(entries.map((entry) => entry.relpath));
  const toWrite: { entry: DirEntry; existed: boolean }[] = [];
  let unchanged = 0;
  await forEachLimited(entries, async (entry) => {
    const abs = join(destAbs, ...entry.relpath.split("/"));
    const existed = present.has(entry.relpath);
    if (existed && (await sameContent(abs, entry.md5, options))) unchanged++;
    else toWrite.push({ entry, existed });
  });
  if (unchanged > 0) options.onProgress?.(0, unchanged);

  // 2. Verify every object needed before touching the workspace.
  const objects = new Map<Oid, string>();
  const failures: string[] = [];
  let corrupt = false;
  const distinct = [...new Set(toWrite.map(({ entry }) => entry.md5))];
  await forEachLimited(distinct, async (md5) => {
    try {
      objects.set(md5, await verifiedObject(cache, md5, destAbs));
    } catch (error) {
      const file = toWrite.find(({ entry }) => entry.md5 === md5)!.entry.relpath;
      failures.push(`${join(destAbs, file)}: ${(error as Error).message}`);
      if (!(error instanceof FlowOpsError) || error.code !== "RESOURCE_DOES_NOT_EXIST") corrupt = true;
    }
  });
  if (failures.length > 0) {
    const shown = failures.slice(0, 5).join("; ");
    // Only objects absent from the cache make the directory missing, as a lost file object is for dvc (whose
    // checkout names it and lets --allow-missing pass it); any corrupt one keeps the whole failure data loss.
    throw new FlowOpsError(
      corrupt ? "DATA_LOSS" : "RESOURCE_DOES_NOT_EXIST",
      `cannot check out ${destAbs} (left unchanged): ${failures.length} object(s) ${corrupt ? "missing or corrupt" : "missing"}: ${shown}`,
    );
  }

  // 3. Remove what the manifest lacks (and a plain file where the directory goes), then write.
  if (existingRoot !== undefined && !existingRoot.isDirectory()) {
    await rm(destAbs, { force: true });
    result.deleted.push(destAbs);
  }
  const extras = [...present.keys()].filter((relpath) => !wanted.has(relpath));
  await forEachLimited(extras, async (relpath) => {
    const abs = join(destAbs, ...relpath.split("/"));
    await rm(abs, { force: true });
    result.deleted.push(abs);
  });
  await removeEmptyParents(destAbs, extras);
  await forEachLimited(toWrite, async ({ entry, existed }) => {
    const abs = join(destAbs, ...entry.relpath.split("/"));
    await writeFile(objects.get(entry.md5)!, abs, entry.md5, entry.isexec === true, options);
    (existed ? result.modified : result.added).push(abs);
  });
  // A tracked directory with no files is still a directory to restore (its files' writes made any other).
  if (entries.length === 0 && options.only === undefined && existingRoot?.isDirectory() !== true) {
    await mkdir(destAbs, { recursive: true });
    result.createdEmpty = true;
  }
  return result;
}

/** Whether `relpath` (POSIX, in a directory out) is at or below one of `only`; all are without `only`. */
export function isSelected(relpath: string, only: readonly string[] | undefined): boolean {
  return (
    only === undefined ||
    only.some((path) => relpath === path || (relpath.startsWith(path) && relpath[path.length] === "/"))
  );
}

/** The object's verified path; a missing object is RESOURCE_DOES_NOT_EXIST, a corrupt one DATA_LOSS. */
async function verifiedObject(cache: ObjectCache, oid: Oid, destAbs: string): Promise<string> {
  const path = (await cache.locate(oid)) ?? cache.objectPath(oid);
  const check = await cache.check(oid);
  if (check === "missing") {
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `${destAbs}: object ${oid} is not in the cache (${path}); fetch or pull it first`,
    );
  }
  if (check === "corrupt") throw corruptObject(oid, path);
  return (await cache.locate(oid)) ?? path;
}

async function writeFile(
  objectAbs: string,
  destAbs: string,
  oid: Oid,
  isexec: boolean,
  options: MaterializeOptions,
): Promise<void> {
  await linkFromCache(objectAbs, destAbs, options.linkTypes, { isexec });
  const st = await stat(destAbs);
  options.state?.record(destAbs, st, oid);
  options.onProgress?.(Number(st.size), 1);
}

/** The md5 of a workspace file: from the state when its stat still matches, else hashed and recorded. */
async function sameContent(abs: string, md5: Oid, options: MaterializeOptions): Promise<boolean> {
  if ((await currentMd5(abs, options)) === md5) return true;
  return options.legacy === true && legacyFileMatches(abs, md5);
}

async function currentMd5(abs: string, options: MaterializeOptions): Promise<string | undefined> {
  let st: Stats;
  try {
    // Blocking stat: far cheaper in CPU than a promise per file when checking thousands of unchanged files.
    st = statSync(abs);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const known = options.state?.lookup(abs, st);
  if (known !== undefined) return known;
  const { md5 } = await md5File(abs);
  options.state?.record(abs, st, md5);
  return md5;
}

interface ListedFile {
  abs: string;
  relpath: string;
  st: Stats;
}

/** Files (and symlinks) below `dir`, without following symlinked directories, minus ignored ones. */
async function listFiles(dir: string, options: MaterializeOptions, relDir = ""): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  for (const dirent of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, dirent.name);
    const relpath = relDir === "" ? dirent.name : `${relDir}/${dirent.name}`;
    if (isIgnored(abs, dirent.isDirectory(), options)) continue;
    if (dirent.isDirectory()) out.push(...(await listFiles(abs, options, relpath)));
    else out.push({ abs, relpath, st: lstatSync(abs) });
  }
  return out;
}

function isIgnored(abs: string, isDir: boolean, options: MaterializeOptions): boolean {
  if (options.ignore === undefined || options.root === undefined) return false;
  const rel = relative(options.root, abs);
  if (rel === "" || rel.startsWith("..")) return false;
  return options.ignore.ignores(rel.split(sep).join("/"), isDir);
}

/** Removes directories emptied by deleting `removed` (relpaths under `root`), deepest first; keeps `root`. */
async function removeEmptyParents(root: string, removed: readonly string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const relpath of removed) {
    for (let dir = dirname(join(root, relpath)); dir !== root && dir.startsWith(root); dir = dirname(dir)) {
      dirs.add(dir);
    }
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    await rmdir(dir).catch(() => undefined);
  }
}

async function lstatOrUndefined(path: string) {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
}

async function forEachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}
