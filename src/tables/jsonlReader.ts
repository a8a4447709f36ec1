/**
 * JSON Lines tables: one JSON object per line, blank lines skipped. The columns are the keys of the first object
 * (later keys that the first object lacks are ignored; a row missing a key gives null). Strings, numbers,
 * booleans and null keep their type; arrays and objects become their JSON text. Integers beyond 2^53 stay
 * exact, as pandas reads them: a column of integers holding one is an int64 column of the chunk (see
 * jsonBigIntegers.ts). Streams in 1 MiB blocks into chunks of at most `chunkRows` rows, keeping only the
 * requested columns.
 *
 * Most lines are read by FlatJsonLineScanner (flatJsonLine.ts) without `JSON.parse`; the others, and the first,
 * whose keys are the columns, are parsed. Columns are built by JsonColumnBuilder (jsonColumnBuilder.ts):
 * doubles as a Float64Array with their text as the writers write it, everything else as cells.
 */

import { FlowOpsError } from "../errors.js";
import { ColumnarTableChunk, type ColumnValues, type NumberText } from "./columnarTableChunk.js";
import { selectColumns } from "./columnSelection.js";
import { InvalidUtf8Error, decodedTextStream } from "./decodedTextStream.js";
import { BigIntegerText, mayHoldBigIntegers, parseJsonKeepingBigIntegers } from "./jsonBigIntegers.js";
import { FlatJsonLineScanner, FlatValueKind } from "./flatJsonLine.js";
import { JsonColumnBuilder, type ReadCell } from "./jsonColumnBuilder.js";
import type { CellValue, TableChunk, TableSource } from "./tableChunk.js";

export interface JsonLinesTableOptions {
  chunkRows: number;
  columns?: readonly string[] | undefined;
  /** Keep each double's text (JsonColumnBuilder). */
  numberText?: boolean | undefined;
}

type JsonObject = Record<string, unknown>;

export class JsonLinesTableSource implements TableSource {
  readonly format = "jsonl" as const;

  constructor(
    readonly path: string,
    private readonly options: JsonLinesTableOptions,
  ) {}

  async columns(): Promise<readonly string[]> {
    let line = 1;
    for await (const block of this.lineBlocks(() => line)) {
      for (let pos = 0; pos < block.end; line++) {
        const lineEnd = lineEndIn(block, pos);
        const source = block.text.slice(pos, lineEnd);
        if (source.trim() !== "") return Object.keys(this.parseLine(source, line));
        pos = lineEnd + 1;
      }
    }
    return [];
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const chunkRows = this.options.chunkRows;
    let header: readonly string[] | undefined;
    let selected: readonly string[] = [];
    /** Per selected column, the index of its key in the header. */
    let keyOfSlot: number[] = [];
    let builders: JsonColumnBuilder[] = [];
    let scanner: FlatJsonLineScanner | undefined;
    let rowCount = 0;
    let startRow = 0;
    const toChunk = (): TableChunk => {
      const values = new Map<string, ColumnValues>();
      const texts = new Map<string, NumberText>();
      selected.forEach((name, slot) => {
        const builder = builders[slot] as JsonColumnBuilder;
        const text = builder.numberText();
        if (text !== undefined) texts.set(name, text);
        values.set(name, builder.take());
      });
      const chunk = new ColumnarTableChunk(this.path, header ?? [], values, startRow, rowCount, texts);
      startRow += rowCount;
      rowCount = 0;
      return chunk;
    };
    let line = 1;
    for await (const block of this.lineBlocks(() => line)) {
      const text = block.text;
      for (let pos = 0; pos < block.end; line++) {
        const lineEnd = lineEndIn(block, pos);
        if (scanner?.scan(text, pos, lineEnd) === true) {
          addScanned(scanner, builders, keyOfSlot, text);
        } else {
          const source = text.slice(pos, lineEnd);
          if (source.trim() === "") {
            pos = lineEnd + 1;
            continue;
          }
          const value = this.parseLine(source, line);
          const first = header === undefined;
          if (first) {
            header = Object.keys(value);
            selected = selectColumns(this.path, header, this.options.columns).selected;
            const keys = header;
            keyOfSlot = selected.map((name) => keys.indexOf(name));
            const keepText = this.options.numberText ?? false;
            builders = selected.map(() => new JsonColumnBuilder(keepText));
            scanner = new FlatJsonLineScanner(header);
          }
          // The first line, which only JSON.parse could read before its keys were known, goes through the scanner
          // too when it can, so its numbers come with their text; any other line here the scanner just refused.
          if (first && scanner?.scan(text, pos, lineEnd) === true) {
            addScanned(scanner, builders, keyOfSlot, text);
          } else {
            for (let slot = 0; slot < builders.length; slot++) {
              (builders[slot] as JsonColumnBuilder).cell(toCell(value[selected[slot] as string]));
            }
          }
        }
        pos = lineEnd + 1;
        if (++rowCount >= chunkRows) yield toChunk();
      }
    }
    if (header === undefined) {
      selectColumns(this.path, [], this.options.columns);
      yield toChunk();
    } else if (rowCount > 0 || startRow === 0) {
      yield toChunk();
    }
  }

  /**
   * The file's text in blocks of whole lines: each line of `text[0, end)` ends at a line feed, except the
   * file's last when it has none. `line()` is the number of the first line not yet read, for a UTF-8 error.
   */
  private async *lineBlocks(line: () => number): AsyncGenerator<LineBlock, void, undefined> {
    const stream = decodedTextStream(this.path);
    let rest = "";
    try {
      for (;;) {
        let next: IteratorResult<string, void>;
        try {
          next = await stream.next();
        } catch (error) {
          if (error instanceof InvalidUtf8Error) {
            const at = line() + countLineFeeds(rest) + error.newlinesBefore;
            throw new FlowOpsError(
              "INVALID_PARAMETER_VALUE",
              `${this.path} line ${at}: the text is not valid UTF-8`,
            );
          }
          throw error;
        }
        if (next.done === true) {
          if (rest !== "") yield { text: rest, end: rest.length };
          return;
        }
        const text = rest + next.value;
        const end = text.lastIndexOf("\n") + 1;
        if (end === 0) {
          rest = text;
          continue;
        }
        rest = end === text.length ? "" : text.slice(end);
        yield { text, end };
      }
    } finally {
      await stream.return(undefined);
    }
  }

  private parseLine(source: string, line: number): JsonObject {
    let value: unknown;
    try {
      value = mayHoldBigIntegers(source) ? parseJsonKeepingBigIntegers(source) : JSON.parse(source);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${this.path} line ${line}: not valid JSON (${reason})`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${this.path} line ${line}: expected a JSON object, found ${kind}`,
      );
    }
    return value as JsonObject;
  }
}

/** The values of a line the scanner read, into the builders of the selected columns. */
function addScanned(
  scanner: FlatJsonLineScanner,
  builders: readonly JsonColumnBuilder[],
  keyOfSlot: readonly number[],
  text: string,
): void {
  const { kinds, numbers, strings, textStarts, textEnds } = scanner;
  for (let slot = 0; slot < builders.length; slot++) {
    const key = keyOfSlot[slot] as number;
    const builder = builders[slot] as JsonColumnBuilder;
    const kind = kinds[key];
    if (kind === FlatValueKind.Number) {
      builder.numberWithText(
        numbers[key] as number,
        text,
        textStarts[key] as number,
        textEnds[key] as number,
      );
    } else {
      builder.cell(
        kind === FlatValueKind.String ? (strings[key] as string) : (LITERALS[kind as number] as CellValue),
      );
    }
  }
}

interface LineBlock {
  readonly text: string;
  readonly end: number;
}

/** Where the line starting at `pos` ends: its line feed, or the block's end for a last line without one. */
function lineEndIn(block: LineBlock, pos: number): number {
  const lineFeed = block.text.indexOf("\n", pos);
  return lineFeed === -1 || lineFeed > block.end ? block.end : lineFeed;
}

/** The cells of FlatValueKind's literals, by kind. */
const LITERALS: readonly CellValue[] = [null, null, true, false, null];

function toCell(value: unknown): ReadCell {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return value;
  }
  return value instanceof BigIntegerText ? value.toJSONText() : JSON.stringify(value);
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
