/**
 * JSON Lines output: one object per row with every column as a key, in column order. Numbers keep their type
 * (float32 values in their shortest form, 64-bit integers as exact digits even beyond 2^53); NaN and the
 * infinities, which JSON cannot hold, become null as pandas' to_json writes them.
 */

import type { CellValue } from "./tableChunk.js";
import {
  TableFileSink,
  batchLines,
  numberText,
  type TablePartTarget,
  type TableWriter,
  type WriterColumn,
} from "./tableWriter.js";

export class JsonLinesTableWriter implements TableWriter {
  readonly format = "jsonl" as const;
  private readonly sink: TableFileSink;
  private readonly keys: string[];

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly part?: TablePartTarget,
  ) {
    this.keys = columns.map((name) => `${JSON.stringify(name)}:`);
    this.sink = part?.sink ?? new TableFileSink(path);
  }

  async write(batch: Readonly<Record<string, WriterColumn>>): Promise<void> {
    const text = batchLines(
      this.path,
      this.columns,
      batch,
      { open: "{", separator: ",", close: "}" },
      (value, float32, c) => (this.keys[c] as string) + jsonText(value, float32),
    );
    if (text !== "") this.sink.write(text);
  }

  async appendFile(path: string): Promise<void> {
    this.sink.appendFrom(path, new Uint8Array(0));
  }

  async close(): Promise<void> {
    if (this.part === undefined) this.sink.close();
  }
}

function jsonText(value: CellValue | bigint, float32: boolean): string {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? numberText(value, float32) : "null";
    case "bigint":
      return value.toString();
    case "string":
    case "boolean":
      return JSON.stringify(value);
    default:
      return "null";
  }
}
