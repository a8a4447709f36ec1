/**
 * Which of a file's columns a reader materialises: all of them, or the ones the caller asked for. Resolved once
 * per pass after the header (or schema) is known, so readers skip unwanted fields without allocating.
 */

import { FlowOpsError } from "../errors.js";

export interface ColumnSelection {
  /** All column names of the file, in file order. */
  readonly fileColumns: readonly string[];
  /** The materialised column names, in file order. */
  readonly selected: readonly string[];
  /** For each file column, its index in `selected`, or -1 when it is skipped. */
  readonly slotOfField: Int32Array;
}

export function selectColumns(
  path: string,
  fileColumns: readonly string[],
  requested: readonly string[] | undefined,
): ColumnSelection {
  const wanted = requested === undefined ? undefined : new Set(requested);
  if (wanted !== undefined) {
    const known = new Set(fileColumns);
    const unknown = [...wanted].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${path} has no column ${unknown.map((name) => `'${name}'`).join(", ")}; ` +
          `its columns are: ${fileColumns.join(", ")}`,
      );
    }
  }
  const slotOfField = new Int32Array(fileColumns.length).fill(-1);
  const selected: string[] = [];
  fileColumns.forEach((name, field) => {
    if (wanted === undefined || wanted.has(name)) {
      slotOfField[field] = selected.length;
      selected.push(name);
    }
  });
  return { fileColumns, selected, slotOfField };
}

/** Rejects duplicate column names, which would make `chunk.column(name)` ambiguous. */
export function assertUniqueColumns(path: string, columns: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${path} has the column name '${name}' more than once`,
      );
    }
    seen.add(name);
  }
}
