/**
 * CSV and TSV output: a header row, then one record per row, quoted per RFC 4180 (a field holding the separator,
 * a double quote, CR or LF is wrapped in quotes with its quotes doubled), records ending in LF as pandas and most
 * tools write them. null is an empty field; an empty string is `""` so other tools can tell the two apart (our
 * reader reads both as null). Other values follow pandas' to_csv: NaN is empty, infinities are inf and -inf,
 * booleans True and False, and a float column's values (typed arrays of doubles or float32 values, a model's
 * FP64 or FP32 output or a Parquet DOUBLE or FLOAT column) numpy's repr, `1.0` and `1e-05` (pandasFloatText.ts).
 *
 * Rows are encoded straight into bytes (byteBuilder.ts) in blocks of about FLUSH_BYTES. Cells that came from a
 * CSV file as spans of its text (`TextCellColumn`) are copied from that text, and float32 values and most doubles
 * are written from their digits (float32Decimal.ts, doubleDecimal.ts); everything else goes through `fieldText`,
 * which defines the output.
 */

import { ByteBuilder, viewOf } from "./byteBuilder.js";
import { cellText, type TextCells } from "./csvChunk.js";
import { int64Words, safeInt64At } from "./int64Words.js";
import { PandasFloatText, csvFloatRowsToFormat } from "./pandasFloatText.js";
import type { CellValue } from "./tableChunk.js";
import type { NumberText } from "./columnarTableChunk.js";
import {
  NumberTextColumn,
  TableFileSink,
  TextCellColumn,
  batchRowCount,
  numberText,
  type TablePartTarget,
  type NumberTextTableWriter,
  type TextCellTableWriter,
  type TypedArray,
  type WriterColumn,
} from "./tableWriter.js";

/** Bytes encoded before they go to the file: large enough for few system calls, small enough to stay cached. */
const FLUSH_BYTES = 1 << 20;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** A batch column with what writing one of its cells needs to know, so the row loop switches on `kind`. */
type OutputColumn =
  | { kind: "text"; cells: TextCells }
  | { kind: "textRun"; run: readonly TextCells[] }
  | {
      kind: "numberText";
      text: NumberText;
      view: DataView;
      values: Float64Array | Float32Array;
      float32: boolean;
      /** The rows whose text is not pandas' (csvFloatRowsToFormat), and where the next of them is in it. */
      formatted: Int32Array;
      next: number;
    }
  | { kind: "float32"; values: Float32Array }
  | { kind: "float64"; values: Float64Array }
  | { kind: "int64"; values: BigInt64Array | BigUint64Array; words: Int32Array | undefined; signed: boolean }
  | {
      kind: "number";
      values: Exclude<TypedArray, Float32Array | Float64Array | BigInt64Array | BigUint64Array>;
    }
  | { kind: "cells"; values: readonly CellValue[] };

export class DelimitedTableWriter implements TextCellTableWriter, NumberTextTableWriter {
  readonly writesTextCells = true;
  readonly writesNumberText = true;
  private readonly sink: TableFileSink;
  private readonly separator: string;
  private readonly separatorCode: number;
  private readonly header: Buffer;
  private readonly bytes = new ByteBuilder();
  private readonly floats = new PandasFloatText(this.bytes);
  /**
   * Text `index` of `texts` holds no quote in [from, quote) and no CR in [from, cr) (a position is the text's
   * length when there is none), so rows, which come in the order of their text, search each text about once.
   */
  private readonly scan = {
    texts: [] as readonly string[],
    index: -1,
    from: 0,
    quote: -1,
    cr: -1,
  };

  constructor(
    readonly path: string,
    readonly format: "csv" | "tsv",
    readonly columns: readonly string[],
    private readonly part?: TablePartTarget,
  ) {
    this.separator = format === "tsv" ? "\t" : ",";
    this.separatorCode = this.separator.charCodeAt(0);
    this.header = Buffer.from(
      `${columns.map((name) => quoteField(name, this.separator)).join(this.separator)}\n`,
      "utf8",
    );
    this.sink = part?.sink ?? new TableFileSink(path);
    if (this.sink.position === 0) this.sink.write(this.header);
  }

  async write(
    batch: Readonly<Record<string, WriterColumn | TextCellColumn | NumberTextColumn>>,
  ): Promise<void> {
    const rows = batchRowCount(this.path, this.columns, batch);
    const columns = outputColumns(this.columns.map((name) => batch[name] as InputColumn));
    const bytes = this.bytes;
    for (let row = 0; row < rows; row++) {
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c] as OutputColumn;
        if (column.kind === "numberText") {
          // Number text (a JSON Lines input's own, or formatted on the reading thread) goes in with its
          // separator four bytes at a time: copying each cell's few bytes one by one was much of this loop.
          // It is `String`'s text, which pandas writes otherwise for whole values and outside 1e-4 to 1e16.
          if (column.formatted[column.next] !== row) {
            const { starts, ends } = column.text;
            bytes.separatedWords(
              c > 0 ? this.separatorCode : -1,
              column.view,
              starts[row] as number,
              ends[row] as number,
            );
          } else {
            if (c > 0) bytes.byte(this.separatorCode);
            this.floats.csv(column.values[row] as number, column.float32);
            column.next++;
          }
          continue;
        }
        if (c > 0) bytes.byte(this.separatorCode);
        this.writeCell(column, row);
      }
      bytes.byte(LF);
      if (bytes.length >= FLUSH_BYTES) this.sink.write(bytes.take());
    }
    if (bytes.length > 0) this.sink.write(bytes.take());
  }

  async appendFile(path: string): Promise<void> {
    this.sink.appendFrom(path, this.header);
  }

  async close(): Promise<void> {
    if (this.part === undefined) this.sink.close();
  }

  /** A cell of any column but number text, which `write` copies itself with its separator. */
  private writeCell(column: Exclude<OutputColumn, { kind: "numberText" }>, row: number): void {
    switch (column.kind) {
      case "text":
        this.writeTextCell(column.cells, row);
        return;
      case "textRun":
        this.writeTextRun(column.run, row);
        return;
      case "float32":
        this.writeFloat(column.values[row] as number, true);
        return;
      case "float64":
        this.writeFloat(column.values[row] as number, false);
        return;
      case "int64":
        this.writeInt64(column, row);
        return;
      case "number":
        this.writeNumber(column.values[row] as number, false);
        return;
      case "cells": {
        const value = column.values[row] ?? null;
        if (typeof value === "number") this.writeNumber(value, false);
        else this.bytes.text(this.fieldText(value, false));
        return;
      }
    }
  }

  /** The cell's span of file text as it is, unless it needs quotes or is not ASCII: then as its string. */
  private writeTextCell(cells: TextCells, row: number): void {
    const at = cells.first + row * cells.stride;
    const start = cells.spans[at] as number;
    const end = cells.spans[at + 1] as number;
    const text = cells.texts[cells.textOfRow[row] as number] as string;
    if (start >= 0 && copyPlainSpan(this.bytes, text, start, end, this.separatorCode)) return;
    this.bytes.text(this.fieldText(cellText(cells, row), false));
  }

  /**
   * Cells that lie side by side in one line of the file, split by this writer's separator, and hold no quote or
   * CR: the stretch of text from the first to the last, separators included, is what writing each would give,
   * and one native UTF-8 copy of it costs a fraction of copying its characters one by one.
   */
  private writeTextRun(run: readonly TextCells[], row: number): void {
    const first = run[0] as TextCells;
    const { spans, stride } = first;
    const base = row * stride;
    const start = spans[first.first + base] as number;
    const text = first.texts[first.textOfRow[row] as number] as string;
    let adjacent = start >= 0;
    for (let k = 1; adjacent && k < run.length; k++) {
      const end = spans[(run[k - 1] as TextCells).first + base + 1] as number;
      adjacent =
        spans[(run[k] as TextCells).first + base] === end + 1 && text.charCodeAt(end) === this.separatorCode;
    }
    const end = spans[(run[run.length - 1] as TextCells).first + base + 1] as number;
    if (adjacent && this.freeOfQuotesAndCrs(first, row, start, end)) {
      this.bytes.text(text.substring(start, end));
      return;
    }
    for (let k = 0; k < run.length; k++) {
      if (k > 0) this.bytes.byte(this.separatorCode);
      this.writeTextCell(run[k] as TextCells, row);
    }
  }

  /** Whether text[start, end) of the row's text is free of quotes and CRs, from positions found once per text. */
  private freeOfQuotesAndCrs(cells: TextCells, row: number, start: number, end: number): boolean {
    const scan = this.scan;
    const index = cells.textOfRow[row] as number;
    if (scan.texts !== cells.texts || scan.index !== index || start < scan.from) {
      scan.texts = cells.texts;
      scan.index = index;
      scan.quote = -1;
      scan.cr = -1;
    }
    const text = cells.texts[index] as string;
    if (scan.quote < start) scan.quote = positionOf(text, '"', start);
    if (scan.cr < start) scan.cr = positionOf(text, "\r", start);
    scan.from = start;
    return scan.quote >= end && scan.cr >= end;
  }

  /** A number as `fieldText` writes it: finite ones from their digits (ByteBuilder.finiteNumber). */
  private writeNumber(value: number, float32: boolean): void {
    if (value - value === 0) this.bytes.finiteNumber(value, float32);
    else this.bytes.text(this.fieldText(value, float32));
  }

  /** A float column's value as pandas writes it: numpy's repr (PandasFloatText.csv), NaN empty, inf, -inf. */
  private writeFloat(value: number, float32: boolean): void {
    if (value - value === 0) this.floats.csv(value, float32);
    else this.bytes.text(this.fieldText(value, float32));
  }

  /** 64-bit integers from their 32-bit halves while they are safe integers: no BigInt made per cell. */
  private writeInt64(column: Extract<OutputColumn, { kind: "int64" }>, row: number): void {
    const value = column.words === undefined ? undefined : safeInt64At(column.words, row, column.signed);
    if (value !== undefined) {
      this.bytes.integer(value);
      return;
    }
    this.bytes.text((column.values[row] as bigint).toString());
  }

  private fieldText(value: CellValue | bigint, float32: boolean): string {
    switch (typeof value) {
      case "string":
        return value === "" ? '""' : quoteField(value, this.separator);
      case "number":
        if (Number.isNaN(value)) return "";
        if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
        return numberText(value, float32);
      case "bigint":
        return value.toString();
      case "boolean":
        return value ? "True" : "False";
      default:
        return "";
    }
  }
}

/** RFC 4180: quote when the field holds the separator, a quote, CR or LF; double the quotes inside. */
export function quoteField(text: string, separator: string): string {
  const needsQuotes =
    text.includes(separator) || text.includes('"') || text.includes("\n") || text.includes("\r");
  return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Copies text[start, end) of a cell's text into `bytes` when all of it is ASCII that `quoteField` leaves as it is,
 * and says whether it did; an empty span is a null cell, an empty field. Nothing is kept from a refused copy.
 */
export function copyPlainSpan(
  bytes: ByteBuilder,
  text: string,
  start: number,
  end: number,
  separatorCode: number,
): boolean {
  const out = bytes.reserve(end - start);
  let at = bytes.length;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 || code === separatorCode || code === QUOTE || code === LF || code === CR) return false;
    out[at++] = code;
  }
  bytes.length = at;
  return true;
}

function positionOf(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at === -1 ? text.length : at;
}

/** The batch's columns in order, side-by-side CSV cells of one chunk gathered into runs. */
type InputColumn = WriterColumn | TextCellColumn | NumberTextColumn;

function outputColumns(columns: readonly InputColumn[]): OutputColumn[] {
  const result: OutputColumn[] = [];
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c] as InputColumn;
    const run: TextCells[] = [];
    for (let k = c; k < columns.length; k++) {
      const next = columns[k];
      // One run shares one chunk's text and spans (so a row's cells are found at one stride).
      if (!(next instanceof TextCellColumn) || (run.length > 0 && next.cells.spans !== run[0]?.spans)) break;
      run.push(next.cells);
    }
    if (run.length > 1) {
      result.push({ kind: "textRun", run });
      c += run.length - 1;
    } else {
      result.push(outputColumn(column));
    }
  }
  return result;
}

function outputColumn(column: InputColumn): OutputColumn {
  if (column instanceof TextCellColumn) return { kind: "text", cells: column.cells };
  if (column instanceof NumberTextColumn) {
    const { values, text } = column;
    const float32 = values instanceof Float32Array;
    const formatted = csvFloatRowsToFormat(values, float32);
    return { kind: "numberText", text, view: viewOf(text.bytes), values, float32, formatted, next: 0 };
  }
  if (column instanceof Float32Array) return { kind: "float32", values: column };
  if (column instanceof Float64Array) return { kind: "float64", values: column };
  if (column instanceof BigInt64Array || column instanceof BigUint64Array) {
    return {
      kind: "int64",
      values: column,
      words: int64Words(column),
      signed: column instanceof BigInt64Array,
    };
  }
  if (ArrayBuffer.isView(column)) return { kind: "number", values: column };
  return { kind: "cells", values: column };
}
