/**
 * The local content-addressed object cache in DVC 3's layout (`<cache>/files/md5/ab/cdef...`, read-only
 * 0444 files), also reading objects DVC 2 left in the legacy layout (`<cache>/ab/cdef...`). Every object lands
 * by temp file + rename so a crash never leaves a half-written object under a valid name, and nothing is
 * handed out unverified: `verify` rehashes through the state cache (keyed by the object's own inode, mtime and
 * size), so an unchanged object that was verified once is not rehashed. A corrupt object is deleted as DVC
 * does (a later fetch can restore it) and reported by oid and path; it is never linked into a workspace.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chmod,
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { constants as fsConstants } from "node:fs";
import { dirname, join } from "node:path";
import { FlowOpsError, notFound } from "../errors.js";
import { parseDirManifest } from "./dirManifest.js";
import { isRegularFile, statFileSync } from "./fileStat.js";
import { isDirOid, isOid, legacyObjectKey, objectKey, type DirEntry, type Oid } from "./hashInfo.js";
import type { HashState } from "./hashState.js";
import { legacyMd5FileSync, md5File } from "./md5File.js";

/** Cache objects are read-only so a hard- or sym-linked workspace file cannot be edited in place by accident. */
export const OBJECT_MODE = 0o444;

export type ObjectCheck = "ok" | "missing" | "corrupt";

export interface TempObjectFile {
  /** Write the object's bytes here (any way: a download, a copy). */
  path: string;
  /** Verifies the md5 of the written file against the oid, then renames it into place. */
  commit(): Promise<void>;
  /** Deletes the temp file; safe to call after a failed commit. */
  abort(): Promise<void>;
}

export class ObjectCache {
  private readonly state: HashState | undefined;

  constructor(
    readonly cacheDir: string,
    options: { state?: HashState } = {},
  ) {
    this.state = options.state;
  }

  /** Where the object lives (or would live) in DVC 3's layout. */
  objectPath(oid: Oid): string {
    return join(this.cacheDir, objectKey(checkedOid(oid)));
  }

  /** Where DVC 2 kept the object. */
  legacyObjectPath(oid: Oid): string {
    return join(this.cacheDir, legacyObjectKey(checkedOid(oid)));
  }

  /** The path of the stored object, DVC 3 layout first, else legacy; undefined when absent. */
  async locate(oid: Oid): Promise<string | undefined> {
    for (const path of [this.objectPath(oid), this.legacyObjectPath(oid)]) {
      if (await isFile(path)) return path;
    }
    return undefined;
  }

  async has(oid: Oid): Promise<boolean> {
    return (await this.locate(oid)) !== undefined;
  }

  /**
   * Stores the file `srcAbs` as `oid` (no-op when present). The source is trusted only when the state still
   * holds `oid` for it at the same (inode, mtime, size) before and after the copy; otherwise the copy is
   * rehashed, so a file edited between hashing and caching can never be stored under the wrong oid.
   * `move` renames the source into the cache instead of copying (same filesystem; else copy + delete).
   */
  async addFile(srcAbs: string, oid: Oid, options: { move?: boolean } = {}): Promise<void> {
    const final = this.objectPath(oid);
    if (await this.has(oid)) return;
    await mkdir(dirname(final), { recursive: true });
    const before = await statOrMissing(srcAbs, oid);
    const trusted = this.state?.lookup(srcAbs, before) === contentMd5(oid);
    const temp = tempNameFor(final);
    try {
      if (options.move === true) {
        try {
          await rename(srcAbs, temp);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
          await copyFile(srcAbs, temp, fsConstants.COPYFILE_FICLONE);
          await rm(srcAbs, { force: true });
        }
      } else {
        await copyFile(srcAbs, temp, fsConstants.COPYFILE_FICLONE);
      }
      const after = options.move === true ? await stat(temp) : await stat(srcAbs);
      const unchanged = after.mtimeMs === before.mtimeMs && after.size === before.size;
      if (!trusted || !unchanged) {
        const { md5 } = await md5File(temp);
        if (md5 !== contentMd5(oid)) {
          throw new FlowOpsError(
            "INVALID_STATE",
            `${srcAbs} changed while it was being added to the cache (expected md5 ${contentMd5(oid)}, now ${md5}); add it again`,
          );
        }
      }
      await chmod(temp, OBJECT_MODE);
      await rename(temp, final);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.recordVerified(final, oid);
  }

  /** Stores bytes (a `.dir` manifest, a small download) as `oid` after checking their md5. */
  async addBytes(oid: Oid, bytes: Buffer): Promise<void> {
    const md5 = createHash("md5").update(bytes).digest("hex");
    if (md5 !== contentMd5(oid)) {
      throw new FlowOpsError("INTERNAL_ERROR", `refusing to cache bytes with md5 ${md5} as object ${oid}`);
    }
    const final = this.objectPath(oid);
    if (await this.has(oid)) return;
    await mkdir(dirname(final), { recursive: true });
    const temp = tempNameFor(final);
    try {
      await writeFile(temp, bytes, { mode: OBJECT_MODE });
      await rename(temp, final);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.recordVerified(final, oid);
  }

  /**
   * Whether the object is present and intact. A corrupt object is deleted (as DVC does) so that a later fetch
   * restores it, and reported as "corrupt"; callers turn that into a DATA_LOSS error naming oid and path.
   */
  async check(oid: Oid): Promise<ObjectCheck> {
    const path = await this.locate(oid);
    if (path === undefined) return "missing";
    const st = await stat(path);
    const expected = contentMd5(oid);
    if (this.state?.lookup(path, st) === expected) return "ok";
    const legacy = path !== this.objectPath(oid);
    let { md5 } = await md5File(path);
    // Objects in the legacy layout may carry DVC 2's dos2unix hash of a text file.
    if (md5 !== expected && legacy) md5 = legacyMd5FileSync(path).md5;
    if (md5 !== expected) {
      await rm(path, { force: true });
      return "corrupt";
    }
    this.state?.record(path, st, expected);
    return "ok";
  }

  /** True when the object is present and intact (see `check`). */
  async verify(oid: Oid): Promise<boolean> {
    return (await this.check(oid)) === "ok";
  }

  /**
   * The verified path of an object, for linking into a workspace: RESOURCE_DOES_NOT_EXIST when absent,
   * DATA_LOSS naming the oid and path when it was corrupt.
   */
  async verifiedPath(oid: Oid): Promise<string> {
    const path = (await this.locate(oid)) ?? this.objectPath(oid);
    const result = await this.check(oid);
    if (result === "missing")
      throw notFound(`object ${oid} is not in the cache (${path}); fetch or pull it first`);
    if (result === "corrupt") throw corruptObject(oid, path);
    return (await this.locate(oid)) ?? path;
  }

  /** The entries of a verified `.dir` manifest. */
  async readDirManifest(oid: Oid): Promise<DirEntry[]> {
    if (!isDirOid(oid)) throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${oid} is not a directory object`);
    const path = await this.verifiedPath(oid);
    return parseDirManifest(await readFile(path), `${oid} (${path})`);
  }

  /** Every object id in the cache, DVC 3 and legacy layouts, each once; temp files are skipped. */
  async *listOids(): AsyncIterable<Oid> {
    const roots = [join(this.cacheDir, "files", "md5"), this.cacheDir];
    const seen = new Set<Oid>();
    for (const root of roots) {
      for (const prefix of await listNames(root)) {
        if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
        for (const name of await listNames(join(root, prefix))) {
          const oid = `${prefix}${name}`;
          if (!isOid(oid) || seen.has(oid)) continue;
          seen.add(oid);
          yield oid;
        }
      }
    }
  }

  /** Deletes the object from both layouts (read-only files can be unlinked: only the directory is written). */
  async remove(oid: Oid): Promise<void> {
    await rm(this.objectPath(oid), { force: true });
    await rm(this.legacyObjectPath(oid), { force: true });
  }

  /**
   * A temp file beside the object's final path for a download. `commit` verifies the md5 and renames it into
   * place; on a mismatch it deletes the temp file and throws DATA_LOSS naming the oid. `legacy` stores into
   * DVC 2's layout (objects from a DVC 2 remote, whose hash may be dos2unix).
   */
  async openTempFile(oid: Oid, options: { legacy?: boolean } = {}): Promise<TempObjectFile> {
    const final = options.legacy === true ? this.legacyObjectPath(oid) : this.objectPath(oid);
    await mkdir(dirname(final), { recursive: true });
    const path = tempNameFor(final);
    await (await open(path, "w")).close();
    const abort = () => rm(path, { force: true });
    const commit = async () => {
      const expected = contentMd5(oid);
      let { md5 } = await md5File(path);
      if (md5 !== expected && options.legacy === true) md5 = legacyMd5FileSync(path).md5;
      if (md5 !== expected) {
        await abort();
        throw new FlowOpsError("DATA_LOSS", `downloaded object ${oid} is corrupted (its md5 is ${md5})`);
      }
      await chmod(path, OBJECT_MODE);
      await rename(path, final);
      await this.recordVerified(final, oid);
    };
    return { path, commit, abort };
  }

  private async recordVerified(path: string, oid: Oid): Promise<void> {
    if (this.state === undefined) return;
    this.state.record(path, await stat(path), contentMd5(oid));
  }
}

/** The DATA_LOSS error for an object whose bytes do not match its oid. */
export function corruptObject(oid: Oid, path: string): FlowOpsError {
  return new FlowOpsError(
    "DATA_LOSS",
    `cache object ${oid} (${path}) is corrupted: its content does not match its md5; it was removed, fetch or pull it again`,
  );
}

/** The md5 of an object's bytes: the oid without its `.dir` suffix. */
export function contentMd5(oid: Oid): string {
  return isDirOid(oid) ? oid.slice(0, -4) : oid;
}

function checkedOid(oid: Oid): Oid {
  if (!isOid(oid)) throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${oid}' is not an md5 object id`);
  return oid;
}

function tempNameFor(final: string): string {
  return `${final}.${randomBytes(6).toString("hex")}.tmp`;
}

/** Blocking: a local stat costs less than a thread-pool round trip, and checks ask for objects one by one. */
async function isFile(path: string): Promise<boolean> {
  try {
    return isRegularFile(statFileSync(path));
  } catch {
    return false;
  }
}

async function statOrMissing(path: string, oid: Oid) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw notFound(`${path}: file not found (adding object ${oid})`);
    }
    throw error;
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
