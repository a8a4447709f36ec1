/**
 * Batch inference over a table file: read a part's rows at a time (`partRows`, several batches), send them to
 * the model `batchSize` rows at a time (numeric columns as one interleaved tensor, anything else as a frame
 * through the same adaptInput path as an HTTP request), and write the input columns plus one column per model
 * output (a [N, K] output becomes K columns `<name>_0..K-1`).
 *
 * Resumable: the output is built in `<output>.parts/output.<ext>`, one part after another (openTablePartWriter),
 * and `<output>.parts/progress.json` records after each part how many parts and bytes are finished, with a key
 * made of the input's path, inode, size, mtime and ctime (as git's index: `cp -p` puts an old mtime back on new
 * content, never a ctime), the options and the model. A rerun with the same key cuts the file back to the
 * recorded bytes and skips the recorded parts without calling the model; any other key starts over. Parquet
 * parts keep their footers in `<n>.footer` until the last part is in (parquetParts.ts). Rows are written once;
 * the output appears only at the end, by a rename onto `<output>` (atomic on one filesystem), and then the parts
 * directory is removed. One run writes an output at a time (outputLock.ts). The input is read on a thread of
 * its own (tables/workerTableSource.ts); where the model runs is the loader's choice (batchExecution.ts for
 * ONNX). A JSON Lines input for a model without a signature is read once more before, as pandas.read_json types
 * each column on the whole file (tables/jsonlColumnTypes.ts); a typed model skips it. This module never prints.
 */

import { createHash } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";

import { FlowOpsError } from "../errors.js";
import { hasTextCells } from "../tables/csvChunk.js";
import { openTablePartWriter, openTableWriter, TableFileSink } from "../tables/openTableWriter.js";
import { finishParquetParts } from "../tables/parquetParts.js";
import type { TableChunk, TableSource } from "../tables/tableChunk.js";
import { formatFromPath, type TableFormat } from "../tables/tableFormat.js";
import type { PandasJsonType } from "../tables/pandasJsonCells.js";
import { openTableInWorker } from "../tables/workerTableSource.js";
import type { WriterColumn } from "../tables/tableWriter.js";
import { numericBatchInput, type BatchInput } from "./numericBatchInput.js";
import { lockOutput } from "./outputLock.js";
import {
  PROGRESS_FILE,
  partFooterPath,
  saveProgress,
  startProgress,
  type ProgressRecord,
} from "./predictProgress.js";
import { frameBatchInput } from "./frameBatchInput.js";
import { emptyPredictions, joinedBatches, outputColumns, writePartRows } from "./predictionColumns.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";
import { untypedJsonlTypes } from "./untypedJsonlTypes.js";

/** What a batch tells the runtime besides its inputs. */
type RunOptions = Parameters<LoadedModel["infer"]>[1];

export interface BatchPredictOptions {
  /** The table to predict on; it is read again from its path in chunks of `batchSize` rows. */
  input: TableSource;
  /** The output file; its format comes from `format`, else from its extension. */
  output: string;
  format?: TableFormat | undefined;
  /** Rows per model call. */
  batchSize: number;
  /**
   * Rows per part: the unit of resuming and of writing (one Parquet row group). Rounded down to a whole number
   * of batches, at least one; default DEFAULT_PART_ROWS so rounded. Each part records its progress (and, in
   * Parquet, writes its own footer, read back once when the output is finished), so parts much smaller than
   * this cost more in that bookkeeping than in the rows themselves.
   */
  partRows?: number | undefined;
  /** The input columns the model is given, in this order (default: all of them). All columns are kept. */
  columns?: readonly string[] | undefined;
  /**
   * What the model's files are (localModelKey, or a downloaded model's content digest, read once the model has
   * loaded), part of the resume key: a run resumes only an interrupted run of the same model. Without it, the
   * model's name, version and platform stand for it.
   */
  modelKey?: string | (() => string | undefined) | undefined;
  /** Called after each part predicted in this run with its row count (resumed parts are not reported). */
  onProgress?: ((rows: number) => void) | undefined;
}

export interface BatchPredictResult {
  output: string;
  format: TableFormat;
  /** Rows in the output. */
  rows: number;
  /** Parts written (see `partRows`). */
  chunks: number;
  /** Parts (and their rows) taken from an earlier, interrupted run. */
  resumedChunks: number;
  resumedRows: number;
  /** The prediction columns added to the input's columns. */
  predictionColumns: string[];
}

/** Default rows per part: at 20 float features about 5 MB of input and a few ms of bookkeeping per part. */
export const DEFAULT_PART_ROWS = 65_536;

/**
 * `model` may be a loader, called once the output is locked: the input's first parts are then read while it
 * loads (the input is read on a thread of its own, see workerTableSource.ts).
 */
export async function batchPredict(
  model: LoadedModel | (() => Promise<LoadedModel>),
  options: BatchPredictOptions,
): Promise<BatchPredictResult> {
  const { output, batchSize } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `batch size must be a positive integer, got ${batchSize}`,
    );
  }
  const partRows = rowsPerPart(batchSize, options.partRows);
  const source = openTableInWorker(options.input.path, {
    format: options.input.format,
    chunkRows: partRows,
    numbers: true,
    // Numbers' text is copied out by the text writers only; Parquet writes the doubles themselves.
    numberText: (options.format ?? formatFromPath(output)) !== "parquet",
  });
  const chunks = source.chunks()[Symbol.asyncIterator]();
  // The first next() starts the reading, before the lock and the model; it is awaited once both are in hand.
  const first = chunks.next();
  first.catch(() => undefined);
  try {
    const unlock = await lockOutput(output);
    try {
      const loaded = typeof model === "function" ? await model() : model;
      return await predictIntoOutput(loaded, options, partRows, source, { chunks, first });
    } finally {
      await unlock();
    }
  } finally {
    await chunks.return?.();
  }
}

interface StartedChunks {
  chunks: AsyncIterator<TableChunk>;
  first: Promise<IteratorResult<TableChunk>>;
}

async function predictIntoOutput(
  model: LoadedModel,
  options: BatchPredictOptions,
  partRows: number,
  source: TableSource,
  { chunks, first }: StartedChunks,
): Promise<BatchPredictResult> {
  const { output, batchSize } = options;
  const format = options.format ?? formatFromPath(output);
  const jsonTypes = await untypedJsonlTypes(model, options.input, options.columns);
  const partsDir = `${output}.parts`;
  const progress = await startProgress(
    partsDir,
    await runKey(model, options, format, partRows),
    options.input.path,
    format,
  );
  const resumedChunks = progress.chunksDone;
  const resumedRows = progress.rowsDone;
  const building = join(partsDir, `output.${format}`);
  // Opened at the first part this run writes, cutting off whatever an interrupted run left past the last part.
  let sink: TableFileSink | undefined;

  let chunkIndex = 0;
  const writePart = async (chunk: TableChunk, batch: ChunkPredictions): Promise<void> => {
    const columns = [...chunk.columns, ...batch.predictionColumns];
    if (progress.columns === undefined) {
      assertNoCollision(options.input.path, chunk.columns, batch.predictionColumns);
      progress.columns = columns;
      progress.predictionColumns = batch.predictionColumns;
    } else if (columns.join("\u0000") !== progress.columns.join("\u0000")) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `${options.input.path} rows from ${chunk.startRow + 1}: the model gave the columns ` +
          `${batch.predictionColumns.join(", ")} where earlier chunks had ${(progress.predictionColumns ?? []).join(", ")}`,
      );
    }
    sink ??= new TableFileSink(building, progress.bytes);
    const footerPath = partFooterPath(partsDir, progress.chunksDone);
    const writer = openTablePartWriter(format, columns, { sink, footerPath });
    try {
      await writePartRows(writer, chunk, batch.values);
    } finally {
      await writer.close();
    }
    progress.chunksDone += 1;
    progress.rowsDone += chunk.rowCount;
    progress.bytes = sink.position;
    await saveProgress(partsDir, progress);
    options.onProgress?.(chunk.rowCount);
  };
  // A pipeline two parts deep: part k's batches are handed to the runtime (its worker threads, or this thread
  // between awaits when it runs inline), part k-1 is written, and the reading thread decodes part k+1. Parts
  // are still written, and progress recorded, strictly in order.
  let written: { chunk: TableChunk; predictions: Promise<ChunkPredictions> } | undefined;
  let next = first;
  const readNext = (): void => {
    next = chunks.next();
    next.catch(() => undefined);
  };
  try {
    for (;;) {
      const step = await next;
      if (step.done === true) break;
      const chunk = step.value;
      if (chunkIndex++ < resumedChunks) {
        readNext();
        continue;
      }
      const predictions = predictChunk(
        model,
        chunk,
        options.input.path,
        options.columns,
        batchSize,
        options.input.format,
        jsonTypes,
      );
      // Settled later, in order; this keeps a failure from surfacing as an unhandled rejection meanwhile.
      predictions.catch(() => undefined);
      readNext();
      if (written !== undefined) await writePart(written.chunk, await written.predictions);
      written = { chunk, predictions };
    }
    if (written !== undefined) await writePart(written.chunk, await written.predictions);
  } catch (error) {
    // With no part finished there is nothing to resume from: leave no parts directory behind.
    if (progress.chunksDone === 0) await rm(partsDir, { recursive: true, force: true });
    throw error;
  } finally {
    sink?.close();
  }
  if (chunkIndex < resumedChunks) {
    throw new FlowOpsError(
      "INVALID_STATE",
      `${options.input.path} has fewer chunks than ${join(partsDir, PROGRESS_FILE)} records; delete ${partsDir} and rerun`,
    );
  }

  await rename(await finishedOutput(partsDir, building, progress, format, source), output);
  await rm(partsDir, { recursive: true, force: true });
  return {
    output,
    format,
    rows: progress.rowsDone,
    chunks: progress.chunksDone,
    resumedChunks,
    resumedRows,
    predictionColumns: progress.predictionColumns ?? [],
  };
}

interface ChunkPredictions {
  predictionColumns: string[];
  values: Record<string, WriterColumn>;
}

/**
 * The model's predictions for one part, as named output columns in output order. Its batches are all handed to
 * the runtime at once, so a pool of worker threads runs them side by side.
 */
async function predictChunk(
  model: LoadedModel,
  chunk: TableChunk,
  inputPath: string,
  columns: readonly string[] | undefined,
  batchSize: number,
  format: TableFormat,
  jsonTypes: ReadonlyMap<string, PandasJsonType> | undefined,
): Promise<ChunkPredictions> {
  const rowCount = chunk.rowCount;
  const names = columns ?? chunk.columns;
  if (rowCount === 0) {
    // A header-only (or empty JSON Lines) input must still have the columns asked for, as a longer one must.
    for (const name of names) chunk.column(name);
    return emptyPredictions(model.outputs);
  }
  let input: BatchInput;
  try {
    input = numericBatchInput(model, chunk, names) ?? frameBatchInput(model, chunk, names, format, jsonTypes);
  } catch (error) {
    throw located(error, rowsWhere(inputPath, chunk, 0, rowCount));
  }
  // A CSV file's missing text is NaN to a Python model, as pandas.read_csv (MLflow's batch scoring) reads it.
  const options: RunOptions | undefined = hasTextCells(chunk) ? { missingAsNaN: true } : undefined;
  const batches: Promise<Record<string, WriterColumn>>[] = [];
  for (let start = 0; start < rowCount; start += batchSize) {
    const end = Math.min(rowCount, start + batchSize);
    batches.push(predictBatch(model, input, start, end, rowsWhere(inputPath, chunk, start, end), options));
  }
  const values = joinedBatches(await Promise.all(batches), rowsWhere(inputPath, chunk, 0, rowCount));
  return { predictionColumns: Object.keys(values), values };
}

async function predictBatch(
  model: LoadedModel,
  input: BatchInput,
  start: number,
  end: number,
  where: string,
  options: RunOptions | undefined,
): Promise<Record<string, WriterColumn>> {
  let outputs: Tensor[];
  try {
    outputs = await model.infer(input(start, end), options);
  } catch (error) {
    throw located(error, where);
  }
  const values: Record<string, WriterColumn> = {};
  for (const tensor of outputs) Object.assign(values, outputColumns(tensor, end - start, where));
  return values;
}

function rowsWhere(inputPath: string, chunk: TableChunk, start: number, end: number): string {
  return `${inputPath} rows ${chunk.startRow + start + 1}-${chunk.startRow + end}`;
}

/** A FlowOpsError with the rows it concerns in front; anything else (a bug) as it is. */
function located(error: unknown, where: string): unknown {
  if (!(error instanceof FlowOpsError)) return error;
  return new FlowOpsError(error.code, `${where}: ${error.message}`, { cause: error });
}

function assertNoCollision(
  input: string,
  inputNames: readonly string[],
  predictions: readonly string[],
): void {
  const clash = predictions.filter((name) => inputNames.includes(name));
  if (clash.length > 0) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${input} already has the column ${clash.map((n) => `'${n}'`).join(", ")}, which the model's output ` +
        "would be written to; rename or drop it in the input",
    );
  }
}

/** `requested` (default DEFAULT_PART_ROWS) rounded down to whole batches, at least one. */
function rowsPerPart(batchSize: number, requested: number | undefined): number {
  if (requested !== undefined && (!Number.isSafeInteger(requested) || requested < 1)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `rows per part must be a positive integer, got ${requested}`,
    );
  }
  return batchSize * Math.max(1, Math.floor((requested ?? DEFAULT_PART_ROWS) / batchSize));
}

/** The finished output's path in the parts directory: the file the parts went to, or another when none did. */
async function finishedOutput(
  partsDir: string,
  building: string,
  progress: ProgressRecord,
  format: TableFormat,
  source: TableSource,
): Promise<string> {
  const columns = progress.columns;
  if (progress.chunksDone === 0 || columns === undefined) {
    const empty = join(partsDir, `empty.${format}`);
    await openTableWriter(empty, format, columns ?? (await source.columns()).slice()).close();
    return empty;
  }
  if (format === "parquet") {
    const footers = Array.from({ length: progress.chunksDone }, (_, n) => partFooterPath(partsDir, n));
    const parts = { path: building, bytes: progress.bytes, footers, columns };
    return finishParquetParts(parts, join(partsDir, "rewritten.parquet"));
  }
  // The text formats are done as they are, once cut back to the last part (a rerun that had every part to
  // resume opened no sink and so cut nothing).
  new TableFileSink(building, progress.bytes).close();
  return building;
}

/** The digest of everything that decides the output: the input file as it is now, the options and the model. */
async function runKey(
  model: LoadedModel,
  options: BatchPredictOptions,
  format: TableFormat,
  partRows: number,
): Promise<string> {
  const info = await stat(options.input.path);
  const key = {
    input: {
      path: resolve(options.input.path),
      format: options.input.format,
      ino: info.ino,
      size: info.size,
      mtimeMs: info.mtimeMs,
      ctimeMs: info.ctimeMs,
    },
    output: { format },
    batchSize: options.batchSize,
    partRows,
    columns: options.columns ?? null,
    model: {
      name: model.name,
      version: model.version,
      platform: model.platform,
      files: (typeof options.modelKey === "function" ? options.modelKey() : options.modelKey) ?? null,
    },
  };
  return createHash("sha256").update(JSON.stringify(key)).digest("hex");
}
