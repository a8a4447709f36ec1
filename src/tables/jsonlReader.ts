/**
 * JSON Lines tables: one JSON object per line, blank lines skipped. The columns are the keys of the first object
 * (later keys that the first object lacks are ignored; a row missing a key gives null). Strings, numbers,
 * booleans and null keep their type; arrays and objects become their JSON text (jsonlNestedText.ts). Integers beyond 2^53 stay
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
import { mayHoldBigIntegers, parseJsonKeepingBigIntegers } from "./jsonBigIntegers.js";
import { FlatJsonLineScanner, FlatValueKind } from "./flatJsonLine.js";
import { JsonColumnBuilder, NumberTextBytes, type ReadCell } from "./jsonColumnBuilder.js";
import { nestedValueTexts } from "./jsonlNestedText.js";
import { decodeLine, lineBytesBlocks } from "./lineBytesStream.js";
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
    for await (const block of lineBytesBlocks(this.path)) {
      for (let pos = 0; pos < block.length; line++) {
        const lineEnd = lineEndIn(block, pos);
        const source = decodedLine(this.path, block, pos, lineEnd, line);
        if (source.trim() !== "") return Object.keys(parseLine(this.path, source, line));
        pos = lineEnd + 1;
      }
    }
    return [];
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const rows = new JsonLinesChunkRows(this.path, this.options);
    for await (const block of lineBytesBlocks(this.path)) {
      for (let pos = 0; pos < block.length;) {
        pos = rows.readLines(block, pos);
        if (rows.full) yield rows.take();
      }
    }
    if (rows.header === undefined) selectColumns(this.path, [], this.options.columns);
    if (rows.header === undefined || rows.rowCount > 0 || rows.startRow === 0) yield rows.take();
  }
}

/**
 * The rows of the chunk being read, and the columns the first line gave: `chunks` hands blocks of lines in and
 * takes full chunks out.
 */
class JsonLinesChunkRows {
  header: readonly string[] | undefined;
  rowCount = 0;
  startRow = 0;
  private selected: readonly string[] = [];
  /** Per selected column, the index of its key in the header. */
  private keyOfSlot: number[] = [];
  private builders: JsonColumnBuilder[] = [];
  private scanner: FlatJsonLineScanner | undefined;
  /** Where the chunk's number text goes, when the caller asked for it. */
  private texts: NumberTextBytes | undefined;
  /** The number of the next line, counting blank ones, for errors. */
  private line = 1;

  constructor(
    private readonly path: string,
    private readonly options: JsonLinesTableOptions,
  ) {}

  get full(): boolean {
    return this.rowCount >= this.options.chunkRows;
  }

  /** Reads the lines of `block` from `pos` until its end or until the chunk is full; returns where it stopped. */
  readLines(block: Buffer, pos: number): number {
    const chunkRows = this.options.chunkRows;
    const builders = this.builders;
    const keyOfSlot = this.keyOfSlot;
    const scanner = this.scanner;
    // With number text asked for, the rest of the block is copied into the chunk's text bytes at once (a copy
    // per line cost more than the copying itself); a line's numbers' text is then `base` further on there.
    const base = this.texts === undefined ? 0 : this.texts.append(block, pos, block.length) - pos;
    while (pos < block.length) {
      const lineEnd = lineEndIn(block, pos);
      if (scanner !== undefined && scanner.scan(block, pos, lineEnd)) {
        addScanned(scanner, builders, keyOfSlot, base);
      } else if (!this.readOtherLine(block, pos, lineEnd)) {
        pos = lineEnd + 1;
        this.line++;
        continue;
      } else if (scanner === undefined) {
        // The first line: the columns are known from here on.
        this.line++;
        this.rowCount++;
        return lineEnd + 1;
      }
      pos = lineEnd + 1;
      this.line++;
      if (++this.rowCount >= chunkRows) return pos;
    }
    return pos;
  }

  /** The chunk read so far; the next starts empty. */
  take(): TableChunk {
    const values = new Map<string, ColumnValues>();
    const texts = new Map<string, NumberText>();
    const textBytes = this.texts?.take();
    this.selected.forEach((name, slot) => {
      const builder = this.builders[slot] as JsonColumnBuilder;
      const text = textBytes === undefined ? undefined : builder.numberText(textBytes);
      if (text !== undefined) texts.set(name, text);
      values.set(name, builder.take());
    });
    const chunk = new ColumnarTableChunk(
      this.path,
      this.header ?? [],
      values,
      this.startRow,
      this.rowCount,
      texts,
    );
    this.startRow += this.rowCount;
    this.rowCount = 0;
    return chunk;
  }

  /**
   * A line the scanner could not read (or the first, before there was a scanner): parsed, its values added;
   * false when it is blank.
   */
  private readOtherLine(block: Buffer, pos: number, lineEnd: number): boolean {
    const source = decodedLine(this.path, block, pos, lineEnd, this.line);
    if (source.trim() === "") return false;
    const value = parseLine(this.path, source, this.line);
    const first = this.header === undefined;
    if (first) {
      const header = Object.keys(value);
      this.header = header;
      this.selected = selectColumns(this.path, header, this.options.columns).selected;
      this.keyOfSlot = this.selected.map((name) => header.indexOf(name));
      const texts = this.options.numberText === true ? new NumberTextBytes() : undefined;
      this.texts = texts;
      this.builders = this.selected.map(() => new JsonColumnBuilder(texts));
      this.scanner = new FlatJsonLineScanner(header);
    }
    // The first line, which only JSON.parse could read before its keys were known, goes through the scanner
    // too when it can, so its numbers come with their text; any other line here the scanner just refused.
    if (first && this.scanner?.scan(block, pos, lineEnd) === true) {
      const base = this.texts === undefined ? 0 : this.texts.append(block, pos, lineEnd) - pos;
      addScanned(this.scanner, this.builders, this.keyOfSlot, base);
    } else {
      const line = new ParsedJsonLine(value, source);
      for (let slot = 0; slot < this.builders.length; slot++) {
        (this.builders[slot] as JsonColumnBuilder).cell(line.cell(this.selected[slot] as string));
      }
    }
    return true;
  }
}

function decodedLine(path: string, block: Buffer, start: number, end: number, line: number): string {
  const source = decodeLine(block, start, end);
  if (source === undefined) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path} line ${line}: the text is not valid UTF-8`);
  }
  return source;
}

function parseLine(path: string, source: string, line: number): JsonObject {
  let value: unknown;
  try {
    value = mayHoldBigIntegers(source) ? parseJsonKeepingBigIntegers(source) : JSON.parse(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path} line ${line}: not valid JSON (${reason})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${path} line ${line}: expected a JSON object, found ${kind}`,
    );
  }
  return value as JsonObject;
}

/**
 * The values of a line the scanner read, into the builders of the selected columns; `base` places the line's
 * positions in the chunk's NumberTextBytes (which hold a copy of the line).
 */
function addScanned(
  scanner: FlatJsonLineScanner,
  builders: readonly JsonColumnBuilder[],
  keyOfSlot: readonly number[],
  base: number,
): void {
  const { kinds, numbers, strings, textStarts, textEnds } = scanner;
  for (let slot = 0; slot < builders.length; slot++) {
    const key = keyOfSlot[slot] as number;
    const builder = builders[slot] as JsonColumnBuilder;
    const kind = kinds[key];
    if (kind === FlatValueKind.Number) {
      const end = textEnds[key] as number;
      builder.numberWithText(
        numbers[key] as number,
        base + (textStarts[key] as number),
        end < 0 ? -1 : base + end,
      );
    } else {
      builder.cell(
        kind === FlatValueKind.String ? (strings[key] as string) : (LITERALS[kind as number] as CellValue),
      );
    }
  }
}

/** Where the line starting at `pos` ends: its line feed, or the block's end for a last line without one. */
function lineEndIn(block: Buffer, pos: number): number {
  const lineFeed = block.indexOf(10, pos);
  return lineFeed === -1 ? block.length : lineFeed;
}

/** The cells of FlatValueKind's literals, by kind. */
const LITERALS: readonly CellValue[] = [null, null, true, false, null];

/**
 * A line `JSON.parse` read, whose values the reader takes as cells: nested values as their text in the line
 * (jsonlNestedText.ts, found once for the line), big integers exact.
 */
export class ParsedJsonLine {
  private nested: Map<string, string> | undefined;

  constructor(
    readonly value: JsonObject,
    private readonly source: string,
  ) {}

  /** Whether the value of `name` is an array or an object. */
  isNested(name: string): boolean {
    const item = this.value[name];
    return typeof item === "object" && item !== null;
  }

  cell(name: string): ReadCell {
    const item = this.value[name];
    if (item === undefined || item === null) return null;
    switch (typeof item) {
      case "string":
      case "number":
      case "boolean":
      case "bigint":
        return item;
    }
    this.nested ??= nestedValueTexts(this.source);
    return this.nested.get(name) as string;
  }
}
