/**
 * JSON Lines tables: one JSON object per line, blank lines skipped. The columns are the keys of the first object
 * (later keys that the first object lacks are ignored; a row missing a key gives null). Strings, numbers,
 * booleans and null keep their type; arrays and objects become their JSON text. Streams in 1 MiB blocks into
 * chunks of at most `chunkRows` rows, keeping only the requested columns.
 */

import { FlowOpsError } from "../errors.js";
import { selectColumns } from "./columnSelection.js";
import { InvalidUtf8Error, decodedTextStream } from "./decodedTextStream.js";
import { MaterialisedTableChunk, type CellValue, type TableChunk, type TableSource } from "./tableChunk.js";

export interface JsonLinesTableOptions {
  chunkRows: number;
  columns?: readonly string[] | undefined;
}

type JsonObject = Record<string, unknown>;

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
    let columnsData: CellValue[][] = [];
    let rowCount = 0;
    let startRow = 0;
    const toChunk = (): TableChunk => {
      const values = new Map<string, readonly CellValue[]>();
      selected.forEach((name, slot) => values.set(name, columnsData[slot] ?? []));
      const chunk = new MaterialisedTableChunk(this.path, header ?? [], values, startRow, rowCount);
      startRow += rowCount;
      rowCount = 0;
      columnsData = selected.map(() => []);
      return chunk;
    };
    for await (const value of this.objects()) {
      if (header === undefined) {
        header = Object.keys(value);
        selected = selectColumns(this.path, header, this.options.columns).selected;
        columnsData = selected.map(() => []);
      }
      for (let slot = 0; slot < selected.length; slot++) {
        (columnsData[slot] as CellValue[]).push(toCellValue(value[selected[slot] as string]));
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
      value = JSON.parse(source);
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

function toCellValue(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
