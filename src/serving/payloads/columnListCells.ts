/**
 * Rows sent for one string column of an MLflow column signature, for an ONNX model: MLflow casts the rows
 * `np.array(rows, str)` and makes each row one DataFrame cell (`tolist()`), so the string input gets each row's
 * list as text, `['a', 'None']`, not its leaves (checked against mlflow 3.17.2's scoring_server.invocations
 * through onnxruntime 1.32 over an Identity graph of tensor(string): `{"inputs": [["a"], [null]]}` answers
 * `['a']` and `['None']`). That holds for `inputs` and `instances` rows of a one-column signature and for an
 * `inputs` or `instances` dict member of rows; DataFrame bodies and records keep their cells' own objects
 * (stringInputNumbers.ts).
 */
import type { ColumnSpec, ModelSignature } from "../signature.js";
import type { Tensor, TensorSpec } from "../tensor.js";
import type { Frame } from "./frameTensors.js";
import { castListRepr, castRowsRepr } from "./listCellText.js";
import { UNNAMED_INPUT } from "./predictRequest.js";

/** The tensors, each of rows bound for a string column as one text per row. */
export function rowsAsListCells(
  tensors: Tensor[],
  specs: readonly TensorSpec[],
  columns: readonly ColumnSpec[] | undefined,
): Tensor[] {
  if (columns === undefined || !takesCells(specs)) return tensors;
  return tensors.map((tensor) => {
    if (tensor.datatype !== "BYTES" || tensor.shape.length < 2 || tensor.jsonData !== undefined)
      return tensor;
    const column =
      tensor.name === UNNAMED_INPUT && columns.length === 1
        ? columns[0]
        : columns.find((spec) => spec.name === tensor.name);
    if (column?.type !== "string") return tensor;
    const data = castRowsRepr(tensor.data as string[], tensor.shape);
    return { name: tensor.name, datatype: "BYTES", shape: [tensor.shape[0] as number], data };
  });
}

/**
 * The frame a string input gets text from as MLflow's column signature makes it: list and dict cells as their
 * objects' text, and `instances` rows for a one-column signature each one list cell.
 */
export function withListCellText(
  frame: Frame,
  specs: readonly TensorSpec[],
  signature: ModelSignature | undefined,
): Frame {
  if ((frame.pandasText !== true && frame.pythonNulls !== true) || !takesCells(specs)) return frame;
  if (signature === undefined ? frame.pandasText !== true : signature.kind !== "columns") return frame;
  const only =
    signature?.kind === "columns" && signature.inputs.length === 1 ? signature.inputs[0] : undefined;
  if (frame.array === true && frame.columns === undefined && only?.type === "string") {
    const floats = frame.floatMember;
    const rows = frame.rows.map((row) => [castListRepr(row, floats)]);
    return { kind: "frame", columns: undefined, rows, pythonNulls: true };
  }
  return { ...frame, objectCellText: true };
}

/**
 * A model fed a DataFrame's cells: one input gets `DataFrame.values`, two-dimensional, which a 1-D input refuses
 * in MLflow (onnxruntime's "Invalid rank"); several get a column each.
 */
function takesCells(specs: readonly TensorSpec[]): boolean {
  return specs.length !== 1 || (specs[0] as TensorSpec).shape.length >= 2;
}
