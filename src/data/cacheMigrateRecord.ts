/**
 * The DVC 3 hash of a DVC 2 record whose path is missing from the workspace, derived from the migrated cache
 * instead of the workspace: a file's new name is what the cache migration re-hashed its object to; a
 * directory gets a new `.dir` manifest listing its files' new names. dvc instead keeps the DVC 2 value and
 * only adds `hash: md5` (in a `.dvc` file also an `md5-dos2unix:` key its own schema then rejects), which
 * names an object that does not exist for a text file with CRLF; FlowOps does not copy that.
 */
import type { MigratedObject } from "./cacheMigrate.js";
import type { DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { isDirOid, type Oid } from "./hashInfo.js";

/** DVC 2 oid -> DVC 3 oid, for every object the migration found intact (migrated now or before). */
export type MigratedNames = ReadonlyMap<Oid, Oid>;

export function migratedNames(objects: Iterable<MigratedObject>): MigratedNames {
  return new Map([...objects].map((o) => [o.from, o.to]));
}

/**
 * The DVC 3 oid for the DVC 2 oid `legacy`, or undefined when the cache lacks what it takes (the object, or
 * one file of a directory): such a record is left in the DVC 2 format.
 */
export async function translateLegacyOid(
  repo: Pick<DataRepo, "cache">,
  names: MigratedNames,
  legacy: Oid,
): Promise<Oid | undefined> {
  const migrated = names.get(legacy);
  if (migrated === undefined || !isDirOid(legacy)) return migrated;
  const entries = await repo.cache.readDirManifest(migrated).catch(() => undefined);
  if (entries === undefined) return undefined;
  const translated = [];
  for (const entry of entries) {
    const md5 = names.get(entry.md5);
    if (md5 === undefined) return undefined;
    translated.push({ ...entry, md5 });
  }
  const manifest = serializeDirManifest(translated);
  const oid = dirManifestOid(manifest);
  await repo.cache.addBytes(oid, manifest);
  return oid;
}
