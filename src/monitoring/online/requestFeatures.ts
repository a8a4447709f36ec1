/**
 * Turns one answered request into feature columns the way the model saw it: the request is adapted to the
 * model's inputs (adaptInput), then a 2-D tensor [rows, k] gives k columns, named from the signature's column
 * names when it has exactly k of them and `<input>_<i>` otherwise, and a 1-D or [rows, 1] tensor gives one
 * column named after the input. Tensors of higher rank (images, sequences) have no per-feature meaning for
 * drift tests and are left out. The first output gives a `prediction` column (predictionValues).
 */
import { predictionValues } from "../../delivery/telemetry/predictionValues.js";
import { decodeHalfFloat } from "../../serving/halfFloat.js";
import { adaptInput } from "../../serving/payloads/adaptInput.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { ModelSignature } from "../../serving/signature.js";
import type { Tensor } from "../../serving/tensor.js";
import type { SampledValues } from "./sampleWindow.js";

export const PREDICTION_COLUMN = "prediction";

export interface RequestFeatures {
  readonly rows: number;
  readonly columns: ReadonlyMap<string, SampledValues>;
}

/** Undefined when the request has no tabular input to sample (only high-rank tensors, or no rows). */
export function requestFeatures(
  model: LoadedModel,
  request: PredictRequest,
  outputs: readonly Tensor[] | undefined,
): RequestFeatures | undefined {
  const tensors = adaptInput(request.input, model.inputs, model.signature);
  const columns = new Map<string, SampledValues>();
  let rows: number | undefined;
  for (const tensor of tensors) {
    const shape = tensor.shape;
    if (shape.length === 0 || shape.length > 2) continue;
    const tensorRows = shape[0] as number;
    if (rows !== undefined && tensorRows !== rows) continue;
    rows = tensorRows;
    const width = shape.length === 2 ? (shape[1] as number) : 1;
    const names = featureNames(tensor, width, tensors.length, model.signature);
    for (let feature = 0; feature < width; feature++) {
      columns.set(names[feature] as string, columnOf(tensor, tensorRows, width, feature));
    }
  }
  if (rows === undefined || rows === 0) return undefined;
  if (outputs !== undefined) {
    const predictions = predictionValues(outputs);
    if (predictions.length === rows) columns.set(PREDICTION_COLUMN, predictionColumn(predictions));
  }
  return { rows, columns };
}

function featureNames(
  tensor: Tensor,
  width: number,
  tensorCount: number,
  signature: ModelSignature | undefined,
): string[] {
  if (width === 1) return [tensor.name];
  if (tensorCount === 1 && signature?.kind === "columns" && signature.inputs.length === width) {
    const names = signature.inputs.map((column) => column.name);
    if (names.every((name): name is string => name !== undefined)) return names;
  }
  return Array.from({ length: width }, (_, i) => `${tensor.name}_${i}`);
}

function columnOf(tensor: Tensor, rows: number, width: number, feature: number): SampledValues {
  const data = tensor.data;
  if (Array.isArray(data)) {
    const labels = new Array<string | null>(rows);
    for (let row = 0; row < rows; row++)
      labels[row] = (data[row * width + feature] as string | undefined) ?? null;
    return labels;
  }
  const values = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const raw = data[row * width + feature] as number | bigint;
    values[row] =
      typeof raw === "bigint" ? Number(raw) : tensor.datatype === "FP16" ? decodeHalfFloat(raw) : raw;
  }
  return values;
}

function predictionColumn(predictions: readonly (number | string)[]): SampledValues {
  if (predictions.every((value) => typeof value === "number")) {
    return Float64Array.from(predictions as number[]);
  }
  return predictions.map((value) => String(value));
}
