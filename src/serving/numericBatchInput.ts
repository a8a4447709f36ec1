/**
 * The fast path of batch inference for the common tabular model: one numeric input of shape [N, F] fed from F
 * numeric columns. Columns are parsed straight from the table's text, or taken as the typed arrays a Parquet
 * column decodes to, and interleaved into one typed array (no row objects, no per-cell protocol coercion),
 * which is what lets `flowops predict` keep up with the runtime. Anything else (several inputs, strings, a
 * column the file lacks) returns undefined and takes the general frame path, which also reports the errors.
 */
import { hasTypedColumns } from "../tables/columnarTableChunk.js";
import type { TableChunk } from "../tables/tableChunk.js";
import { numericColumn } from "../tables/numericColumn.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

export function numericBatchInput(
  model: Pick<LoadedModel, "inputs" | "signature">,
  chunk: TableChunk,
  names: readonly string[],
): Tensor[] | undefined {
  const spec = model.inputs.length === 1 ? model.inputs[0] : undefined;
  if (spec === undefined || spec.shape.length !== 2) return undefined;
  if (spec.datatype !== "FP32" && spec.datatype !== "FP64") return undefined;
  const order = featureOrder(model, names);
  if (order === undefined || !order.every((name) => chunk.columns.includes(name))) return undefined;
  const width = order.length;
  if (spec.shape[1] !== -1 && spec.shape[1] !== width) return undefined;
  const rows = chunk.rowCount;
  const data = spec.datatype === "FP32" ? new Float32Array(rows * width) : new Float64Array(rows * width);
  order.forEach((name, j) => {
    const values =
      (hasTypedColumns(chunk) ? chunk.typedColumn(name) : undefined) ?? numericColumn(chunk, name);
    for (let r = 0, at = j; r < rows; r++, at += width) data[at] = values[r]!;
  });
  return [{ name: spec.name, datatype: spec.datatype, shape: [rows, width], data }];
}

/** A column signature orders the features by name; otherwise they go in the order given. */
function featureOrder(
  model: Pick<LoadedModel, "signature">,
  names: readonly string[],
): readonly string[] | undefined {
  const signature = model.signature;
  if (signature?.kind !== "columns") return names;
  const ordered = signature.inputs.map((column) => column.name);
  return ordered.every((name): name is string => name !== undefined) ? ordered : undefined;
}
