/**
 * The http(s) half of `import-url` and `update`: the source's size and dvc's checksum first (httpSource.ts),
 * then, unless the mode says otherwise, the body downloaded into `.dvc/tmp`, hashed, and handed to the same
 * transfer as a local source. The dep is recorded as dvc records it: `checksum`, `size`, `hash: md5`, `path`.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import type { DvcOut } from "./dvcFile.js";
import { downloadHttp, httpSourceInfo, type HttpSourceInfo } from "./httpSource.js";
import { fetchImportSource, hashedEntry, type ImportMode } from "./importStage.js";
import { hashSource } from "./importSource.js";

/** The dep entry of an http source, in dvc's key order. */
export function httpDep(url: string, info: HttpSourceInfo): DvcOut {
  return {
    checksum: info.checksum,
    ...(info.size !== undefined ? { size: info.size } : {}),
    hash: "md5",
    path: url,
  } as unknown as DvcOut;
}

/** Reads the source now: its dep entry, and the out's new entry once the data went where `mode` says. */
export async function fetchHttpSource(
  repo: DataRepo,
  url: string,
  dest: string,
  previousOut: DvcOut | undefined,
  outPath: string,
  mode: ImportMode,
  onProgress?: (bytes: number, files: number) => void,
): Promise<{ dep: DvcOut; out: DvcOut }> {
  const info = await httpSourceInfo(url);
  const dep = httpDep(url, info);
  if (mode.kind === "no-download") return { dep, out: hashedEntry(previousOut, outPath, undefined) };
  await mkdir(repo.tmpDir, { recursive: true });
  const temp = join(repo.tmpDir, `flowops-import-url-${process.pid}-${Date.now()}`);
  try {
    let received = 0;
    await downloadHttp(url, temp, (bytes) => onProgress?.((received += bytes), 0));
    const hashed = await hashSource(repo, temp);
    const out = await fetchImportSource(repo, { abs: temp, hashed }, dest, previousOut, outPath, mode);
    return { dep, out };
  } finally {
    await rm(temp, { force: true });
  }
}
