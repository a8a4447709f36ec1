/**
 * DVC 2 directories. A `.dvc` out without `hash: md5` records its directory under DVC 2's hashes: each text
 * file's md5-dos2unix (CRLF read as LF), so a directory holding a text file with CRLF line ends has another
 * tree hash than the md5 of its bytes gives. dvc 3 hashes such an out with `md5-dos2unix` again and calls it
 * unchanged; these functions let status and checkout reach the same answer while reading only the files whose
 * md5 differs from the recorded manifest, never the whole directory again.
 */
import { join } from "node:path";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import type { DirEntry } from "./hashInfo.js";
import type { HashedPath } from "./hashTree.js";
import { legacyMd5FileSync } from "./md5File.js";

type HashedDir = Extract<HashedPath, { kind: "dir" }>;

/**
 * `current` (a workspace directory hashed with md5) with each file whose legacy hash is the one `recorded`
 * lists given that hash instead, and the tree hash recomputed: equal to the recorded oid exactly when dvc 3
 * would call the out unchanged.
 */
export function withLegacyHashes(
  current: HashedDir,
  dirAbs: string,
  recorded: readonly DirEntry[],
): HashedDir {
  const recordedMd5 = new Map(recorded.map((entry) => [entry.relpath, entry.md5]));
  let changed = false;
  const entries = current.entries.map((entry) => {
    const want = recordedMd5.get(entry.relpath);
    if (want === undefined || want === entry.md5) return entry;
    if (!legacyFileMatches(join(dirAbs, ...entry.relpath.split("/")), want)) return entry;
    changed = true;
    return { ...entry, md5: want };
  });
  if (!changed) return current;
  const manifest = serializeDirManifest(entries);
  return { ...current, entries, manifest, md5: dirManifestOid(manifest) };
}

/** Whether the file at `abs` has `md5` as its DVC 2 (md5-dos2unix) hash; false when it cannot be read. */
export function legacyFileMatches(abs: string, md5: string): boolean {
  try {
    return legacyMd5FileSync(abs).md5 === md5;
  } catch {
    return false;
  }
}
