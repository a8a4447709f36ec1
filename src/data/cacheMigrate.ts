/**
 * `data cache migrate`: dvc's `migrate_2_to_3` (dvc/cachemgr.py, dvc_data/hashfile/db/migrate.py). Every object
 * DVC 2 left at `<cache>/ab/cdef...` (named by its md5-dos2unix hash) is re-hashed with plain md5 and linked
 * (else copied) to `<cache>/files/md5/..` under that hash; the DVC 2 objects stay where they are, as dvc leaves
 * them. `.dir` manifests are carried over byte for byte, as dvc does: they keep listing DVC 2 hashes, which
 * `--dvc-files` (cacheMigrateDvcFiles.ts) replaces by committing the workspace again. Unlike dvc, an object
 * whose bytes do not match its DVC 2 name is reported and left alone, never migrated under a new name.
 * This module must not touch `.dvc` files, dvc.lock or the workspace.
 */
import { constants as fsConstants } from "node:fs";
import { chmod, copyFile, link, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { isDirOid, isOid, legacyObjectKey, objectKey, type Oid } from "./hashInfo.js";
import { legacyMd5FileSync, md5File } from "./md5File.js";
import { OBJECT_MODE } from "./objectCache.js";

/** One DVC 2 object: its oid (the legacy hash) and where it lies. */
export interface LegacyObject {
  oid: Oid;
  path: string;
}

export interface MigratedObject {
  /** The DVC 2 name (md5-dos2unix). */
  from: Oid;
  /** The DVC 3 name (md5 of the bytes); equal to `from` unless the object is text with CRLF line ends. */
  to: Oid;
}

export interface CorruptLegacyObject extends LegacyObject {
  /** The md5-dos2unix hash the bytes actually have. */
  actual: string;
}

export interface CacheMigration {
  /** Objects newly placed in the DVC 3 layout (dvc's "Migrated N files"). */
  migrated: MigratedObject[];
  /** Objects whose DVC 3 name was already taken: nothing to do (a second run finds every object here). */
  present: MigratedObject[];
  corrupt: CorruptLegacyObject[];
}

/**
 * The objects in DVC 2's layout: files directly inside a two-hex-digit folder of the cache root, whose name
 * makes an oid. Temp files and anything else are skipped; `files/` and `runs/` are never two hex digits.
 */
export async function listLegacyObjects(cacheDir: string): Promise<LegacyObject[]> {
  const objects: LegacyObject[] = [];
  for (const prefix of await namesIn(cacheDir)) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    for (const name of await namesIn(join(cacheDir, prefix))) {
      const oid = `${prefix}${name}`;
      const path = join(cacheDir, legacyObjectKey(oid));
      if (isOid(oid) && (await isFile(path))) objects.push({ oid, path });
    }
  }
  return objects;
}

/**
 * Moves the DVC 2 cache at `cacheDir` into DVC 3's layout. Idempotent: an object whose DVC 3 name exists is
 * left as it is. `onObject` hears each object as it is done, for progress.
 */
export async function migrateLegacyCache(
  cacheDir: string,
  onObject?: (object: LegacyObject) => void,
): Promise<CacheMigration> {
  const result: CacheMigration = { migrated: [], present: [], corrupt: [] };
  for (const object of await listLegacyObjects(cacheDir)) {
    const outcome = await migrateObject(cacheDir, object);
    if (outcome.kind === "corrupt") result.corrupt.push({ ...object, actual: outcome.actual });
    else result[outcome.kind].push({ from: object.oid, to: outcome.to });
    onObject?.(object);
  }
  return result;
}

type ObjectOutcome = { kind: "migrated" | "present"; to: Oid } | { kind: "corrupt"; actual: string };

async function migrateObject(cacheDir: string, object: LegacyObject): Promise<ObjectOutcome> {
  const { md5 } = await md5File(object.path);
  const expected = isDirOid(object.oid) ? object.oid.slice(0, -4) : object.oid;
  // A manifest is JSON, which has no CRLF, so its DVC 2 name is the md5 of its bytes too.
  if (md5 !== expected) {
    const legacy = legacyMd5FileSync(object.path).md5;
    if (isDirOid(object.oid) || legacy !== expected) return { kind: "corrupt", actual: legacy };
  }
  const to = isDirOid(object.oid) ? `${md5}.dir` : md5;
  const final = join(cacheDir, objectKey(to));
  if (await isFile(final)) return { kind: "present", to };
  await mkdir(dirname(final), { recursive: true });
  const temp = `${final}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    // dvc links with reflink, hardlink, then copy; a hard link shares the already verified bytes.
    const linked = await link(object.path, temp).then(
      () => true,
      () => false,
    );
    if (!linked) {
      await copyFile(object.path, temp, fsConstants.COPYFILE_FICLONE);
      const copied = await md5File(temp);
      if (copied.md5 !== md5) return { kind: "corrupt", actual: copied.md5 };
    }
    await chmod(temp, OBJECT_MODE);
    await rename(temp, final);
  } finally {
    await rm(temp, { force: true });
  }
  return { kind: "migrated", to };
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
