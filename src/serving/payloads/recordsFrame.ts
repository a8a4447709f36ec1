/**
 * A frame from records (a list of {column: value} objects: MLflow `dataframe_records`, `instances` objects),
 * with columns in first-seen order and null where a record lacks a column, as pandas builds it.
 */
import type { ModelInput } from "./predictRequest.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";

/** `floats`: where the body wrote whole numbers as floats, which the frame's floatColumn tells. */
export function frameFromRecords(
  records: readonly unknown[],
  field: string,
  floats?: FloatLiterals,
): ModelInput & { kind: "frame" } {
  const columns: string[] = [];
  const indexOf = new Map<string, number>();
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    if (!isJsonObject(record)) throw invalidInput(`${field}[${r}] is not an object like ${field}[0]`);
    for (const key in record) {
      if (!indexOf.has(key)) {
        indexOf.set(key, columns.length);
        columns.push(key);
      }
    }
  }
  const rows: unknown[][] = new Array<unknown[]>(records.length);
  for (let r = 0; r < records.length; r++) {
    const record = records[r] as Record<string, unknown>;
    const row = new Array<unknown>(columns.length);
    // Own members only: a record without a column named "constructor" or "toString" must not read Object's.
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as string;
      row[c] = Object.hasOwn(record, column) ? record[column] : null;
    }
    rows[r] = row;
  }
  if (floats === undefined) return { kind: "frame", columns, rows };
  return { kind: "frame", columns, rows, floatColumn: floats.columnsOfRecords(records, indexOf) };
}
