/**
 * The resume record of a batch prediction: `<output>.parts/progress.json`, saved after each finished part, and
 * the checks that decide whether a rerun continues from it or starts over (batchPredict.ts has the layout).
 */

import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import type { TableFormat } from "../tables/tableFormat.js";

/** What progress.json holds: the run's key and the chunks finished so far. */
export interface ProgressRecord {
  key: string;
  input: { path: string; size: number; mtimeMs: number };
  chunksDone: number;
  rowsDone: number;
  /** Bytes of the output file that hold the finished parts. */
  bytes: number;
  /** Output columns, fixed by the first chunk. */
  columns: string[] | undefined;
  predictionColumns: string[] | undefined;
}

export const PROGRESS_FILE = "progress.json";

/** Where part `index` of a Parquet output keeps its footer until the output is finished. */
export function partFooterPath(partsDir: string, index: number): string {
  return join(partsDir, `${String(index).padStart(6, "0")}.footer`);
}

/**
 * The progress to continue from: the recorded one when its key matches and all its parts are there, else a
 * fresh one in an emptied parts directory.
 */
export async function startProgress(
  partsDir: string,
  key: string,
  inputPath: string,
  format: TableFormat,
): Promise<ProgressRecord> {
  const recorded = await readProgress(partsDir);
  if (recorded?.key === key && (await resumable(partsDir, recorded, format))) return recorded;
  await rm(partsDir, { recursive: true, force: true });
  await mkdir(partsDir, { recursive: true });
  const info = await stat(inputPath);
  const fresh: ProgressRecord = {
    key,
    input: { path: resolve(inputPath), size: info.size, mtimeMs: info.mtimeMs },
    chunksDone: 0,
    rowsDone: 0,
    bytes: 0,
    columns: undefined,
    predictionColumns: undefined,
  };
  await saveProgress(partsDir, fresh);
  return fresh;
}

/** Whether the recorded parts are all there: the output's bytes and, for Parquet, every part's footer. */
async function resumable(partsDir: string, recorded: ProgressRecord, format: TableFormat): Promise<boolean> {
  if (recorded.chunksDone === 0) return true;
  const size = await stat(join(partsDir, `output.${format}`)).then(
    (info) => info.size,
    () => -1,
  );
  if (size < recorded.bytes) return false;
  if (format !== "parquet") return true;
  return Array.from({ length: recorded.chunksDone }, (_, n) => partFooterPath(partsDir, n)).every((path) =>
    existsSync(path),
  );
}

async function readProgress(partsDir: string): Promise<ProgressRecord | undefined> {
  const path = join(partsDir, PROGRESS_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(await readFile(path, "utf8")) as ProgressRecord;
    if (typeof record.key !== "string" || !Number.isSafeInteger(record.chunksDone)) return undefined;
    if (!Number.isSafeInteger(record.bytes)) return undefined;
    return record;
  } catch {
    // A progress file cut short by a crash is as good as none: the run starts over.
    return undefined;
  }
}

export async function saveProgress(partsDir: string, progress: ProgressRecord): Promise<void> {
  const path = join(partsDir, PROGRESS_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(progress, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
