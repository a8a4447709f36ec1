/**
 * The shape every table reader streams: a chunk of rows held column by column, so quality checks can walk one
 * column of a bounded slice of a file without knowing whether it came from CSV, JSON Lines or Parquet.
 * Readers build chunks with `MaterialisedTableChunk`; consumers only see the `TableChunk` interface.
 */

import { FlowOpsError } from "../errors.js";
import type { TableFormat } from "./tableFormat.js";

export type { TableFormat } from "./tableFormat.js";

/** CSV gives strings ("" -> null); JSON Lines and Parquet give typed values. */
export type CellValue = string | number | boolean | null;

export interface TableChunk {
  /** Column names in file order (the same for every chunk of one file). */
  readonly columns: readonly string[];
  /** 0-based index of this chunk's first data row within the file (header excluded). */
  readonly startRow: number;
  readonly rowCount: number;
  /** Values of one column, length rowCount; throws FlowOpsError naming the column and the file when absent. */
  column(name: string): readonly CellValue[];
  /** Where data row `index` (0-based within the file) sits, for messages: "row 12 (line 13)" for CSV, "row 12" else. */
  describeRow(fileRow: number): string;
}

export interface TableSource {
  readonly path: string;
  readonly format: TableFormat;
  /**
   * Streams the file; each chunk holds at most `chunkRows` rows. Re-iterable (opens the file again).
   * A file with a header but no data rows yields one chunk of zero rows, so consumers still see the columns.
   */
  chunks(): AsyncIterable<TableChunk>;
  /** The header (CSV), the keys of the first row (JSON Lines) or the schema (Parquet), read without reading the whole file. */
  columns(): Promise<readonly string[]>;
}

/** A chunk whose requested columns are already materialised as arrays. */
export class MaterialisedTableChunk implements TableChunk {
  constructor(
    private readonly path: string,
    readonly columns: readonly string[],
    private readonly values: ReadonlyMap<string, readonly CellValue[]>,
    readonly startRow: number,
    readonly rowCount: number,
    /** Physical line of each row of this chunk (CSV only), indexed from `startRow`. */
    private readonly lines?: Uint32Array,
  ) {}

  column(name: string): readonly CellValue[] {
    const values = this.values.get(name);
    if (values !== undefined) return values;
    throw absentColumnError(this.path, this.columns, [...this.values.keys()], name);
  }

  describeRow(fileRow: number): string {
    const line = this.lines?.[fileRow - this.startRow];
    return line === undefined ? `row ${fileRow + 1}` : `row ${fileRow + 1} (line ${line})`;
  }
}

/** The error for asking a chunk for a column it does not hold: unknown to the file, or not requested. */
export function absentColumnError(
  path: string,
  columns: readonly string[],
  materialised: readonly string[],
  name: string,
): FlowOpsError {
  if (columns.includes(name)) {
    return new FlowOpsError(
      "INVALID_STATE",
      `column '${name}' of ${path} was not read: the table was opened with columns ${materialised.join(", ") || "(none)"}`,
    );
  }
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${path} has no column '${name}'; its columns are: ${columns.join(", ")}`,
  );
}
