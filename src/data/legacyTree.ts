/**
 * DVC 2 directories. A `.dvc` out without `hash: md5` records its directory under DVC 2's hashes: each text
 * file's md5-dos2unix (CRLF read as LF), so a directory holding a text file with CRLF line ends has another
 * tree hash than the md5 of its bytes gives. dvc 3 hashes such an out with `md5-dos2unix` again and calls it
 * unchanged; these functions let status and checkout reach the same answer while reading only the files whose
 * md5 differs from the recorded manifest, never the whole directory again.
 */
import { join } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { isDirOid, type DirEntry, type Oid } from "./hashInfo.js";
import { hashPath, type HashContext, type HashedPath } from "./hashTree.js";
import { legacyMd5FileSync } from "./md5File.js";

type HashedDir = Extract<HashedPath, { kind: "dir" }>;

/**
 * Whether the workspace path `abs`, whose md5 differs from `oid`, is what a DVC 2 record of `oid` (a `.dvc` out
 * or a dvc.lock entry without `hash: md5`) describes, as dvc 3 decides with md5-dos2unix.
 */
export async function matchesLegacyRecord(
  repo: Pick<DataRepo, "cache">,
  abs: string,
  kind: "file" | "dir",
  oid: Oid,
  ctx: HashContext,
): Promise<boolean> {
  if (kind === "file") return !isDirOid(oid) && legacyFileMatches(abs, oid);
  if (!isDirOid(oid)) return false;
  // A dependency's manifest is often not cached; then every file's legacy hash is read.
  const recorded = await repo.cache.readDirManifest(oid).catch(() => undefined);
  const current = await hashPath(abs, ctx);
  return current.kind === "dir" && withLegacyHashes(current, abs, recorded).md5 === oid;
}

/**
 * `current` (a workspace directory hashed with md5) with each file whose legacy hash is the one `recorded`
 * lists given that hash instead, and the tree hash recomputed: equal to the recorded oid exactly when dvc 3
 * would call the out unchanged. Without `recorded`, every file takes its legacy hash.
 */
export function withLegacyHashes(
  current: HashedDir,
  dirAbs: string,
  recorded: readonly DirEntry[] | undefined,
): HashedDir {
  const recordedMd5 = recorded === undefined ? undefined : new Map(recorded.map((e) => [e.relpath, e.md5]));
  let changed = false;
  const entries = current.entries.map((entry) => {
    const abs = join(dirAbs, ...entry.relpath.split("/"));
    if (recordedMd5 === undefined) {
      const legacy = legacyMd5(abs);
      if (legacy === undefined || legacy === entry.md5) return entry;
      changed = true;
      return { ...entry, md5: legacy };
    }
    const want = recordedMd5.get(entry.relpath);
    if (want === undefined || want === entry.md5 || !legacyFileMatches(abs, want)) return entry;
    changed = true;
    return { ...entry, md5: want };
  });
  if (!changed) return current;
  const manifest = serializeDirManifest(entries);
  return { ...current, entries, manifest, md5: dirManifestOid(manifest) };
}

/** Whether the file at `abs` has `md5` as its DVC 2 (md5-dos2unix) hash; false when it cannot be read. */
export function legacyFileMatches(abs: string, md5: string): boolean {
  return legacyMd5(abs) === md5;
}

function legacyMd5(abs: string): string | undefined {
  try {
    return legacyMd5FileSync(abs).md5;
  } catch {
    return undefined;
  }
}
