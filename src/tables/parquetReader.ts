/**
 * Parquet tables, read with hyparquet. The schema's top-level fields are the columns; rows are read in windows of
 * `chunkRows` (hyparquet skips the pages before a window without decompressing them and stops after it), only
 * the requested columns. Values become cells: BigInt -> number when it is a safe integer (else its decimal text),
 * Date -> ISO 8601 text, binary -> base64, lists and structs -> JSON text, missing -> null.
 *
 * Memory: decoded values are bounded by the window; the compressed bytes fetched per window are those of the
 * column chunks it touches (a whole row group's column unless the file has an offset index).
 */

import { stat } from "node:fs/promises";

import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import type { AsyncBuffer, ColumnData, FileMetaData } from "hyparquet";

import { FlowOpsError } from "../errors.js";
import { selectColumns } from "./columnSelection.js";
import { MaterialisedTableChunk, type CellValue, type TableChunk, type TableSource } from "./tableChunk.js";

export interface ParquetTableOptions {
  chunkRows: number;
  columns?: readonly string[] | undefined;
}

export class ParquetTableSource implements TableSource {
  readonly format = "parquet" as const;

  constructor(
    readonly path: string,
    private readonly options: ParquetTableOptions,
  ) {}

  async columns(): Promise<readonly string[]> {
    const { metadata } = await this.open();
    return topLevelColumns(metadata);
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const { file, metadata } = await this.open();
    const header = topLevelColumns(metadata);
    const { selected } = selectColumns(this.path, header, this.options.columns);
    const totalRows = Number(metadata.num_rows);
    const chunkRows = this.options.chunkRows;
    let startRow = 0;
    do {
      const endRow = Math.min(totalRows, startRow + chunkRows);
      const rowCount = endRow - startRow;
      const columnsData = new Map<string, CellValue[]>(
        selected.map((name) => [name, new Array<CellValue>(rowCount).fill(null)]),
      );
      if (rowCount > 0 && selected.length > 0) {
        const windowStart = startRow;
        const copyWindow = (data: ColumnData): void => {
          const target = columnsData.get(data.columnName);
          if (target === undefined) return;
          const from = Math.max(data.rowStart, windowStart);
          const to = Math.min(data.rowEnd, endRow);
          for (let row = from; row < to; row++) {
            target[row - windowStart] = toCellValue(data.columnData[row - data.rowStart]);
          }
        };
        try {
          await parquetRead({
            file,
            metadata,
            columns: [...selected],
            rowStart: startRow,
            rowEnd: endRow,
            onChunk: copyWindow,
          });
        } catch (error) {
          throw this.readError(error, `rows ${startRow + 1}-${endRow}`);
        }
      }
      yield new MaterialisedTableChunk(this.path, header, columnsData, startRow, rowCount);
      startRow = endRow;
    } while (startRow < totalRows);
  }

  private async open(): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
    try {
      const info = await stat(this.path);
      if (info.isDirectory()) {
        throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${this.path} is a directory, not a table file`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `table file ${this.path} does not exist`);
      }
      throw error;
    }
    const file = await asyncBufferFromFile(this.path);
    try {
      return { file, metadata: await parquetMetadataAsync(file) };
    } catch (error) {
      throw this.readError(error, "its footer");
    }
  }

  private readError(error: unknown, where: string): unknown {
    if (error instanceof FlowOpsError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${this.path}: cannot read ${where} as Parquet (${reason})`,
      {
        cause: error,
      },
    );
  }
}

function topLevelColumns(metadata: FileMetaData): string[] {
  return parquetSchema(metadata).children.map((child) => child.element.name);
}

function toCellValue(value: unknown): CellValue {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
      return JSON.stringify(value, jsonValue);
  }
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}
