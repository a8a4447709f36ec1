/**
 * JSON Lines output: one object per row with every column as a key, in column order. Numbers keep their type
 * (float32 values in their shortest form, 64-bit integers as exact digits even beyond 2^53); NaN and the
 * infinities, which JSON cannot hold, become null as pandas' to_json writes them.
 *
 * Rows are encoded straight into bytes (byteBuilder.ts) in blocks of about FLUSH_BYTES, numbers from their
 * digits (ByteBuilder.finiteNumber), or copied as they were read where the reader kept their text
 * (NumberTextColumn): building each line as a string made garbage collection most of the time spent writing
 * a large file.
 */

import { ByteBuilder, viewOf } from "./byteBuilder.js";
import type { CellValue } from "./tableChunk.js";
import {
  NumberTextColumn,
  TableFileSink,
  batchRowCount,
  type NumberTextTableWriter,
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

export class JsonLinesTableWriter implements NumberTextTableWriter {
  readonly format = "jsonl" as const;
  readonly writesNumberText = true;
  private readonly sink: TableFileSink;
  /** Each column's UTF-8 bytes before its value: `{"name":` for the first, `,"name":` for the others. */
  private readonly keys: Uint8Array[];
  /** The keys again, each followed by zeros to a multiple of four bytes, for ByteBuilder.keyedWords. */
  private readonly keyWords: DataView[];
  private readonly bytes = new ByteBuilder();

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

  async write(batch: Readonly<Record<string, WriterColumn | NumberTextColumn>>): Promise<void> {
    const rows = batchRowCount(this.path, this.columns, batch);
    const columns = this.columns.map((name) => batch[name] as WriterColumn | NumberTextColumn);
    const kinds = columns.map(columnKind);
    const bytes = this.bytes;
    const keys = this.keys;
    // Per column of number text, its bytes and where each row's starts and ends.
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
            this.writeNumber((columns[c] as Float64Array)[row] as number, false);
            break;
          case FLOAT32:
            this.writeNumber((columns[c] as Float32Array)[row] as number, true);
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
const OTHER = 3;

function columnKind(values: WriterColumn | NumberTextColumn): number {
  if (values instanceof NumberTextColumn) return NUMBER_TEXT;
  if (values instanceof Float64Array) return FLOAT64;
  return values instanceof Float32Array ? FLOAT32 : OTHER;
}
