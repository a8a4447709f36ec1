/**
 * JSON objects and lists in the cells of an `/invocations` body for a Python model whose signature types scalar
 * columns (string, double, long, boolean...). MLflow's scoring server does not refuse them while parsing: it casts
 * the parsed JSON to the signature (cast_df_types_according_to_schema for a DataFrame, convert_data_type for
 * `instances` and `inputs`), which keeps a dict in a string column, makes it True in a boolean one and refuses it
 * in a numeric one with Python's own TypeError. Such a body is read as for a model without a signature and its
 * input marked `schemaCast`, so the worker applies those very casts; every other body keeps the typed read.
 */
import type { LoadedModel } from "../runtime.js";
import { isJsonObject } from "./invalidInput.js";
import type { MlflowInputKey } from "./mlflowMessages.js";

/** Whether the model's requests may need the worker's schema cast: a Python model with a scalar column signature. */
export function castsObjectCells(model: LoadedModel): boolean {
  // A signature with nested columns leaves the model without typed inputs: all its requests are read untyped.
  return model.platform === "mlflow_pyfunc" && model.signature?.kind === "columns" && model.inputs.length > 0;
}

/** Whether the format member `key` of a parsed body holds an object or a list where a cell is. */
export function holdsObjectCell(body: Record<string, unknown>, key: MlflowInputKey): boolean {
  const value = body[key];
  switch (key) {
    case "dataframe_split":
      return isJsonObject(value) && rowsHoldObjectCell(value.data);
    case "dataframe_records":
      return rowsHoldObjectCell(value);
    case "instances":
    case "inputs":
      // A dict of columns: each a list of cells, or one value (`{"a": {"k": 1}}` is a dict in column a).
      if (isJsonObject(value)) return Object.values(value).some(columnHoldsObjectCell);
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

function columnHoldsObjectCell(column: unknown): boolean {
  return Array.isArray(column) ? column.some(isContainer) : isJsonObject(column);
}

function isContainer(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
