/**
 * MLflow scoring server answers (`POST /invocations`): `{"predictions": ...}` in the form MLflow's pyfunc and onnx
 * flavors give for the model's outputs, or the predictions alone for the unified LLM form, written as
 * `mlflow/pyfunc/scoring_server/__init__.py` writes them.
 */
import type { ModelSignature } from "../signature.js";
import type { Tensor } from "../tensor.js";
import { answerJson } from "./answerJson.js";
import {
  elementAt,
  elementJson,
  nestedJson,
  rowJson,
  type FlatJson,
  type FloatLeaves,
  type NestedJson,
} from "./nestedJson.js";
import type { PredictRequest } from "./predictRequest.js";

/** What besides the outputs decides the answer's form: the runtime's platform and the parsed request. */
export interface MlflowResponseContext {
  platform: string;
  request?: PredictRequest;
  /** "marked" for mlflowResponseBody, which writes float elements as Python does; plain numbers by default. */
  floats?: FloatLeaves;
}

/**
 * `{"predictions": ...}`: one output as nested lists (rows); several as {name: rows}, or as records
 * `[{name: value}, ...]` when the signature's outputs are columns (a pyfunc returning a DataFrame, which MLflow
 * serialises as records). A single [N,1] output under a one-column output signature is flattened to N values.
 * ONNX models answer as MLflow's onnx flavor does (see onnxPredictions).
 */
export function mlflowResponse(
  outputs: Tensor[],
  signature?: ModelSignature,
  context?: MlflowResponseContext,
): MlflowAnswer {
  const answer = wrappedResponse(outputs, signature, context);
  // MLflow answers its unified LLM form with the predictions alone (unwrapped_predictions_to_json).
  return context?.request?.unifiedLlm === true ? { ...answer, unwrapped: true } : answer;
}

/** mlflowResponse's answer; `unwrapped`: the body is the predictions alone, not `{"predictions": ...}`. */
export interface MlflowAnswer {
  predictions: unknown;
  unwrapped?: true;
}

function wrappedResponse(
  outputs: Tensor[],
  signature?: ModelSignature,
  context?: MlflowResponseContext,
): { predictions: unknown } {
  const floats = context?.floats ?? "numbers";
  if (context?.platform === ONNX_PLATFORM) {
    const dataframe = context.request?.dataframe === true;
    return { predictions: onnxPredictions(outputs, signature, dataframe, floats) };
  }
  const frame = frameRecords(outputs, floats);
  if (frame !== undefined) return { predictions: frame };
  const columnOutputs = signature?.outputs?.kind === "columns" ? signature.outputs.specs : undefined;
  // A dict answer stays a dict, even of one key and under a column output signature (`_get_jsonable_obj`).
  if (outputs.length > 0 && outputs.every((t) => t.dictKey === true)) {
    return { predictions: outputsByName(outputs, floats) };
  }
  if (outputs.length === 1) {
    const only = outputs[0] as Tensor;
    if (columnOutputs?.length === 1 && only.shape.length === 2 && only.shape[1] === 1) {
      return { predictions: elementJson(only, floats) };
    }
    return { predictions: nestedJson(only, floats) };
  }
  const rows = outputs[0]?.shape[0];
  if (columnOutputs !== undefined && rows !== undefined && outputs.every((t) => t.shape[0] === rows)) {
    return { predictions: rowRecords(outputs, rows, (t) => t.name, floats) };
  }
  return { predictions: outputsByName(outputs, floats) };
}

/** A Python model's DataFrame or Series answer as MLflow gives it: `[{column: value}, ...]`, one per row. */
function frameRecords(
  outputs: readonly Tensor[],
  floats: FloatLeaves,
): Record<string, NestedJson>[] | undefined {
  const rows = outputs[0]?.shape[0];
  if (rows === undefined || !outputs.every((t) => t.recordKey !== undefined && t.shape[0] === rows)) {
    return undefined;
  }
  return rowRecords(outputs, rows, (t) => t.recordKey as string, floats);
}

/** One `{key: row of the output}` record per row. */
function rowRecords(
  outputs: readonly Tensor[],
  rows: number,
  keyOf: (t: Tensor) => string,
  floats: FloatLeaves,
): Record<string, NestedJson>[] {
  const values = outputs.map((t) => elementJson(t, floats));
  const records: Record<string, NestedJson>[] = [];
  for (let r = 0; r < rows; r++) {
    const record: Record<string, NestedJson> = {};
    outputs.forEach((t, i) => (record[keyOf(t)] = rowJson(t, values[i] as FlatJson, r)));
    records.push(record);
  }
  return records;
}

const ONNX_PLATFORM = "onnx_onnxv1";

/**
 * MLflow's `_OnnxModelWrapper.predict` returns `{output name: array}` for an ndarray or dict input, whatever the
 * number of outputs, and for a DataFrame input a DataFrame with each output flattened to a column (served as
 * records). Schema enforcement decides which it gets: a tensor signature turns a DataFrame into arrays, a column
 * signature turns a dict into a DataFrame; without a signature the request's own form stays. Outputs of different
 * flat lengths make MLflow fail to build that DataFrame; they are answered by name here instead.
 */
function onnxPredictions(
  outputs: readonly Tensor[],
  signature: ModelSignature | undefined,
  dataframe: boolean,
  floats: FloatLeaves,
): unknown {
  const takesFrame = signature === undefined ? dataframe : signature.kind === "columns";
  const rows = outputs[0]?.data.length;
  if (!takesFrame || rows === undefined || outputs.some((t) => t.data.length !== rows)) {
    return outputsByName(outputs, floats);
  }
  const columns = outputs.map((t) => elementJson(t, floats));
  const records: Record<string, NestedJson>[] = [];
  for (let r = 0; r < rows; r++) {
    const record: Record<string, NestedJson> = {};
    outputs.forEach((t, i) => (record[t.name] = elementAt(columns[i] as FlatJson, r)));
    records.push(record);
  }
  return records;
}

function outputsByName(outputs: readonly Tensor[], floats: FloatLeaves): Record<string, NestedJson> {
  const byName: Record<string, NestedJson> = {};
  for (const t of outputs) byName[t.name] = nestedJson(t, floats);
  return byName;
}

/**
 * The `/invocations` response bytes as MLflow's server writes them (`json.dump` with its NumpyEncoder): float
 * elements as Python floats (`7.0`, `1e-05`), NaN and the infinities as the bare tokens `NaN`, `Infinity` and
 * `-Infinity` (which Python clients read back as floats), 64-bit integers beyond 2^53 as their exact digits.
 * `answer` is mlflowResponse's with `floats: "marked"`; unmarked numbers are written as JSON.stringify does.
 */
export function mlflowResponseBody(answer: MlflowAnswer): Buffer {
  return answerJson(
    answer.unwrapped === true ? answer.predictions : { predictions: answer.predictions },
    "mlflow",
  );
}
