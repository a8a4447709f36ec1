/**
 * Hashes a workspace file or directory the way DVC 3 does (dvc-data `hashfile/build.py`): a file is the md5 of
 * its bytes; a directory is the md5 of its `.dir` manifest, its size the sum of its files, skipping
 * `.dvcignore`d entries and not following symlinks to directories (DVC walks with `os.walk`), while symlinks
 * to files count with their target's bytes. Only files whose (inode, mtime, size) changed since the state
 * last saw them are read; the rest cost one stat each. This module reads the workspace and never writes it.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, statSync, type Dirent } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { FlowOpsError, notFound } from "../errors.js";
import { dirManifestOid, serializeDirManifest, sortByCodePoints } from "./dirManifest.js";
import { DVCIGNORE_FILE, ignoredByBuiltinPatterns, type DvcIgnore } from "./dvcIgnore.js";
import { markDvcError } from "./dvcErrorKind.js";
import type { DirEntry, HashInfo } from "./hashInfo.js";
import { isDirectoryStat, isRegularFile, statFileSync, type FileStat } from "./fileStat.js";
import { HashPool } from "./hashPool.js";
import { statToken, type HashState } from "./hashState.js";

export type HashedPath =
  ({ kind: "file" } & HashInfo) | ({ kind: "dir"; entries: DirEntry[]; manifest: Buffer } & HashInfo);

export interface HashContext {
  /** The repo root: ignore rules see paths relative to it. */
  root: string;
  state?: HashState;
  ignore?: DvcIgnore;
  /** Defaults to the process-wide `HashPool.shared()`. */
  pool?: HashPool;
  /** Increments: bytes newly hashed, files finished (hashed or found in the state). */
  onProgress?: (bytes: number, files: number) => void;
  /** Summaries already taken in this command that still hold (DataRepo's `workspaceSummaries`). */
  summaries?: Map<string, PathSummary>;
}

/**
 * A file of a walk, reduced at once to what hashing needs: holding 10k stat objects (each with a dozen
 * BigInts and Dates) through a walk made garbage collection a large part of an unchanged `status`.
 */
interface FoundFile {
  abs: string;
  relpath: string;
  /** The state's (inode, mtime, size) token. */
  token: string;
  size: number;
  isexec: boolean;
}

function foundFile(abs: string, relpath: string, st: FileStat): FoundFile {
  return {
    abs,
    relpath,
    token: statToken(st),
    size: Number(st.size),
    isexec: (st.mode & EXECUTABLE_BITS) !== 0,
  };
}

const EXECUTABLE_BITS = 0o111;

/** Hashes `absPath` (a file, or a directory as a DVC tree). A missing path is RESOURCE_DOES_NOT_EXIST. */
export async function hashPath(absPath: string, ctx: HashContext): Promise<HashedPath> {
  const st = statFollowing(absPath);
  if (isDirectoryStat(st)) return hashDirectory(absPath, await walkDirectory(absPath, ctx), ctx);
  return hashFile(absPath, st, ctx);
}

/**
 * `hashPath` without a directory's entries and manifest, for callers that only compare hashes (status, stage
 * checks, lock records). An unchanged directory costs its walk and one memo lookup: the state remembers its
 * hash under a digest of every file's (path, inode, mtime, size), so the per-file rows and
 * the manifest are only touched when something changed.
 */
export async function hashPathSummary(absPath: string, ctx: HashContext): Promise<PathSummary> {
  const known = ctx.summaries?.get(absPath);
  if (known !== undefined) return known;
  const summary = await summarize(absPath, ctx);
  ctx.summaries?.set(absPath, summary);
  return summary;
}

async function summarize(absPath: string, ctx: HashContext): Promise<PathSummary> {
  const st = statFollowing(absPath);
  if (!isDirectoryStat(st)) return hashFile(absPath, st, ctx);
  const files = await walkDirectory(absPath, ctx);
  const remembered = recallTree(absPath, files, ctx);
  if (remembered !== undefined) {
    if (files.length > 0) ctx.onProgress?.(0, files.length);
    return remembered;
  }
  const { kind, md5, size, nfiles } = await hashDirectory(absPath, files, ctx);
  return { kind, md5, size, ...(nfiles !== undefined ? { nfiles } : {}) };
}

export type PathSummary = { kind: "file" | "dir" } & HashInfo;

const TREE_MEMO = "tree";

async function hashFile(absPath: string, st: FileStat, ctx: HashContext): Promise<HashedPath> {
  if (!isRegularFile(st))
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${absPath}: not a regular file or directory`);
  const file = foundFile(absPath, "", st);
  const [digest] = await hashFound([file], ctx);
  return { kind: "file", md5: digest!, size: file.size, ...(file.isexec ? { isexec: true } : {}) };
}

/** The files DVC would see below `absDir`, in manifest order. */
async function walkDirectory(absDir: string, ctx: HashContext): Promise<FoundFile[]> {
  const files: FoundFile[] = [];
  const rootRel = walkRoot(absDir, ctx);
  // A directory inside an ignored one holds nothing DVC would see.
  if (rootRel !== null) await walk(absDir, "", ctx, files, rootRel);
  sortByCodePoints(files, (file) => file.relpath);
  return files;
}

/** Everything a directory's hash is drawn from, as one digest (a manifest records no executable bits). */
function treeToken(files: readonly FoundFile[]): string {
  const lines = files.map(({ relpath, token }) => `${relpath}\0${token}`);
  return createHash("md5").update(lines.join("\n")).digest("hex");
}

function recallTree(absDir: string, files: readonly FoundFile[], ctx: HashContext): PathSummary | undefined {
  const value = ctx.state?.recall(TREE_MEMO, absDir, treeToken(files));
  if (value === undefined) return undefined;
  const { md5, size, nfiles } = JSON.parse(value) as { md5: string; size: number; nfiles: number };
  return { kind: "dir", md5, size, nfiles };
}

async function hashDirectory(absDir: string, files: FoundFile[], ctx: HashContext): Promise<HashedPath> {
  ctx.state?.preload(absDir);
  const digests = await hashFound(files, ctx);
  const entries: DirEntry[] = files.map((file, index) => ({
    relpath: file.relpath,
    md5: digests[index]!,
    size: file.size,
    ...(file.isexec ? { isexec: true } : {}),
  }));
  const manifest = serializeDirManifest(entries);
  const hashed = {
    kind: "dir" as const,
    md5: dirManifestOid(manifest),
    size: entries.reduce((sum, entry) => sum + (entry.size ?? 0), 0),
    nfiles: entries.length,
    entries,
    manifest,
  };
  // Drawn from the stats taken before reading: a file changed since then misses next time, as per file.
  ctx.state?.remember(
    TREE_MEMO,
    absDir,
    treeToken(files),
    JSON.stringify({ md5: hashed.md5, size: hashed.size, nfiles: hashed.nfiles }),
  );
  return hashed;
}

/**
 * absDir relative to the repo root (POSIX); undefined when no ignore rules apply (none, or outside the
 * root); null when absDir or one of its ancestors is itself ignored.
 */
function walkRoot(absDir: string, ctx: HashContext): string | undefined | null {
  if (ctx.ignore === undefined) return undefined;
  const rel = relative(ctx.root, absDir);
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  const posix = sep === "/" ? rel : rel.split(sep).join("/");
  return posix !== "" && ctx.ignore.ignores(posix, true) ? null : posix;
}

/**
 * Collects the files below `absDir`, applying ignore rules; `.dvcignore` inside a tracked dir is an error.
 * `rootRelDir` is absDir relative to the repo root: entries are matched against the rules alone, since
 * each directory was checked before the walk entered it.
 */
async function walk(
  absDir: string,
  relDir: string,
  ctx: HashContext,
  out: FoundFile[],
  rootRelDir: string | undefined,
): Promise<void> {
  let dirents: Dirent[];
  try {
    // Blocking, like the stats below: a thread-pool round trip per directory costs more than the listing.
    dirents = readdirSync(absDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(`${absDir}: directory not found`);
    throw error;
  }
  if (rootRelDir !== undefined) {
    ctx.ignore?.enterDirectory(rootRelDir, {
      hasDvcDir: dirents.some(
        (d) =>
          d.name === ".dvc" &&
          (d.isDirectory() ||
            (d.isSymbolicLink() &&
              statSync(join(absDir, d.name), { throwIfNoEntry: false })?.isDirectory() === true)),
      ),
      hasDvcignore: dirents.some((d) => d.name === DVCIGNORE_FILE),
    });
  }
  const ignore = rootRelDir === undefined ? undefined : ctx.ignore;
  // Checked per directory: a .dvcignore found on the way down brings rules that need the whole path.
  const byName = ignore?.onlyBuiltinPatterns === true;
  const ignored = (name: string, isDir: boolean): boolean =>
    ignore !== undefined &&
    (byName
      ? ignoredByBuiltinPatterns(name, isDir)
      : ignore.ignoresWalkedEntry(rootRelDir === "" ? name : `${rootRelDir}/${name}`, isDir));
  // join() would normalize each name again; a listed name holds no separator.
  const prefix = absDir.endsWith(sep) ? absDir : `${absDir}${sep}`;
  const subdirs: [string, string, string][] = [];
  let sinceYield = 0;
  for (const dirent of dirents) {
    const abs = prefix + dirent.name;
    const relpath = relDir === "" ? dirent.name : `${relDir}/${dirent.name}`;
    if (dirent.isDirectory()) {
      if (!ignored(dirent.name, true)) subdirs.push([abs, relpath, dirent.name]);
      continue;
    }
    if (!dirent.isFile() && !dirent.isSymbolicLink()) continue;
    if (dirent.isFile() && ignored(dirent.name, false)) continue;
    // Blocking stats: measured 8x cheaper in CPU than promise-based ones, which dominate a no-change status.
    const st = statFollowingSync(abs);
    // A symlink to a directory: listed by os.walk but never entered, so DVC leaves it out.
    if (isDirectoryStat(st) || !isRegularFile(st)) continue;
    if (dirent.isSymbolicLink() && ignored(dirent.name, false)) continue;
    if (dirent.name === DVCIGNORE_FILE) {
      // dvc-data's IgnoreInCollectedDirError is no DvcException: it escapes every command (exit 255).
      throw markDvcError(
        new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `${DVCIGNORE_FILE} file should not be in collected dir path: '${absDir}'`,
        ),
        "uncaught",
      );
    }
    out.push(foundFile(abs, relpath, st));
    // Let timers and progress output run during a walk of very many files.
    if (++sinceYield % 4096 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const [abs, relpath, name] of subdirs) {
    const childRootRel =
      rootRelDir === undefined ? undefined : rootRelDir === "" ? name : `${rootRelDir}/${name}`;
    await walk(abs, relpath, ctx, out, childRootRel);
  }
}

/** The md5 of each file: from the state when its stat still matches, else hashed (in parallel) and recorded. */
async function hashFound(files: readonly FoundFile[], ctx: HashContext): Promise<string[]> {
  const digests = new Array<string>(files.length);
  const missing: number[] = [];
  let hits = 0;
  files.forEach((file, index) => {
    const known = ctx.state?.lookup(file.abs, file.token);
    if (known === undefined) missing.push(index);
    else {
      digests[index] = known;
      hits++;
    }
  });
  if (hits > 0) ctx.onProgress?.(0, hits);
  if (missing.length === 0) return digests;
  const pool = ctx.pool ?? HashPool.shared();
  const onProgress = ctx.onProgress;
  const results = await pool.hashFiles(
    missing.map((index) => files[index]!.abs),
    onProgress === undefined ? undefined : (bytes) => onProgress(bytes, 0),
    missing.map((index) => files[index]!.size),
  );
  missing.forEach((index, position) => {
    const file = files[index]!;
    const { md5, stamp } = results[position]!;
    digests[index] = md5;
    // Record only when the file did not change while it was read (its stamp, an fstat taken after reading,
    // still matches the walk's stat); otherwise the next run rehashes it.
    if (statToken(stamp) === file.token) ctx.state?.record(file.abs, file.token, md5);
  });
  onProgress?.(0, missing.length);
  return digests;
}

function statFollowingSync(path: string): FileStat {
  try {
    return statFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw notFound(`${path}: broken symlink`);
  }
}

/**
 * Stat following symlinks; a missing path or a dangling symlink is RESOURCE_DOES_NOT_EXIST naming it. Blocking,
 * as the walk's: a no-op repro checks each stage's deps and outs one by one, and a thread-pool round trip per
 * path costs more than the stat.
 */
function statFollowing(path: string): FileStat {
  try {
    return statFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const link = lstatSync(path, { throwIfNoEntry: false });
    throw notFound(
      link?.isSymbolicLink() === true ? `${path}: broken symlink` : `${path}: no such file or directory`,
    );
  }
}
