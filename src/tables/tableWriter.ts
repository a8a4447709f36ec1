/**
 * The seam for writing tables: a writer streams batches of columns to a file in one format (CSV/TSV, JSON Lines,
 * Parquet) and can append the rows of a file an earlier writer of the same format produced, which is how batch
 * prediction joins its part files into the final output. Columns hold cells (`CellValue`, what the readers give)
 * or typed arrays (what a model's output tensors hold), so predictions keep their numeric type. Writers are
 * created by `openTableWriter` (openTableWriter.ts); this file holds the interface and what all writers share.
 */

import { closeSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";

import { FlowOpsError } from "../errors.js";
import type { NumberText } from "./columnarTableChunk.js";
import type { TextCells } from "./csvChunk.js";
import { decimalValue, float32Digits } from "./float32Decimal.js";
import type { CellValue } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** One column of a batch: cells, or a typed array (Uint8Array holds numbers here; booleans come as cells). */
export type WriterColumn = readonly CellValue[] | TypedArray;

export interface TableWriter {
  readonly path: string;
  readonly format: TableFormat;
  /** Column names in output order; every batch holds exactly these. */
  readonly columns: readonly string[];
  /** Appends the batch's rows; all columns have the same length. */
  write(columns: Readonly<Record<string, WriterColumn>>): Promise<void>;
  /**
   * Appends the rows of `path`, a file written by a writer of this format with the same columns. The rows may
   * be read only at `close` (Parquet reads every appended footer first, to choose types that hold them all),
   * so the file must stay in place until then.
   */
  appendFile(path: string): Promise<void>;
  /** Finishes the file (the Parquet footer) and closes it; a writer that got no rows writes an empty table. */
  close(): Promise<void>;
}

/**
 * A column of CSV cells as spans of the text they were read from (csvChunk.ts), so that a writer of text can copy
 * them as they were in the file: their text is what the reader's cells would hold, without a string made per cell.
 */
export class TextCellColumn {
  constructor(readonly cells: TextCells) {}

  get length(): number {
    return this.cells.rowCount;
  }
}

/** Capability of writers that take `TextCellColumn`s besides the usual columns. */
export interface TextCellTableWriter extends TableWriter {
  readonly writesTextCells: true;
  write(columns: Readonly<Record<string, WriterColumn | TextCellColumn>>): Promise<void>;
}

export function writesTextCells(writer: TableWriter): writer is TextCellTableWriter {
  return (writer as Partial<TextCellTableWriter>).writesTextCells === true;
}

/**
 * A column of doubles or float32 values with their text (NumberText: each number's text is what a writer of
 * text writes for it: `String`'s for a double, the shortest that reads back for a float32), as read or as the
 * reading thread formatted it, for such a writer to copy instead of formatting every number again.
 */
export class NumberTextColumn {
  constructor(
    readonly values: Float64Array | Float32Array,
    readonly text: NumberText,
  ) {}

  get length(): number {
    return this.values.length;
  }
}

/** Capability of writers that take `NumberTextColumn`s besides the usual columns. */
export interface NumberTextTableWriter extends TableWriter {
  readonly writesNumberText: true;
  write(columns: Readonly<Record<string, WriterColumn | NumberTextColumn>>): Promise<void>;
}

export function writesNumberText(writer: TableWriter): writer is NumberTextTableWriter {
  return (writer as Partial<NumberTextTableWriter>).writesNumberText === true;
}

/**
 * A column of JSON values as their text (a nested Parquet column as pandas writes it, parquetNestedJson.ts), for
 * a writer of JSON to write as values rather than as strings; null is a missing value.
 */
export class JsonValueColumn {
  constructor(readonly texts: readonly (string | null)[]) {}

  get length(): number {
    return this.texts.length;
  }
}

/** Capability of writers that take `JsonValueColumn`s besides the usual columns (and number text). */
export interface JsonValueTableWriter extends NumberTextTableWriter {
  readonly writesJsonValues: true;
  write(columns: Readonly<Record<string, WriterColumn | NumberTextColumn | JsonValueColumn>>): Promise<void>;
}

export function writesJsonValues(writer: TableWriter): writer is JsonValueTableWriter {
  return (writer as Partial<JsonValueTableWriter>).writesJsonValues === true;
}

/**
 * Checks a batch against the writer's columns and returns its row count: every column present, no extra ones,
 * all of one length.
 */
export function batchRowCount(
  path: string,
  columns: readonly string[],
  batch: Readonly<Record<string, { readonly length: number }>>,
): number {
  const extra = Object.keys(batch).filter((name) => !columns.includes(name));
  if (extra.length > 0) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${path}: the batch has column ${extra.map((n) => `'${n}'`).join(", ")}, which the table does not have; ` +
        `its columns are: ${columns.join(", ")}`,
    );
  }
  let rows: number | undefined;
  for (const name of columns) {
    const values = batch[name];
    if (values === undefined) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: the batch lacks column '${name}'`);
    }
    if (rows !== undefined && values.length !== rows) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${path}: column '${name}' has ${values.length} values where the batch has ${rows} rows`,
      );
    }
    rows = values.length;
  }
  return rows ?? 0;
}

/**
 * The shortest decimal text that reads back as the same number: JavaScript's own for doubles, and for float32
 * values (a model's FP32 output) the fewest digits that round back to the same float32, so 0.1f prints as
 * "0.1" rather than "0.10000000149011612". The search below defines that form; float32Digits finds the same
 * digits without strings, and the search runs only for the few values it leaves.
 */
export function numberText(value: number, float32: boolean): string {
  if (!float32 || !Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const decimal = { digits: 0, exponent: 0 };
  if (float32Digits(Math.abs(value), decimal)) {
    const magnitude = decimalValue(decimal.digits, decimal.exponent);
    return String(value < 0 ? -magnitude : magnitude);
  }
  return float32TextBySearch(value);
}

/**
 * A float32 value's shortest round-tripping text found by trying toPrecision: the definition float32Digits
 * agrees with, and the path for the few values it leaves. Most float32 values need 8 or 9 digits: start at 8,
 * walk down while shorter still round-trips, else up (if d digits round-trip so do d+1: the nearest
 * (d+1)-digit number is at least as close).
 */
export function float32TextBySearch(value: number): string {
  const roundTrips = (digits: number): boolean => Math.fround(Number(value.toPrecision(digits))) === value;
  let digits = 8;
  if (roundTrips(digits)) {
    while (digits > 1 && roundTrips(digits - 1)) digits--;
  } else {
    while (digits < 9 && !roundTrips(digits)) digits++;
  }
  return String(Number(value.toPrecision(digits)));
}

const COPY_BLOCK_BYTES = 1 << 20;

/**
 * Where a writer of one part of a file built part by part (batch prediction's output) writes: into `sink`, after
 * the parts before it, leaving the sink open for the next part. Text formats write their header only at the
 * file's start. Parquet writes its opening magic only there, and its part's footer to `footerPath` instead of
 * the file (parquetParts.ts joins the footers when the last part is in).
 */
export interface TablePartTarget {
  sink: TableFileSink;
  footerPath: string;
}

/**
 * The file a writer streams to. Writes are synchronous: a batch (or, for CSV, a megabyte of it) is encoded in
 * memory first, so each write is one system call for many rows, and a writer needs no back-pressure handling.
 * A sink given `continueAt` continues a file that earlier writers built part by part: it keeps that many bytes,
 * drops whatever lies past them (a part cut short), and writes from there; 0 creates or empties the file.
 */
export class TableFileSink {
  private readonly fd: number;
  private closed = false;
  /** Bytes in the file: where the next write goes. */
  private at: number;

  constructor(
    readonly path: string,
    continueAt = 0,
  ) {
    try {
      this.fd = openSync(path, continueAt > 0 ? "r+" : "w");
      if (continueAt > 0) ftruncateSync(this.fd, continueAt);
    } catch (error) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        { cause: error },
      );
    }
    this.at = continueAt;
  }

  get position(): number {
    return this.at;
  }

  write(data: string | Uint8Array): void {
    if (this.closed) throw new FlowOpsError("INVALID_STATE", `${this.path} is already closed`);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let offset = 0;
    while (offset < bytes.length) {
      offset += writeSync(this.fd, bytes, offset, bytes.length - offset, this.at + offset);
    }
    this.at += bytes.length;
  }

  /**
   * Appends the bytes of `source` after its first `prefix.length` bytes, which must equal `prefix` (a part's
   * header, checked so that parts written with other columns are never glued together).
   */
  appendFrom(source: string, prefix: Uint8Array): void {
    const fd = openSync(source, "r");
    try {
      const head = Buffer.alloc(prefix.length);
      const got = prefix.length === 0 ? 0 : readSync(fd, head, 0, prefix.length, 0);
      if (got !== prefix.length || !head.equals(prefix)) {
        throw new FlowOpsError(
          "INVALID_STATE",
          `${source} does not start with the header of ${this.path}; it was written with other columns`,
        );
      }
      const block = Buffer.alloc(COPY_BLOCK_BYTES);
      let position = prefix.length;
      for (;;) {
        const read = readSync(fd, block, 0, block.length, position);
        if (read === 0) break;
        this.write(block.subarray(0, read));
        position += read;
      }
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
