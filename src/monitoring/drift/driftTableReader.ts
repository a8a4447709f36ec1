/**
 * Reads a table file (any format src/tables opens) into a DriftTable: a column whose every present cell is a
 * number (pandas' parsing, missing markers and infinities allowed) becomes numerical, any other becomes
 * categorical labels, or the caller names the categorical ones (codes stored as numbers, for instance).
 * Numbers are read in one pass; a column found to hold text is read again as labels, since the earlier
 * chunks were not kept as text.
 */

import { FlowOpsError } from "../../errors.js";
import { hasTypedColumns, type NumericArray } from "../../tables/columnarTableChunk.js";
import { labelColumn, numericColumn } from "../../tables/numericColumn.js";
import type { TableSource } from "../../tables/tableChunk.js";
import type { DriftTable } from "./datasetDrift.js";

export interface ReadDriftTableOptions {
  /** Columns to read (default: all of the file's). */
  columns?: readonly string[] | undefined;
  /** Columns read as labels even when every value is a number. */
  categorical?: readonly string[] | undefined;
}

export async function readDriftTable(
  source: TableSource,
  options: ReadDriftTableOptions = {},
): Promise<DriftTable> {
  const fileColumns = await source.columns();
  const names = options.columns ?? fileColumns;
  for (const name of [...names, ...(options.categorical ?? [])]) {
    if (!fileColumns.includes(name)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${source.path} has no column '${name}'; its columns are: ${fileColumns.join(", ")}`,
      );
    }
  }
  const labels = new Set(options.categorical ?? []);
  const numbers = new Map<string, NumericArray[]>();
  for (const name of names) if (!labels.has(name)) numbers.set(name, []);
  if (numbers.size > 0) {
    for await (const chunk of source.chunks()) {
      for (const [name, parts] of numbers) {
        // A typed column is kept as it comes: missing values and infinities are allowed here, so it needs no
        // check, and the join at the end is its one copy.
        const typed = hasTypedColumns(chunk) ? chunk.typedColumn(name) : undefined;
        if (typed !== undefined) {
          parts.push(typed);
          continue;
        }
        try {
          parts.push(numericColumn(chunk, name, { allowMissing: true, allowInfinite: true }));
        } catch (error) {
          if (!(error instanceof FlowOpsError) || error.code !== "INVALID_PARAMETER_VALUE") throw error;
          numbers.delete(name);
          labels.add(name);
        }
      }
    }
  }
  const text = new Map<string, (string | null)[]>();
  for (const name of labels) text.set(name, []);
  if (text.size > 0) {
    for await (const chunk of source.chunks()) {
      for (const [name, values] of text) for (const label of labelColumn(chunk, name)) values.push(label);
    }
  }
  return names.map((name) => {
    const parts = numbers.get(name);
    return { name, values: parts === undefined ? text.get(name)! : concatenate(parts) };
  });
}

/**
 * One column's parts joined as doubles, on a SharedArrayBuffer: detectDriftInParallel hands such a column to
 * its worker threads as it is, where a column on a private buffer would be copied to shared memory first.
 */
function concatenate(parts: readonly NumericArray[]): Float64Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
  let at = 0;
  for (const part of parts) {
    result.set(part, at);
    at += part.length;
  }
  return result;
}
