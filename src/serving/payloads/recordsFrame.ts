/**
 * A frame from records (a list of {column: value} objects: MLflow `dataframe_records`, `instances` objects),
 * with columns in first-seen order and null where a record lacks a column (listed in `absentKeys`: pandas fills
 * NaN there, where a null is None), as pandas builds it.
 */
import type { ModelInput } from "./predictRequest.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";

type Frame = ModelInput & { kind: "frame" };

/** `floats`: where the body wrote whole numbers as floats, which the frame's floatColumn and floatCell tell. */
export function frameFromRecords(records: readonly unknown[], field: string, floats?: FloatLiterals): Frame {
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
  let absentKeys: number[][] | undefined;
  for (let r = 0; r < records.length; r++) {
    const record = records[r] as Record<string, unknown>;
    const row = new Array<unknown>(columns.length);
    // Own members only: a record without a column named "constructor" or "toString" must not read Object's.
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as string;
      if (Object.hasOwn(record, column)) row[c] = record[column];
      else {
        row[c] = null;
        absentKeys ??= columns.map(() => []);
        (absentKeys[c] as number[]).push(r);
      }
    }
    rows[r] = row;
  }
  const frame: Frame = { kind: "frame", columns, rows, textCells: "json" };
  if (absentKeys !== undefined) frame.absentKeys = absentKeys;
  if (floats === undefined) return frame;
  frame.floatColumn = floats.columnsOfRecords(records, indexOf);
  frame.floatCell = floats.cellsOfRecords(records, columns);
  frame.floatMember = (container, key) => floats.has(container, key);
  return frame;
}
