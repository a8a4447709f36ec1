/**
 * A table read on a worker thread: the same chunks as openTable's reader, decoded while the caller's thread
 * does other work. Batch inference spent as much of its main thread reading (Parquet: file reads, Snappy,
 * pages; CSV: decoding, splitting rows, parsing numbers) as scoring and writing together, so moving the reading
 * off the main thread is what lets the two cores share the whole job.
 *
 * Parquet and JSON Lines chunks come as ColumnarTableChunk (typed arrays moved, not copied, cells cloned). CSV
 * chunks come as the parser left them (the text blocks and the cells' positions, which CSV output copies from,
 * and each row's line for messages), and with `numbers`, each column of plain decimals parsed there too.
 */

import type * as WorkerThreads from "node:worker_threads";

import type { SchemaTree } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";

import { FlowOpsError, type ErrorCode } from "../errors.js";
import { startModuleWorker } from "../moduleWorker.js";
import { ColumnarTableChunk, type ColumnValues, type NumberText } from "./columnarTableChunk.js";
import { ParsedCsvTableChunk, type CsvCells } from "./csvChunk.js";
import { openTable, type OpenTableOptions } from "./openTable.js";
import type { TableChunk, TableSource } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";

export interface TableReadSettings {
  path: string;
  format: TableFormat;
  chunkRows: number | undefined;
  columns: readonly string[] | undefined;
  /** Chunks decoded ahead of those taken. */
  ahead: number;
  /** CSV: parse each column of plain decimals on the reading thread (see WorkerTableOptions). */
  numbers: boolean;
  /** JSON Lines: keep the doubles' text (OpenTableOptions). */
  numberText: boolean;
}

export interface WorkerTableOptions extends OpenTableOptions {
  /**
   * CSV: parse every column whose cells are all plain decimals into numbers on the reading thread, for a
   * caller that wants them as numbers (batch inference's model input); numericColumn and numericBatchInput
   * then find them parsed (csvChunk.ts, PlainNumberColumns). Other cells, and their errors, stay with the
   * caller's own parsing.
   */
  numbers?: boolean;
}

export type TableReadRequest = { type: "taken" };

export type TableReadReply =
  | {
      type: "chunk";
      columns: readonly string[];
      startRow: number;
      rowCount: number;
      values: [string, ColumnValues][];
      /** Number text of some Float64Array columns (JSON Lines), moved with them. */
      texts: [string, NumberText][];
      /** The Parquet elements of the columns whose values are stored values (parquetStoredColumns.ts). */
      elements: [string, SchemaElement][];
      /** The schema of the nested Parquet columns, whose cells are JSON text. */
      nested: [string, SchemaTree][];
    }
  | {
      type: "csvChunk";
      columns: readonly string[];
      selected: readonly string[];
      startRow: number;
      cells: CsvCells;
      numbers: [string, Float64Array][];
    }
  | { type: "end" }
  /** `bug`: the error was not a FlowOpsError (the reader failed in a way it does not describe). */
  | { type: "error"; code: ErrorCode; message: string; bug: boolean };

/**
 * One part waits, decoded, while the caller works on the one before, and the next is decoded once it is taken:
 * a 1M-row predict ran no faster with two waiting (0.595 s against 0.591 s), and every part held costs memory
 * (a part of a 1,000-column table is ~500 MB).
 */
const CHUNKS_AHEAD = 1;

/**
 * `openTable`, with the reading on a worker thread. Errors are checked as openTable checks them (a missing file
 * fails here); reading errors come from `chunks()`, with the reader's own codes and messages.
 */
export function openTableInWorker(path: string, options: WorkerTableOptions = {}): WorkerTableSource {
  const plain = openTable(path, options);
  return new WorkerTableSource(plain, {
    path,
    format: plain.format,
    chunkRows: options.chunkRows,
    columns: options.columns,
    ahead: CHUNKS_AHEAD,
    numbers: options.numbers ?? false,
    numberText: options.numberText ?? false,
  });
}

export class WorkerTableSource implements TableSource {
  constructor(
    private readonly plain: TableSource,
    private readonly settings: TableReadSettings,
  ) {}

  get path(): string {
    return this.plain.path;
  }

  get format(): TableFormat {
    return this.plain.format;
  }

  columns(): Promise<readonly string[]> {
    return this.plain.columns();
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const worker = startModuleWorker(import.meta.url, "tableReadWorker", { workerData: this.settings });
    const replies = new ReplyQueue(worker, this.path);
    try {
      for (;;) {
        const reply = await replies.next();
        if (reply.type === "end") return;
        worker.postMessage({ type: "taken" } satisfies TableReadRequest);
        yield chunkOf(this.path, reply);
      }
    } finally {
      await worker.terminate();
    }
  }
}

type ChunkReply = Extract<TableReadReply, { type: "chunk" | "csvChunk" | "end" }>;

function chunkOf(path: string, reply: Extract<ChunkReply, { type: "chunk" | "csvChunk" }>): TableChunk {
  if (reply.type === "chunk") {
    const { columns, values, startRow, rowCount, texts, elements, nested } = reply;
    return new ColumnarTableChunk(
      path,
      columns,
      new Map(values),
      startRow,
      rowCount,
      new Map(texts),
      new Map(elements),
      new Map(nested),
    );
  }
  return new ParsedCsvTableChunk(
    path,
    reply.columns,
    reply.selected,
    reply.startRow,
    reply.cells,
    new Map(reply.numbers),
  );
}

/** The worker's replies in order; an error reply, or the thread dying, fails the next read. */
class ReplyQueue {
  private readonly ready: ChunkReply[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(worker: WorkerThreads.Worker, path: string) {
    worker.on("message", (reply: TableReadReply) => {
      if (reply.type === "error") this.fail(replyError(reply, path));
      else this.ready.push(reply);
      this.wake?.();
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      this.fail(
        new FlowOpsError("INTERNAL_ERROR", `reading ${path}: the reading thread exited with code ${code}`),
      );
    });
  }

  async next(): Promise<ChunkReply> {
    for (;;) {
      const reply = this.ready.shift();
      if (reply !== undefined) return reply;
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }
}

function replyError(reply: Extract<TableReadReply, { type: "error" }>, path: string): Error {
  if (!reply.bug) return new FlowOpsError(reply.code, reply.message);
  return new FlowOpsError("INTERNAL_ERROR", `reading ${path}: ${reply.message}`);
}
