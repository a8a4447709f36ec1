/**
 * The one entry point to tables: picks the reader for a file's format (from its extension unless given) and
 * checks what can be checked without reading: the file exists and the chunk size is sane. Reading, and the
 * check of requested column names against the header, happen when the source is iterated.
 */

import { statSync } from "node:fs";

import { FlowOpsError } from "../errors.js";
import { DelimitedTableSource } from "./csvReader.js";
import { JsonLinesTableSource } from "./jsonlReader.js";
import { ParquetTableSource } from "./parquetReader.js";
import type { TableSource } from "./tableChunk.js";
import { formatFromPath, type TableFormat } from "./tableFormat.js";

export const DEFAULT_CHUNK_ROWS = 65_536;

export interface OpenTableOptions {
  format?: TableFormat | undefined;
  /** Rows per chunk (default 65536). */
  chunkRows?: number | undefined;
  /** Only these columns are materialised; unknown names are an error listing the known ones. */
  columns?: readonly string[] | undefined;
  /**
   * JSON Lines: keep each double's text as the CSV and JSON Lines writers write it (NumberText), for a caller
   * that writes the columns out as text; it costs the reading a copy of every number.
   */
  numberText?: boolean | undefined;
}

export function openTable(path: string, options: OpenTableOptions = {}): TableSource {
  const format = options.format ?? formatFromPath(path);
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `chunkRows must be a positive integer, got ${chunkRows}`,
    );
  }
  assertReadableFile(path);
  const readerOptions = { chunkRows, columns: options.columns };
  switch (format) {
    case "csv":
    case "tsv":
      return new DelimitedTableSource(path, { ...readerOptions, format });
    case "jsonl":
      return new JsonLinesTableSource(path, { ...readerOptions, numberText: options.numberText ?? false });
    case "parquet":
      return new ParquetTableSource(path, readerOptions);
    default:
      return assertNever(format);
  }
}

function assertReadableFile(path: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `table file ${path} does not exist`);
    }
    throw error;
  }
  if (isDirectory)
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path} is a directory, not a table file`);
}

function assertNever(value: never): never {
  throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown table format ${String(value)}`);
}
