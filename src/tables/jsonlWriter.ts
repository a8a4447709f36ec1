/**
 * JSON Lines output: one object per row with every column as a key, in column order. Numbers keep their type
 * (float32 values in their shortest form, 64-bit integers as exact digits even beyond 2^53), and a float
 * column's whole values (typed arrays of doubles or float32 values) keep a point, `1.0`, as pandas' to_json
 * writes them (pandasFloatText.ts); NaN and the infinities, which JSON cannot hold, become null as pandas
 * writes them. JSON values given as their text (JsonValueColumn: nested Parquet columns) are written as values.
 *
 * Rows are encoded straight into bytes (byteBuilder.ts) in blocks of about FLUSH_BYTES, numbers from their
 * digits (ByteBuilder.finiteNumber), or copied as they were read where the reader kept their text
 * (NumberTextColumn): building each line as a string made garbage collection most of the time spent writing
 * a large file.
 */

import { ByteBuilder, viewOf } from "./byteBuilder.js";
import { PandasFloatText, wholeFloatRows } from "./pandasFloatText.js";
import type { CellValue } from "./tableChunk.js";
import {
  JsonValueColumn,
  NumberTextColumn,
  TableFileSink,
  batchRowCount,
  type JsonValueTableWriter,
  type TablePartTarget,
  type WriterColumn,
} from "./tableWriter.js";

/** Bytes encoded before they go to the file: large enough for few system calls, small enough to stay cached. */
const FLUSH_BYTES = 1 << 20;
const OPEN = 123;
const CLOSE = 125;
const LF = 10;
const EMPTY = new Uint8Array(0);
const NO_ROWS = new Int32Array(0);
const NO_VALUES = new Float64Array(0);

export class JsonLinesTableWriter implements JsonValueTableWriter {
  readonly format = "jsonl" as const;
  readonly writesNumberText = true;
  readonly writesJsonValues = true;
  private readonly sink: TableFileSink;
  /** Each column's UTF-8 bytes before its value: `{"name":` for the first, `,"name":` for the others. */
  private readonly keys: Uint8Array[];
  /** The keys again, each followed by zeros to a multiple of four bytes, for ByteBuilder.keyedWords. */
  private readonly keyWords: DataView[];
  private readonly bytes = new ByteBuilder();
  private readonly floats = new PandasFloatText(this.bytes);

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly part?: TablePartTarget,
  ) {
    this.keys = columns.map((name, c) => Buffer.from(`${c === 0 ? "{" : ","}${JSON.stringify(name)}:`));
    this.keyWords = this.keys.map((key) => {
      const padded = new Uint8Array(key.length + 4);
      padded.set(key);
      return viewOf(padded);
    });
    this.sink = part?.sink ?? new TableFileSink(path);
  }

  async write(
    batch: Readonly<Record<string, WriterColumn | NumberTextColumn | JsonValueColumn>>,
  ): Promise<void> {
    const rows = batchRowCount(this.path, this.columns, batch);
    const columns = this.columns.map(
      (name) => batch[name] as WriterColumn | NumberTextColumn | JsonValueColumn,
    );
    const kinds = columns.map(columnKind);
    const bytes = this.bytes;
    const keys = this.keys;
    // Per column of number text, its values, its bytes and where each row's starts and ends.
    const textValues = columns.map((values) =>
      values instanceof NumberTextColumn ? values.values : NO_VALUES,
    );
    // Whole values' text lacks the point pandas writes: their rows, found once, and the next of them per column.
    const wholes = textValues.map(wholeFloatRows);
    const nextWhole = new Int32Array(columns.length);
    const texts = columns.map((values) =>
      viewOf(values instanceof NumberTextColumn ? values.text.bytes : EMPTY),
    );
    const textStarts = columns.map((values) =>
      values instanceof NumberTextColumn ? values.text.starts : NO_ROWS,
    );
    const textEnds = columns.map((values) =>
      values instanceof NumberTextColumn ? values.text.ends : NO_ROWS,
    );
    for (let row = 0; row < rows; row++) {
      if (columns.length === 0) bytes.byte(OPEN);
      for (let c = 0; c < columns.length; c++) {
        const key = keys[c] as Uint8Array;
        const kind = kinds[c];
        if (kind === NUMBER_TEXT) {
          // `String`'s text, which lacks the point of a whole float.
          if ((wholes[c] as Int32Array)[nextWhole[c] as number] === row) {
            nextWhole[c] = (nextWhole[c] as number) + 1;
            bytes.bytes(key);
            this.floats.json((textValues[c] as Float64Array | Float32Array)[row] as number, false);
            continue;
          }
          const start = (textStarts[c] as Int32Array)[row] as number;
          const end = (textEnds[c] as Int32Array)[row] as number;
          bytes.keyedWords(this.keyWords[c] as DataView, key.length, texts[c] as DataView, start, end);
          continue;
        }
        bytes.bytes(key);
        // One branch per kind of column, so that each reads one kind of array (an access that sees several
        // kinds is several times slower).
        switch (kind) {
          case FLOAT64:
            this.writeFloat((columns[c] as Float64Array)[row] as number, false);
            break;
          case FLOAT32:
            this.writeFloat((columns[c] as Float32Array)[row] as number, true);
            break;
          case JSON_VALUE:
            this.bytes.text((columns[c] as JsonValueColumn).texts[row] ?? "null");
            break;
          default:
            this.writeValue((columns[c] as WriterColumn)[row] ?? null);
        }
      }
      bytes.byte(CLOSE);
      bytes.byte(LF);
      if (bytes.length >= FLUSH_BYTES) this.sink.write(bytes.take());
    }
    if (bytes.length > 0) this.sink.write(bytes.take());
  }

  async appendFile(path: string): Promise<void> {
    this.sink.appendFrom(path, new Uint8Array(0));
  }

  async close(): Promise<void> {
    if (this.part === undefined) this.sink.close();
  }

  private writeNumber(value: number, float32: boolean): void {
    // JSON holds no NaN or infinities: null, as pandas' to_json writes them.
    if (value - value === 0) this.bytes.finiteNumber(value, float32);
    else this.bytes.text("null");
  }

  private writeFloat(value: number, float32: boolean): void {
    if (value - value === 0) this.floats.json(value, float32);
    else this.bytes.text("null");
  }

  private writeValue(value: CellValue | bigint): void {
    switch (typeof value) {
      case "number":
        this.writeNumber(value, false);
        return;
      case "bigint":
        this.bytes.text(value.toString());
        return;
      case "string":
      case "boolean":
        this.bytes.text(JSON.stringify(value));
        return;
      default:
        this.bytes.text("null");
    }
  }
}

const FLOAT64 = 0;
const FLOAT32 = 1;
const NUMBER_TEXT = 2;
const JSON_VALUE = 3;
const OTHER = 4;

function columnKind(values: WriterColumn | NumberTextColumn | JsonValueColumn): number {
  if (values instanceof NumberTextColumn) return NUMBER_TEXT;
  if (values instanceof JsonValueColumn) return JSON_VALUE;
  if (values instanceof Float64Array) return FLOAT64;
  return values instanceof Float32Array ? FLOAT32 : OTHER;
}
