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
import { MaterialisedTableChunk, type CellValue, type TableChunk, type TableSource } from "./tableChunk.js";

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
    for await (const value of this.objects()) return Object.keys(value);
    return [];
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const chunkRows = this.options.chunkRows;
    let header: readonly string[] | undefined;
    let selected: readonly string[] = [];
    let columnsData: ReadCell[][] = [];
    let bigColumns = new Set<number>();
    let rowCount = 0;
    let startRow = 0;
    const toChunk = (): TableChunk => {
      let chunk: TableChunk;
      if (bigColumns.size === 0) {
        const values = new Map<string, readonly CellValue[]>();
        selected.forEach((name, slot) => values.set(name, (columnsData[slot] ?? []) as CellValue[]));
        chunk = new MaterialisedTableChunk(this.path, header ?? [], values, startRow, rowCount);
      } else {
        const values = new Map<string, ColumnValues>();
        selected.forEach((name, slot) => {
          const cells = columnsData[slot] ?? [];
          values.set(name, bigColumns.has(slot) ? bigIntegerColumn(cells) : (cells as CellValue[]));
        });
        chunk = new ColumnarTableChunk(this.path, header ?? [], values, startRow, rowCount);
      }
      startRow += rowCount;
      rowCount = 0;
      columnsData = selected.map(() => []);
      bigColumns = new Set();
      return chunk;
    };
    for await (const value of this.objects()) {
      if (header === undefined) {
        header = Object.keys(value);
        selected = selectColumns(this.path, header, this.options.columns).selected;
        columnsData = selected.map(() => []);
      }
      for (let slot = 0; slot < selected.length; slot++) {
        const cell = toCell(value[selected[slot] as string]);
        if (typeof cell === "bigint") bigColumns.add(slot);
        (columnsData[slot] as ReadCell[]).push(cell);
      }
      if (++rowCount >= chunkRows) yield toChunk();
    }
    if (header === undefined) {
      selectColumns(this.path, [], this.options.columns);
      yield toChunk();
    } else if (rowCount > 0 || startRow === 0) {
      yield toChunk();
    }
  }

  /** The file's objects, in order. */
  private async *objects(): AsyncGenerator<JsonObject, void, undefined> {
    const stream = decodedTextStream(this.path);
    let rest = "";
    let line = 1;
    try {
      for (;;) {
        let next: IteratorResult<string, void>;
        try {
          next = await stream.next();
        } catch (error) {
          if (error instanceof InvalidUtf8Error) {
            const at = line + countLineFeeds(rest) + error.newlinesBefore;
            throw new FlowOpsError(
              "INVALID_PARAMETER_VALUE",
              `${this.path} line ${at}: the text is not valid UTF-8`,
            );
          }
          throw error;
        }
        const final = next.done === true;
        const text = final ? rest : rest + next.value;
        let pos = 0;
        for (;;) {
          let lineFeed = text.indexOf("\n", pos);
          if (lineFeed === -1) {
            if (!final || pos >= text.length) break;
            lineFeed = text.length;
          }
          const source = text.slice(pos, lineFeed);
          if (source.trim() !== "") yield this.parseLine(source, line);
          line++;
          pos = lineFeed + 1;
        }
        if (final) return;
        rest = pos >= text.length ? "" : text.slice(pos);
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
