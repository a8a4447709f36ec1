/**
 * A DataFrame body for an ONNX model with a tensor signature: MLflow's `_reshape_and_cast_pandas_column_values`
 * looks at each named input's column by its first cell, and refuses one that is neither a scalar, a list of
 * scalars nor a numpy array. pandas holds a null as None there in an object column (a column of nulls alone, or
 * one mixing booleans, text and numbers), which is no scalar, so the request is refused, where NaN (a float or
 * text column, a record's absent key) passes and reaches a string input as 'nan'. mlflow 3.17.2 answers 400
 * INVALID_PARAMETER_VALUE: "Failed to predict data '      x\n0  None\n1  None'. \nError: Failed to enforce schema
 * of data '...' with schema '['x': Tensor('object', (-1,))]'. Error: Because the model signature requires tensor
 * spec input, ...". Checked only for columns bound for a string input, whose cells FlowOps writes as pandas holds
 * them (stringInputNumbers.ts), and declared as dtype object: the parsing casts a `str` one first ('None').
 */
import { isJsonObject } from "./invalidInput.js";
import { pythonObjectRepr } from "./listCellText.js";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import type { Frame } from "./frameTensors.js";
import { columnValues } from "./frameTensors.js";
import { enforcementError } from "./mlflowMissingInputs.js";
import type { SchemaInputs } from "./mlflowSchemaRepr.js";
import { dataFrameRepr, type ReprColumn } from "./pandasRepr.js";
import { pandasColumnText } from "./stringInputNumbers.js";

const NOT_SCALAR =
  "Because the model signature requires tensor spec input, the input pandas dataframe values should be either " +
  "scalar value, python list containing scalar values or numpy array containing scalar values, other types are " +
  "not supported.";

/** Throws MLflow's refusal when a string input's column opens with a cell pandas holds as None or a dict. */
export function refuseNonScalarFirstCells(
  frame: Frame,
  specs: readonly TensorSpec[],
  signature: ModelSignature | undefined,
): void {
  if (signature?.kind !== "tensors" || frame.pandasText !== true || frame.rows.length === 0) return;
  const inputs = signature.inputs;
  const named = inputs.every((input) => input.name !== undefined);
  // An un-named signature checks a one-column frame's only column; several columns are taken as one array.
  if (!named && (inputs.length !== 1 || frame.columns?.length !== 1)) return;
  const texts = new Map<number, unknown[]>();
  for (const input of inputs) {
    const column = named ? (frame.columns?.indexOf(input.name as string) ?? -1) : 0;
    const spec = named ? specs.find((s) => s.name === input.name) : specs.length === 1 ? specs[0] : undefined;
    // MLflow's DataFrame parsing casts a column declared as any other dtype (str: None becomes 'None') first.
    if (column === -1 || spec?.datatype !== "BYTES" || input.dtype !== "object") continue;
    const cells = pandasColumnText(columnValues(frame.rows, column), column, frame);
    texts.set(column, cells);
    const first = frame.rows[0]?.[column];
    const none = (first === null || first === undefined) && cells[0] === "None";
    if (none || isJsonObject(first))
      throw enforcementError(textFrameRepr(frame, texts), inputs as SchemaInputs, NOT_SCALAR);
  }
}

/** The frame as pandas prints it, each column as the text its cells reach a string input as ('nan' as NaN). */
function textFrameRepr(frame: Frame, texts: Map<number, unknown[]>): string {
  const columns: ReprColumn[] = (frame.columns ?? []).map((name, c) => {
    const cells = texts.get(c) ?? pandasColumnText(columnValues(frame.rows, c), c, frame);
    const shown = cells.map((cell) =>
      typeof cell === "object" && cell !== null ? pythonObjectRepr(cell) : cell,
    );
    return { name, kind: "text", cells: shown.map((cell) => (cell === "nan" ? null : cell)) };
  });
  return dataFrameRepr(columns, frame.rows.length, frame.index);
}
