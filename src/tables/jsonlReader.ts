/**
 * JSON Lines tables: one JSON object per line, blank lines skipped. The columns are the keys of the first object
 * (later keys that the first object lacks are ignored; a row missing a key gives null). Strings, numbers,
 * booleans and null keep their type; arrays and objects become their JSON text. Integers beyond 2^53 stay
 * exact, as pandas reads them: a column of integers holding one is an int64 column of the chunk (see
 * jsonBigIntegers.ts). Streams in 1 MiB blocks into chunks of at most `chunkRows` rows, keeping only the
 * requested columns.
 */

import { FlowOpsError } from "../errors.js";
import { ColumnarTableChunk, type ColumnValues } from "./columnarTableChunk.js";
import { selectColumns } from "./columnSelection.js";
import { InvalidUtf8Error, decodedTextStream } from "./decodedTextStream.js";
import { BigIntegerText, mayHoldBigIntegers, parseJsonKeepingBigIntegers } from "./jsonBigIntegers.js";
import { FlatJsonLineScanner, FlatValueKind } from "./flatJsonLine.js";
import type { CellValue, TableChunk, TableSource } from "./tableChunk.js";

export interface JsonLinesTableOptions {
  chunkRows: number;
  columns?: readonly string[] | undefined;
}

type JsonObject = Record<string, unknown>;

/** A cell as read: a big integer stays a BigInt until its chunk decides its column's type. */
type ReadCell = CellValue | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

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
      selected.forEach((name, slot) => values.set(name, (builders[slot] as JsonColumnBuilder).take()));
      const chunk = new ColumnarTableChunk(this.path, header ?? [], values, startRow, rowCount);
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
          const { kinds, numbers, strings } = scanner;
          for (let slot = 0; slot < builders.length; slot++) {
            const key = keyOfSlot[slot] as number;
            const builder = builders[slot] as JsonColumnBuilder;
            const kind = kinds[key];
            if (kind === FlatValueKind.Number) builder.number(numbers[key] as number);
            else
              builder.cell(
                kind === FlatValueKind.String
                  ? (strings[key] as string)
                  : (LITERALS[kind as number] as CellValue),
              );
          }
        } else {
          const source = text.slice(pos, lineEnd);
          pos = lineEnd + 1;
          if (source.trim() === "") continue;
          const value = this.parseLine(source, line);
          if (header === undefined) {
            header = Object.keys(value);
            selected = selectColumns(this.path, header, this.options.columns).selected;
            const keys = header;
            keyOfSlot = selected.map((name) => keys.indexOf(name));
            builders = selected.map(() => new JsonColumnBuilder());
            scanner = new FlatJsonLineScanner(header);
          }
          for (let slot = 0; slot < builders.length; slot++) {
            (builders[slot] as JsonColumnBuilder).cell(toCell(value[selected[slot] as string]));
          }
          if (++rowCount >= chunkRows) yield toChunk();
          continue;
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

/**
 * One column of a chunk as its rows are read. Numbers go into a Float64Array until a value of another kind
 * comes, and a column of numbers that are not all safe integers is handed out as that array, which moves to the
 * caller's thread without a copy and is what pandas reads (float64). Any other column is handed out as cells,
 * as before: integers among them may make an int64 column downstream (pandasJsonColumn), nulls stay nulls.
 */
class JsonColumnBuilder {
  private numbers = new Float64Array(1024);
  private cells: ReadCell[] | undefined;
  private length = 0;
  private fractional = false;
  private big = false;

  number(value: number): void {
    if (this.cells !== undefined) {
      this.cells.push(value);
    } else {
      if (this.length === this.numbers.length) {
        const grown = new Float64Array(this.numbers.length * 2);
        grown.set(this.numbers);
        this.numbers = grown;
      }
      this.numbers[this.length] = value;
    }
    if (!Number.isSafeInteger(value)) this.fractional = true;
    this.length++;
  }

  cell(value: ReadCell): void {
    if (typeof value === "number") {
      this.number(value);
      return;
    }
    this.cells ??= Array.from(this.numbers.subarray(0, this.length));
    this.cells.push(value);
    if (typeof value === "bigint") this.big = true;
    this.length++;
  }

  /** The column's values so far, which start it afresh. */
  take(): ColumnValues {
    let values: ColumnValues;
    if (this.cells !== undefined) {
      values = this.big ? bigIntegerColumn(this.cells) : (this.cells as CellValue[]);
    } else if (this.fractional) {
      // A full array moves to the caller as it is; a part of one is copied, and the array kept for the next chunk.
      if (this.numbers.length === this.length) {
        values = this.numbers;
        this.numbers = new Float64Array(this.length);
      } else {
        values = this.numbers.slice(0, this.length);
      }
    } else {
      values = Array.from(this.numbers.subarray(0, this.length));
    }
    this.cells = undefined;
    this.length = 0;
    this.fractional = false;
    this.big = false;
    return values;
  }
}

/**
 * A chunk's column that holds a big integer: int64 when all its cells are integers within int64 (as pandas
 * reads it); otherwise numbers, as pandas' float64 for a column with gaps or fractions holds them too.
 */
function bigIntegerColumn(cells: readonly ReadCell[]): ColumnValues {
  const fits = cells.every((cell) =>
    typeof cell === "bigint" ? cell >= INT64_MIN && cell <= INT64_MAX : Number.isSafeInteger(cell),
  );
  if (fits) return BigInt64Array.from(cells, (cell) => BigInt(cell as number | bigint));
  return cells.map((cell) => (typeof cell === "bigint" ? Number(cell) : cell));
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
