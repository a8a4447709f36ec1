/**
 * CSV and TSV tables: a header row names the columns, then one record per row (RFC 4180 quoting, which TSV
 * files may use too). The file is streamed in 1 MiB blocks and parsed into chunks of at most `chunkRows` rows;
 * only the requested columns are kept, so memory is bounded by the chunk, never by the file.
 * Values stay strings; an empty field is null. Each row remembers its physical line for messages.
 */

import { FlowOpsError } from "../errors.js";
import { assertUniqueColumns, selectColumns } from "./columnSelection.js";
import { CsvCellSink, CsvTableChunk } from "./csvChunk.js";
import { CsvRecordParser } from "./csvRecordParser.js";
import { InvalidUtf8Error, decodedTextStream } from "./decodedTextStream.js";
import type { TableChunk, TableSource } from "./tableChunk.js";

export interface DelimitedTableOptions {
  format: "csv" | "tsv";
  chunkRows: number;
  columns?: readonly string[] | undefined;
}

export class DelimitedTableSource implements TableSource {
  readonly format: "csv" | "tsv";
  private readonly separator: string;

  constructor(
    readonly path: string,
    private readonly options: DelimitedTableOptions,
  ) {
    this.format = options.format;
    this.separator = options.format === "tsv" ? "\t" : ",";
  }

  async columns(): Promise<readonly string[]> {
    const reading = new DelimitedTextReading(this.path, this.separator);
    try {
      return await reading.readHeader();
    } finally {
      await reading.close();
    }
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const reading = new DelimitedTextReading(this.path, this.separator);
    try {
      const header = await reading.readHeader();
      const selection = selectColumns(this.path, header, this.options.columns);
      const parser = new CsvRecordParser(this.path, this.separator, header.length, selection.slotOfField);
      const chunkRows = this.options.chunkRows;
      let startRow = 0;
      let yielded = false;
      let sink = new CsvCellSink(chunkRows, selection.selected.length);
      const toChunk = (): TableChunk => {
        const chunk = new CsvTableChunk(this.path, header, selection.selected, startRow, sink);
        startRow += sink.count;
        yielded = true;
        sink = new CsvCellSink(chunkRows, selection.selected.length);
        return chunk;
      };
      for (;;) {
        const final = !(await reading.fill());
        parser.line = reading.line;
        for (;;) {
          reading.pos = parser.parseRows(reading.text, reading.pos, final, sink);
          reading.line = parser.line;
          if (!sink.full) break;
          yield toChunk();
        }
        if (final) break;
      }
      if (sink.count > 0 || !yielded) yield toChunk();
    } finally {
      await reading.close();
    }
  }
}

/**
 * One pass over a delimited file: the decoded text not yet consumed, where consumption stands and on which line,
 * and the translation of invalid UTF-8 into an error naming that line.
 */
class DelimitedTextReading {
  text = "";
  pos = 0;
  /** Physical line of the record at `pos`. */
  line = 1;
  private readonly stream: AsyncGenerator<string, void, undefined>;

  constructor(
    private readonly path: string,
    private readonly separator: string,
  ) {
    this.stream = decodedTextStream(path);
  }

  /** Appends the next decoded block to the unconsumed text; false at the end of the file. */
  async fill(): Promise<boolean> {
    let next: IteratorResult<string, void>;
    try {
      next = await this.stream.next();
    } catch (error) {
      if (error instanceof InvalidUtf8Error) {
        const line = this.line + countLineFeeds(this.text, this.pos) + error.newlinesBefore;
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `${this.path} line ${line}: the text is not valid UTF-8`,
        );
      }
      throw error;
    }
    if (next.done === true) return false;
    this.text = this.pos >= this.text.length ? next.value : this.text.slice(this.pos) + next.value;
    this.pos = 0;
    return true;
  }

  async readHeader(): Promise<string[]> {
    const parser = new CsvRecordParser(this.path, this.separator, -1, new Int32Array(0));
    for (;;) {
      const more = await this.fill();
      parser.line = this.line;
      const header = parser.readHeader(this.text, this.pos, !more);
      if (header !== undefined) {
        this.pos = header.end;
        this.line = parser.line;
        const names = header.fields.map((name) => name ?? "");
        assertUniqueColumns(this.path, names);
        return names;
      }
      if (!more) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `${this.path} is empty: a header row naming the columns is required`,
        );
      }
    }
  }

  async close(): Promise<void> {
    await this.stream.return(undefined);
  }
}

function countLineFeeds(text: string, from: number): number {
  let count = 0;
  for (let i = text.indexOf("\n", from); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
