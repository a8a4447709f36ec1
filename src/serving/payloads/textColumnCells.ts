/**
 * Values in the string columns of a Python model's signature that MLflow's scoring server casts otherwise than
 * FlowOps' typed read would: `inputs` and `instances` go through convert_data_type's np.array(data, str), so a
 * number, boolean or null there reaches the model as its Python text ('1', '2.0', 'True', 'None'), and a
 * DataFrame's astype(object) keeps a number or boolean as the Python object json.loads made. Such a body is sent
 * for the worker's schema cast (objectCells.ts), which applies MLflow's own functions, so `2.0` stays '2.0'.
 * It only tells whether a body holds such a value; it converts nothing.
 */
import { isJsonObject } from "./invalidInput.js";
import type { MlflowInputKey } from "./mlflowMessages.js";

/** The signature's columns as the check needs them: the string ones, and how many columns there are. */
export interface TextColumns {
  names: ReadonlySet<string>;
  /** The signature's only column when it has one: MLflow then takes a bare `inputs` list as that column. */
  sole: string | undefined;
}

/** Whether the format member `key` of a parsed body holds, in a string column, a value MLflow casts itself. */
export function holdsCastTextCell(
  body: Record<string, unknown>,
  key: MlflowInputKey,
  text: TextColumns,
): boolean {
  if (text.names.size === 0) return false;
  const value = body[key];
  switch (key) {
    case "dataframe_split":
      return isJsonObject(value) && splitHoldsNumber(value, text.names);
    case "dataframe_records":
      return recordsHold(value, text.names, isNumberOrBoolean);
    case "instances":
    case "inputs":
      return tensorInputHolds(value, text);
  }
}

/** `inputs` / `instances`: a dict of columns, a list of records, or (one column) a bare list of values. */
function tensorInputHolds(value: unknown, text: TextColumns): boolean {
  if (isJsonObject(value)) {
    return Object.entries(value).some(
      ([name, column]) =>
        text.names.has(name) && (Array.isArray(column) ? column.some(isNonText) : isNonText(column)),
    );
  }
  if (!Array.isArray(value)) return isNonText(value) && text.sole !== undefined && text.names.has(text.sole);
  if (value.some(isJsonObject)) return recordsHold(value, text.names, isNonText);
  return text.sole !== undefined && text.names.has(text.sole) && value.some(isNonText);
}

function splitHoldsNumber(split: Record<string, unknown>, names: ReadonlySet<string>): boolean {
  const data = split.data;
  if (!Array.isArray(data)) return false;
  if (isJsonObject(data[0])) return recordsHold(data, names, isNumberOrBoolean);
  const columns = split.columns;
  if (!Array.isArray(columns)) return false;
  const positions = columns.flatMap((name, i) => (typeof name === "string" && names.has(name) ? [i] : []));
  return data.some(
    (row) => Array.isArray(row) && positions.some((i) => isNumberOrBoolean(row[i] as unknown)),
  );
}

function recordsHold(
  records: unknown,
  names: ReadonlySet<string>,
  cast: (cell: unknown) => boolean,
): boolean {
  if (!Array.isArray(records)) return false;
  return records.some(
    (record) =>
      isJsonObject(record) && Object.entries(record).some(([name, cell]) => names.has(name) && cast(cell)),
  );
}

/** A scalar that np.array(..., str) turns into its Python text: anything but a string, a list or an object. */
function isNonText(cell: unknown): boolean {
  return cell === null || isNumberOrBoolean(cell);
}

function isNumberOrBoolean(cell: unknown): boolean {
  return typeof cell === "number" || typeof cell === "bigint" || typeof cell === "boolean";
}
