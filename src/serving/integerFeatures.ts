/**
 * Which input columns of a batch feed the model integers, and what to say when one of them holds a missing
 * value. pandas reads a column with a missing value as float64 (NaN), and MLflow's schema enforcement then
 * refuses to cast float64 to an integer type, so the Python path fails on such a row. Batch prediction fails
 * the same way on every path, but with the column, the file and the row instead of a cast error.
 */
import { FlowOpsError } from "../errors.js";
import { missingText } from "../tables/numericColumn.js";
import type { CellValue, TableChunk } from "../tables/tableChunk.js";
import type { LoadedModel } from "./runtime.js";
import { columnDatatype } from "./signature.js";
import type { Datatype } from "./tensor.js";

const INTEGER_DATATYPES: ReadonlySet<Datatype> = new Set([
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
]);

/**
 * The columns among `names` that the model takes as integers, each with the type to name in messages: a column
 * signature's integer types (or the runtime input of that name, when it is an integer tensor), else the model
 * inputs of integer datatype that the columns feed (all of them for a single stacked [N, F] input).
 */
export function integerColumns(
  model: Pick<LoadedModel, "inputs" | "signature">,
  names: readonly string[],
): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  const signature = model.signature;
  if (signature?.kind === "columns" && signature.inputs.every((column) => column.name !== undefined)) {
    for (const column of signature.inputs) {
      const name = column.name as string;
      const spec = model.inputs.find((input) => input.name === name);
      const datatype = spec?.datatype ?? columnDatatype(column.type);
      if (INTEGER_DATATYPES.has(datatype)) found.set(name, spec === undefined ? column.type : datatype);
    }
    return found;
  }
  const only = model.inputs.length === 1 ? model.inputs[0] : undefined;
  if (only !== undefined && only.shape.length >= 2) {
    if (INTEGER_DATATYPES.has(only.datatype)) for (const name of names) found.set(name, only.datatype);
    return found;
  }
  for (const spec of model.inputs) {
    if (INTEGER_DATATYPES.has(spec.datatype) && names.includes(spec.name))
      found.set(spec.name, spec.datatype);
  }
  return found;
}

/** Why a missing value in a column of integer `type` is refused, for the end of the error message. */
export function integerMissingNote(type: string): string {
  return (
    `the model takes ${type} here; pandas reads a column with missing values as float64, ` +
    `which MLflow's schema enforcement refuses to cast to ${type}`
  );
}

/** The error for a missing value at `index` of the chunk in a column the model takes as integers. */
export function integerMissingError(
  chunk: TableChunk,
  name: string,
  index: number,
  value: CellValue | undefined,
  type: string,
): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `column ${name}, ${chunk.describeRow(chunk.startRow + index)}: missing value ${missingText(value)} ` +
      `(${integerMissingNote(type)})`,
  );
}
