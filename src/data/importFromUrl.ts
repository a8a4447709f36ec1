/**
 * The URL half of `import-url` and `update` (http(s) and s3 sources, urlSource.ts): what the source is now
 * first, then, unless the mode says otherwise, its data downloaded into `.dvc/tmp`, hashed, and handed to the
 * same transfer as a local source. The dep is recorded as dvc records it for that kind of URL.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import type { DvcOut } from "./dvcFile.js";
import { fetchImportSource, hashedEntry, type ImportMode } from "./importStage.js";
import { hashSource } from "./importSource.js";
import type { UrlSourceState } from "./urlSource.js";

/** Brings the described source where `mode` says: the dep entry, and the out's new entry. */
export async function fetchUrlSource(
  repo: DataRepo,
  source: UrlSourceState,
  dest: string,
  previousOut: DvcOut | undefined,
  outPath: string,
  mode: ImportMode,
  onProgress?: (bytes: number, files: number) => void,
): Promise<{ dep: DvcOut; out: DvcOut }> {
  const dep = source.dep;
  if (mode.kind === "no-download") return { dep, out: hashedEntry(previousOut, outPath, undefined) };
  await mkdir(repo.tmpDir, { recursive: true });
  const temp = join(repo.tmpDir, `flowops-import-url-${process.pid}-${Date.now()}`);
  try {
    let received = 0;
    await source.download(temp, (bytes) => onProgress?.((received += bytes), 0));
    const hashed = await hashSource(repo, temp);
    const out = await fetchImportSource(repo, { abs: temp, hashed }, dest, previousOut, outPath, mode);
    return { dep, out };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
