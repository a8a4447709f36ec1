/**
 * CSV and TSV output: a header row, then one record per row, quoted per RFC 4180 (a field holding the separator,
 * a double quote, CR or LF is wrapped in quotes with its quotes doubled), records ending in LF as pandas and most
 * tools write them. null is an empty field; an empty string is `""` so other tools can tell the two apart (our
 * reader reads both as null). Other values follow pandas' to_csv: NaN is empty, infinities are inf and -inf,
 * booleans True and False.
 */

import type { CellValue } from "./tableChunk.js";
import { TableFileSink, batchLines, numberText, type TableWriter, type WriterColumn } from "./tableWriter.js";

export class DelimitedTableWriter implements TableWriter {
  private readonly sink: TableFileSink;
  private readonly separator: string;
  private readonly header: Buffer;

  constructor(
    readonly path: string,
    readonly format: "csv" | "tsv",
    readonly columns: readonly string[],
  ) {
    this.separator = format === "tsv" ? "\t" : ",";
    this.header = Buffer.from(
      `${columns.map((name) => quoteField(name, this.separator)).join(this.separator)}\n`,
      "utf8",
    );
    this.sink = new TableFileSink(path);
    this.sink.write(this.header);
  }

  async write(batch: Readonly<Record<string, WriterColumn>>): Promise<void> {
    const text = batchLines(
      this.path,
      this.columns,
      batch,
      { open: "", separator: this.separator, close: "" },
      (value, float32) => this.fieldText(value, float32),
    );
    if (text !== "") this.sink.write(text);
  }

  async appendFile(path: string): Promise<void> {
    this.sink.appendFrom(path, this.header);
  }

  async close(): Promise<void> {
    this.sink.close();
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
