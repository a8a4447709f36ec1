/**
 * JSON objects and lists in the cells of an `/invocations` body for a Python model whose signature types scalar
 * columns (string, double, long, boolean...). MLflow's scoring server does not refuse them while parsing: it casts
 * the parsed JSON to the signature (cast_df_types_according_to_schema for a DataFrame, convert_data_type for
 * `instances` and `inputs`), which keeps a dict in a string column, makes it True in a boolean one and refuses it
 * in a numeric one with Python's own TypeError. Such a body is read as for a model without a signature and its
 * input marked `schemaCast`, so the worker applies those very casts; every other body keeps the typed read. So is
 * a body with values MLflow casts otherwise in a string column (textColumnCells.ts), a `dataframe_split` of
 * records naming a column no record has, which pandas fills with NaN in an object column before the cast, and an
 * `inputs` or `instances` dict with a member sent as one value rather than a list.
 */
import type { LoadedModel } from "../runtime.js";
import { isJsonObject } from "./invalidInput.js";
import type { MlflowInputKey } from "./mlflowMessages.js";
import { holdsCastTextCell, type TextColumns } from "./textColumnCells.js";

/**
 * For a Python model with a scalar column signature, whose requests may need the worker's schema cast, its string
 * columns; else false.
 */
export function castsObjectCells(model: LoadedModel): TextColumns | false {
  // A signature with nested columns leaves the model without typed inputs: all its requests are read untyped.
  const signature = model.signature;
  if (model.platform !== "mlflow_pyfunc" || signature?.kind !== "columns" || model.inputs.length === 0)
    return false;
  const names = new Set<string>();
  for (const column of signature.inputs)
    if (column.type === "string" && column.name !== undefined) names.add(column.name);
  const only = signature.inputs.length === 1 ? signature.inputs[0] : undefined;
  return { names, sole: only?.name };
}

/**
 * Whether the format member `key` of a parsed body holds an object or a list where a cell is, or another value
 * MLflow's casts treat otherwise than the typed read (`text`: the model's string columns).
 */
export function holdsObjectCell(
  body: Record<string, unknown>,
  key: MlflowInputKey,
  text?: TextColumns,
): boolean {
  if (text !== undefined && holdsCastTextCell(body, key, text)) return true;
  const value = body[key];
  switch (key) {
    case "dataframe_split":
      return isJsonObject(value) && (rowsHoldObjectCell(value.data) || namesAbsentColumn(value));
    case "dataframe_records":
      return rowsHoldObjectCell(value);
    case "instances":
    case "inputs":
      // A dict of columns: each a list of cells, or one value (`{"a": {"k": 1}}` is a dict in column a). A
      // single value of any kind goes to the cast: MLflow makes a declared one a numpy scalar and an undeclared
      // one a 0-d array, and pandas builds the DataFrame of them by rules of its own (one row, or broadcast).
      if (isJsonObject(value))
        return Object.values(value).some((column) => !Array.isArray(column) || column.some(isContainer));
      return rowsHoldObjectCell(value);
  }
}

/** Rows as records (objects) or lists of cells; a bare value among them is no row, and holds no cell. */
function rowsHoldObjectCell(rows: unknown): boolean {
  if (!Array.isArray(rows)) return false;
  return rows.some((row) => {
    if (Array.isArray(row)) return row.some(isContainer);
    return isJsonObject(row) && Object.values(row).some(isContainer);
  });
}

/** A split of records (its data opening with an object) whose `columns` name a key that no record has. */
function namesAbsentColumn(split: Record<string, unknown>): boolean {
  const { data, columns } = split;
  if (!Array.isArray(data) || !isJsonObject(data[0]) || !Array.isArray(columns)) return false;
  return columns.some(
    (name) => typeof name === "string" && !data.some((row) => isJsonObject(row) && Object.hasOwn(row, name)),
  );
}

function isContainer(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
