/**
 * MLflow scoring server payloads (`POST /invocations`): JSON with exactly one of dataframe_split,
 * dataframe_records, instances, inputs (plus optional params), CSV with a header row, or a Parquet file; responses are
 * `{"predictions": ...}`. Behaviour and messages follow `mlflow/pyfunc/scoring_server/__init__.py`.
 */
import { FlowOpsError } from "../../errors.js";
import { parseJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";
import type { ModelSignature } from "../signature.js";
import { jsonValues, type Tensor } from "../tensor.js";
import { frameFromCsv } from "./csvFrame.js";
import { frameFromDataframeRecords, frameFromDataframeSplit } from "./dataframeFrame.js";
import { frameFromParquet } from "./parquetFrame.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { checkJsonDepth } from "./jsonDepth.js";
import { holdsIntegralNumber, topLevelMemberText } from "./jsonMemberText.js";
import { mlflowMediaType } from "./mlflowContentType.js";
import {
  MLFLOW_INPUT_KEYS,
  REQUIRED_INPUT_FORMAT,
  SCORING_PROTOCOL_CHANGE_INFO,
  pythonListRepr,
  type MlflowInputKey,
} from "./mlflowMessages.js";
import { elementJson, nestedJson, rowJson, type NestedJson } from "./nestedJson.js";
import type { ModelInput, PredictRequest } from "./predictRequest.js";
import { inputsInput, instancesInput } from "./tfServingInput.js";
import { decodeUtf8Body } from "./utf8Body.js";

/**
 * Parses an `/invocations` body of any of MLflow's media types, Parquet included (read asynchronously); 415
 * for other media types or charsets, 400 for malformed input.
 */
export async function readMlflowRequest(
  body: Buffer | string,
  contentType: string | undefined,
): Promise<PredictRequest> {
  if (mlflowMediaType(contentType) !== "application/vnd.apache.parquet")
    return mlflowRequest(body, contentType);
  const bytes = typeof body === "string" ? Buffer.from(body, "latin1") : body;
  return { input: await frameFromParquet(bytes), dataframe: true };
}

/** Parses a JSON or CSV `/invocations` body; 415 for other media types or charsets, 400 for malformed input. */
export function mlflowRequest(body: Buffer | string, contentType: string | undefined): PredictRequest {
  const mediaType = mlflowMediaType(contentType);
  if (mediaType === "text/csv") {
    return { input: frameFromCsv(decodeUtf8Body(body, "CSV body")), dataframe: true, missingAsNaN: true };
  }
  if (mediaType === "application/vnd.apache.parquet") {
    throw new FlowOpsError("INTERNAL_ERROR", "a Parquet body is read with readMlflowRequest");
  }
  const text = decodeUtf8Body(body, "JSON body");
  let parsed: unknown;
  try {
    // Integers beyond 2^53 as BigInts, as MLflow's json.loads keeps them exact for an int64 column or tensor.
    parsed = parseJsonWithBigIntegers(text);
  } catch (error) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
    throw invalidInput(
      `Ensure that input is a valid JSON formatted string. Error: '${(error as Error).message}'\nInput: \n${shown}\n`,
    );
  }
  const request = mlflowJsonRequest(parsed);
  if (request.params !== undefined && holdsIntegralNumber(request.params)) {
    const paramsJson = topLevelMemberText(text, "params");
    if (paramsJson !== undefined) request.paramsJson = paramsJson;
  }
  return request;
}

/** The JSON form of mlflowRequest, for a body already parsed. */
export function mlflowJsonRequest(parsed: unknown): PredictRequest {
  checkJsonDepth(parsed, "The JSON body");
  if (!isJsonObject(parsed)) {
    if (Array.isArray(parsed)) throw invalidInput(`${REQUIRED_INPUT_FORMAT}. Received a list.`);
    throw invalidInput(
      `${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${pythonTypeName(parsed)}.`,
    );
  }
  let key: MlflowInputKey | undefined;
  let found = 0;
  for (const candidate of MLFLOW_INPUT_KEYS) {
    if (candidate in parsed) {
      key = candidate;
      found++;
    }
  }
  if (found !== 1 || key === undefined) {
    const present = Object.keys(parsed).filter((name) =>
      (MLFLOW_INPUT_KEYS as readonly string[]).includes(name),
    );
    throw new FlowOpsError(
      "BAD_REQUEST",
      `${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ${pythonListRepr(present)}. ` +
        SCORING_PROTOCOL_CHANGE_INFO,
    );
  }
  const input = mlflowInput(key, parsed[key]);
  const request: PredictRequest = { input, dataframe: key.startsWith("dataframe_") };
  const params = parsed.params;
  if (params === undefined || params === null) return request;
  if (!isJsonObject(params))
    throw invalidInput("'params' must be a JSON object of parameter names to values.");
  return { ...request, params };
}

function mlflowInput(key: MlflowInputKey, value: unknown): ModelInput {
  switch (key) {
    case "dataframe_split":
      return frameFromDataframeSplit(value);
    case "dataframe_records":
      return frameFromDataframeRecords(value);
    case "instances":
      return instancesInput(value);
    case "inputs":
      return inputsInput(value);
  }
}

/** What besides the outputs decides the answer's form: the runtime's platform and the parsed request. */
export interface MlflowResponseContext {
  platform: string;
  request?: PredictRequest;
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
): { predictions: unknown } {
  if (context?.platform === ONNX_PLATFORM) {
    return { predictions: onnxPredictions(outputs, signature, context.request?.dataframe === true) };
  }
  const frame = frameRecords(outputs);
  if (frame !== undefined) return { predictions: frame };
  const columnOutputs = signature?.outputs?.kind === "columns" ? signature.outputs.specs : undefined;
  // A dict answer stays a dict, even of one key and under a column output signature (`_get_jsonable_obj`).
  if (outputs.length > 0 && outputs.every((t) => t.dictKey === true)) {
    return { predictions: outputsByName(outputs) };
  }
  if (outputs.length === 1) {
    const only = outputs[0] as Tensor;
    if (columnOutputs?.length === 1 && only.shape.length === 2 && only.shape[1] === 1) {
      return { predictions: elementJson(only) };
    }
    return { predictions: nestedJson(only) };
  }
  const rows = outputs[0]?.shape[0];
  if (columnOutputs !== undefined && rows !== undefined && outputs.every((t) => t.shape[0] === rows)) {
    const values = outputs.map((t) => elementJson(t));
    const records: Record<string, NestedJson>[] = [];
    for (let r = 0; r < rows; r++) {
      const record: Record<string, NestedJson> = {};
      outputs.forEach((t, i) => (record[t.name] = rowJson(t, values[i] as NestedJson[], r)));
      records.push(record);
    }
    return { predictions: records };
  }
  return { predictions: outputsByName(outputs) };
}

/** A Python model's DataFrame or Series answer as MLflow gives it: `[{column: value}, ...]`, one per row. */
function frameRecords(outputs: readonly Tensor[]): Record<string, NestedJson>[] | undefined {
  const rows = outputs[0]?.shape[0];
  if (rows === undefined || !outputs.every((t) => t.recordKey !== undefined && t.shape[0] === rows)) {
    return undefined;
  }
  const values = outputs.map((t) => elementJson(t));
  const records: Record<string, NestedJson>[] = [];
  for (let r = 0; r < rows; r++) {
    const record: Record<string, NestedJson> = {};
    outputs.forEach((t, i) => (record[t.recordKey as string] = rowJson(t, values[i] as NestedJson[], r)));
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
): unknown {
  const takesFrame = signature === undefined ? dataframe : signature.kind === "columns";
  const rows = outputs[0]?.data.length;
  if (!takesFrame || rows === undefined || outputs.some((t) => t.data.length !== rows)) {
    return outputsByName(outputs);
  }
  const columns = outputs.map((t) => jsonValues(t));
  const records: Record<string, NestedJson>[] = [];
  for (let r = 0; r < rows; r++) {
    const record: Record<string, NestedJson> = {};
    outputs.forEach((t, i) => (record[t.name] = (columns[i] as NestedJson[])[r] as NestedJson));
    records.push(record);
  }
  return records;
}

function outputsByName(outputs: readonly Tensor[]): Record<string, NestedJson> {
  const byName: Record<string, NestedJson> = {};
  for (const t of outputs) byName[t.name] = nestedJson(t);
  return byName;
}

function pythonTypeName(value: unknown): string {
  if (value === null) return "<class 'NoneType'>";
  if (typeof value === "string") return "<class 'str'>";
  if (typeof value === "boolean") return "<class 'bool'>";
  return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
}

/**
 * The `/invocations` response as MLflow's server writes it: Python's `json.dump` with `allow_nan`, so a NaN or
 * infinite prediction is the bare token `NaN`, `Infinity` or `-Infinity` (which Python clients read back as
 * floats) rather than JSON.stringify's null. Returned as text only when such a value is present; otherwise the
 * object, for the server's own serializer.
 */
export function mlflowResponseBody(answer: { predictions: unknown }): unknown {
  if (!holdsNonFinite(answer.predictions)) return answer;
  const marker = "\u0000non-finite:";
  // 64-bit integers beyond 2^53 (BigInts) are written as their digits through the same marker.
  const text = JSON.stringify(answer, (_key, value: unknown) =>
    (typeof value === "number" && !Number.isFinite(value)) || typeof value === "bigint"
      ? `${marker}${String(value)}`
      : value,
  );
  return text.replace(/"\\u0000non-finite:(NaN|Infinity|-Infinity|-?\d+)"/g, "$1");
}

function holdsNonFinite(value: unknown): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(holdsNonFinite);
  if (typeof value === "object" && value !== null) return Object.values(value).some(holdsNonFinite);
  return false;
}
