/**
 * The hashes that fetch found for versioned imports made with `--no-download`, kept in
 * `.dvc/tmp/flowops/fetched-import-hashes.json`. Their `.dvc` files record no hash and dvc leaves them so,
 * keeping what it fetched in its own index under `.dvc/cache/fs/`; a later `dvc checkout` restores the data
 * from there. This record plays that part for `data checkout`: a hash answers only while the `.dvc` file
 * still records no hash, at the same out path and with the very same dep (an `update --no-download` that
 * records other versions makes it stale). Like the hash state beside it, the record is disposable: a missing
 * or unreadable one is empty, and the worst it costs is fetching again. It never reads a `.dvc` file.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import { isOid, type Oid } from "./hashInfo.js";
import type { UnhashedVersionedImport } from "./unhashedVersionedImports.js";

/** An unhashed versioned import fetched now, with the hash its data has. */
export interface HashedVersionedImport extends UnhashedVersionedImport {
  md5: Oid;
}

/** Per `.dvc` file (POSIX from the root): the out, the dep it was fetched by (canonical JSON) and the hash. */
type FetchedImportRecord = Record<string, { outPath: string; dep: string; md5: Oid }>;

export function fetchedImportHashesPath(tmpDir: string): string {
  return join(tmpDir, "flowops", "fetched-import-hashes.json");
}

/** Adds (or replaces) the records of `imports`, keeping those of other `.dvc` files. */
export async function recordFetchedImportHashes(
  tmpDir: string,
  imports: readonly HashedVersionedImport[],
): Promise<void> {
  if (imports.length === 0) return;
  const path = fetchedImportHashesPath(tmpDir);
  const record = await readRecord(path);
  for (const found of imports) {
    record[found.dvcFile] = { outPath: found.outPath, dep: canonicalJson(found.dep), md5: found.md5 };
  }
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(join(tmpDir, "flowops"), { recursive: true });
    await writeFile(temp, `${JSON.stringify(record, null, 1)}\n`);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    // The data is in the cache already; only a later `checkout` without `pull` would miss the hash.
    throw new FlowOpsError(
      "INTERNAL_ERROR",
      `could not record the fetched imports' hashes in ${path}: ${toFlowOpsError(error).message}`,
    );
  }
}

/** The recorded hash of each import that has one for its current dep and out path. */
export async function fetchedImportHashes(
  tmpDir: string,
  imports: readonly UnhashedVersionedImport[],
): Promise<HashedVersionedImport[]> {
  if (imports.length === 0) return [];
  const record = await readRecord(fetchedImportHashesPath(tmpDir));
  const hashed: HashedVersionedImport[] = [];
  for (const found of imports) {
    const entry = Object.hasOwn(record, found.dvcFile) ? record[found.dvcFile] : undefined;
    if (entry?.outPath === found.outPath && entry.dep === canonicalJson(found.dep))
      hashed.push({ ...found, md5: entry.md5 });
  }
  return hashed;
}

async function readRecord(path: string): Promise<FetchedImportRecord> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch {
    return {};
  }
  const record: FetchedImportRecord = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return record;
  for (const [dvcFile, entry] of Object.entries(value as Record<string, unknown>)) {
    const { outPath, dep, md5 } = (entry ?? {}) as Record<string, unknown>;
    if (typeof outPath === "string" && typeof dep === "string" && typeof md5 === "string" && isOid(md5))
      record[dvcFile] = { outPath, dep, md5 };
  }
  return record;
}

/** JSON with object keys sorted, so the same dep compares equal however its file orders its fields. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === "object" && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
