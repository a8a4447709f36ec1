/**
 * The one entry point to writing tables, the counterpart of openTable.ts: picks the writer for a format and
 * checks the column names once for every format.
 */

import { FlowOpsError } from "../errors.js";
import { DelimitedTableWriter } from "./csvWriter.js";
import { JsonLinesTableWriter } from "./jsonlWriter.js";
import { ParquetTableWriter } from "./parquetWriter.js";
import type { TableFormat } from "./tableFormat.js";
import type { TablePartTarget, TableWriter } from "./tableWriter.js";

export type { TablePartTarget, TableWriter, TypedArray, WriterColumn } from "./tableWriter.js";
export { TableFileSink } from "./tableWriter.js";

export interface TableWriterOptions {
  /**
   * The file is an intermediate one that only `appendFile` reads back (a batch prediction part). Parquet: its
   * row groups are encoded as the final file's are, so appending copies them, and it has no page indexes,
   * which a copied row group does not carry along.
   */
  intermediate?: boolean | undefined;
}

/** Creates (or truncates) `path` and returns a writer for it. */
export function openTableWriter(
  path: string,
  format: TableFormat,
  columns: readonly string[],
  options: TableWriterOptions = {},
): TableWriter {
  assertUniqueNames(path, columns);
  switch (format) {
    case "csv":
    case "tsv":
      return new DelimitedTableWriter(path, format, columns);
    case "jsonl":
      return new JsonLinesTableWriter(path, columns);
    case "parquet":
      return new ParquetTableWriter(path, columns, { intermediate: options.intermediate === true });
    default:
      return assertNever(format);
  }
}

/**
 * A writer for one part of a file built part by part (see TablePartTarget): it writes after the parts already in
 * `part.sink` and leaves the sink open. Parquet parts are intermediate (TableWriterOptions) and keep their
 * footers apart, for finishParquetParts (parquetParts.ts).
 */
export function openTablePartWriter(
  format: TableFormat,
  columns: readonly string[],
  part: TablePartTarget,
): TableWriter {
  const path = part.sink.path;
  assertUniqueNames(path, columns);
  switch (format) {
    case "csv":
    case "tsv":
      return new DelimitedTableWriter(path, format, columns, part);
    case "jsonl":
      return new JsonLinesTableWriter(path, columns, part);
    case "parquet":
      return new ParquetTableWriter(path, columns, { intermediate: true, part });
    default:
      return assertNever(format);
  }
}

function assertUniqueNames(path: string, columns: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${path}: the column name '${name}' is given more than once`,
      );
    }
    seen.add(name);
  }
}

function assertNever(value: never): never {
  throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown table format ${String(value)}`);
}
