/**
 * MLflow's two DataFrame encodings as frames, with the checks and wording of `dataframe_from_parsed_json`:
 * `dataframe_split` `{"columns"?, "data", "index"?}` (pandas orient="split") and `dataframe_records`
 * `[{col: value}, ...]` (orient="records"). Rows are used as sent when they are already well-formed, so the
 * common one-row request allocates nothing here.
 */
import { showValue } from "../tensor.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import type { ModelInput } from "./predictRequest.js";
import { frameFromRecords } from "./recordsFrame.js";
import { frameFromSplitRecords } from "./splitRecordsFrame.js";

type Frame = ModelInput & { kind: "frame" };

/** `floats` (both forms): where the body wrote whole numbers as floats, which the frame's floatColumn tells. */
export function frameFromDataframeSplit(split: unknown, floats?: FloatLiterals): Frame {
  if (!isJsonObject(split)) {
    const got = Array.isArray(split) ? "list" : `type ${jsonTypeName(split)}`;
    throw invalidInput(`Dataframe split format must be a dictionary. Got ${got}.`);
  }
  const keys = Object.keys(split);
  if (!("data" in split) || keys.some((key) => key !== "columns" && key !== "data" && key !== "index")) {
    throw invalidInput(
      "Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. " +
        `Got {${keys.map((key) => `'${key}'`).join(", ")}}.'`,
    );
  }
  const data = split.data;
  if (!Array.isArray(data))
    throw splitError(`DataFrame constructor not properly called! (data is ${jsonTypeName(data)})`);
  let columns: string[] | undefined;
  if (split.columns !== undefined && split.columns !== null) {
    if (!Array.isArray(split.columns)) throw splitError("'columns' must be a list of column names");
    columns = split.columns.map((name: unknown, i) => columnName(name, i));
    const duplicate = firstDuplicate(columns);
    // Columns are found by name, so a repeated one would silently lose all but one of its values.
    if (duplicate !== undefined) {
      throw splitError(
        `column '${duplicate}' appears more than once in 'columns'; column names must be unique`,
      );
    }
  }
  // pandas reads a list opening with a dict as records (its keys become columns), not as rows of one cell.
  if (isJsonObject(data[0])) {
    const frame = frameFromSplitRecords(data, columns, floats);
    if (split.index === undefined || split.index === null) return frame;
    if (!Array.isArray(split.index) || split.index.length !== data.length) {
      const length = Array.isArray(split.index) ? ` (${split.index.length})` : "";
      throw splitError(`Length of values (${data.length}) does not match length of index${length}`);
    }
    return { ...frame, index: split.index as unknown[] };
  }
  if (split.index !== undefined && split.index !== null) {
    if (!Array.isArray(split.index) || split.index.length !== data.length) {
      throw splitError(`Length of values (${data.length}) does not match length of index`);
    }
  }
  let rows = data as unknown[][];
  let width = columns?.length;
  let copied = false;
  for (let r = 0; r < data.length; r++) {
    const row: unknown = data[r];
    if (!Array.isArray(row)) {
      // pandas reads a flat `data` list as one column.
      if (!copied) rows = data.slice() as unknown[][];
      copied = true;
      rows[r] = [row];
      continue;
    }
    if (width === undefined) width = row.length;
    if (row.length !== width) {
      if (columns !== undefined) {
        throw splitError(`${columns.length} columns passed, passed data had ${row.length} columns`);
      }
      throw splitError(`row ${r} has ${row.length} values but row 0 has ${width}`);
    }
  }
  if (columns !== undefined && copied && columns.length !== 1) {
    throw splitError(
      `Shape of passed values is (${data.length}, 1), indices imply (${data.length}, ${columns.length})`,
    );
  }
  const index = Array.isArray(split.index) ? { index: split.index as unknown[] } : {};
  return withFloatColumns({ kind: "frame", columns, rows, ...index }, data, floats);
}

export function frameFromDataframeRecords(records: unknown, floats?: FloatLiterals): Frame {
  if (!Array.isArray(records)) {
    const got = isJsonObject(records) ? "dictionary" : `type ${jsonTypeName(records)}`;
    throw invalidInput(`Dataframe records format must be a list of records. Got ${got}.`);
  }
  if (records.length > 0 && Array.isArray(records[0])) {
    for (let r = 0; r < records.length; r++) {
      const row: unknown = records[r];
      if (!Array.isArray(row) || row.length !== (records[0] as unknown[]).length) {
        throw invalidInput(
          "Provided dataframe_records field is not a valid dataframe representation in 'records' format. " +
            `Error: 'record ${r} is not a list of the same length as record 0'`,
        );
      }
    }
    return withFloatColumns(
      { kind: "frame", columns: undefined, rows: records as unknown[][] },
      records,
      floats,
    );
  }
  return frameFromRecords(records, "dataframe_records", floats);
}

/**
 * The frame of JSON rows, told that its strings are text as sent and which of its cells hold whole numbers
 * written as floats in `rows` as sent.
 */
export function withFloatColumns(
  frame: Frame,
  rows: readonly unknown[],
  floats: FloatLiterals | undefined,
): Frame {
  frame.textCells = "json";
  if (floats === undefined) return frame;
  frame.floatColumn = floats.columnsOfRows(rows);
  frame.floatCell = floats.cellsOfRows(rows);
  frame.floatMember = (container, key) => floats.has(container, key);
  return frame;
}

/**
 * A column name as text: pandas takes any scalar as a label (`0`, `true`), which a frame's columns are matched
 * against by text. A list or object names no column (and an object's own `toString` member made String() throw).
 */
function columnName(name: unknown, index: number): string {
  if (typeof name === "string") return name;
  if (typeof name !== "object" || name === null) return String(name);
  throw splitError(`columns[${index}] is ${showValue(name)}; column names must be strings or numbers`);
}

function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

function splitError(detail: string): Error {
  return invalidInput(
    `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: '${detail}'`,
  );
}

/** Python-ish type names for messages about JSON values. */
function jsonTypeName(value: unknown): string {
  if (value === null) return "<class 'NoneType'>";
  if (typeof value === "string") return "<class 'str'>";
  if (typeof value === "number") return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  if (typeof value === "boolean") return "<class 'bool'>";
  return Array.isArray(value) ? "<class 'list'>" : "<class 'dict'>";
}
