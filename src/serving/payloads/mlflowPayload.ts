/**
 * MLflow scoring server payloads (`POST /invocations`): JSON with exactly one of dataframe_split,
 * dataframe_records, instances, inputs (plus optional params), CSV with a header row, or a Parquet file; responses are
 * `{"predictions": ...}`. A JSON body holding `messages`, `prompt` or `input` is MLflow's unified LLM form instead,
 * answered with the predictions alone. Behaviour and messages follow `mlflow/pyfunc/scoring_server/__init__.py`.
 */
import { FlowOpsError } from "../../errors.js";
import type { ModelSignature } from "../signature.js";
import type { Tensor } from "../tensor.js";
import { frameFromCsv } from "./csvFrame.js";
import { frameFromDataframeRecords, frameFromDataframeSplit } from "./dataframeFrame.js";
import { frameFromParquet } from "./parquetFrame.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { checkJsonDepth } from "./jsonDepth.js";
import { parseJsonKeepingFloatLiterals, type FloatLiterals, type LiteralJson } from "./jsonFloatLiterals.js";
import type { BigIntegerRule } from "./jsonTensor.js";
import { readKeepingBigIntegers } from "./keptBigIntegers.js";
import { holdsIntegralNumber, topLevelMemberText } from "./jsonMemberText.js";
import { mlflowMediaType } from "./mlflowContentType.js";
import { holdsObjectCell } from "./objectCells.js";
import type { TextColumns } from "./textColumnCells.js";
import {
  MLFLOW_INPUT_KEYS,
  REQUIRED_INPUT_FORMAT,
  SCORING_PROTOCOL_CHANGE_INFO,
  pythonListRepr,
  type MlflowInputKey,
} from "./mlflowMessages.js";
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
import type { ModelInput, PredictRequest } from "./predictRequest.js";
import { floatScalarInput, inputsInput, instancesInput } from "./tfServingInput.js";
import { checkInstancesRecordShapes } from "./instancesRecordShapes.js";
import { keepSentNumbers, sentLeavesOf } from "./schemaCastLeaves.js";
import { decodeUtf8Body } from "./utf8Body.js";

/** What the reader may assume about the model that the body is for. */
export interface MlflowReadOptions {
  /**
   * The model declares its inputs' datatypes (an ONNX graph, an MLflow signature), which then decide every
   * declared number's type (`1.0` and `1` alike), and cast a Parquet body's cells.
   */
  typedInputs?: boolean;
  /**
   * With typedInputs: the model is a Python one with scalar columns (castsObjectCells), whose worker casts a body
   * holding a JSON object or list in a cell to the signature as MLflow does; such a body is read untyped. Its
   * string columns (castsObjectCells' answer) also send numbers and nulls there to that cast.
   */
  castsObjectCells?: boolean | TextColumns;
  /**
   * With typedInputs: the model runs in this process (ONNX), so numbers an `inputs` or `instances` body sends to
   * a string input become their text here, as MLflow's cast writes them (stringInputNumbers.ts). A Python
   * model's worker runs MLflow's own cast, which keeps them as numbers for an object input.
   */
  textForStringInputs?: boolean;
}

/**
 * Parses an `/invocations` body of any of MLflow's media types, Parquet included (read asynchronously); 415
 * for other media types or charsets, 400 for malformed input.
 */
export async function readMlflowRequest(
  body: Buffer | string,
  contentType: string | undefined,
  options: MlflowReadOptions = {},
): Promise<PredictRequest> {
  if (mlflowMediaType(contentType) !== "application/vnd.apache.parquet")
    return mlflowRequest(body, contentType, options);
  const bytes = typeof body === "string" ? Buffer.from(body, "latin1") : body;
  const parquetOptions = options.typedInputs === true ? { typedInputs: true } : {};
  return { input: await frameFromParquet(bytes, parquetOptions), dataframe: true };
}

/** Parses a JSON or CSV `/invocations` body; 415 for other media types or charsets, 400 for malformed input. */
export function mlflowRequest(
  body: Buffer | string,
  contentType: string | undefined,
  options: MlflowReadOptions = {},
): PredictRequest {
  const mediaType = mlflowMediaType(contentType);
  if (mediaType === "text/csv") {
    return { input: frameFromCsv(decodeUtf8Body(body, "CSV body")), dataframe: true, missingAsNaN: true };
  }
  if (mediaType === "application/vnd.apache.parquet") {
    throw new FlowOpsError("INTERNAL_ERROR", "a Parquet body is read with readMlflowRequest");
  }
  const text = decodeUtf8Body(body, "JSON body");
  let parsed: LiteralJson;
  let schemaCast = false;
  try {
    // Integers beyond 2^53 as BigInts, as MLflow's json.loads keeps them exact for an int64 column or tensor;
    // and which whole numbers json.loads makes floats (`1.0`): they type a model without a signature's inputs,
    // MLflow's casts of a Python model's object cells, and the data MLflow's schema errors print (`array([1.])`).
    // The text is searched for them only when asked, which a typed model's happy path does only for an integral
    // list in a body that writes some `.` or exponent.
    parsed = parseJsonKeepingFloatLiterals(text);
    const casts = options.castsObjectCells;
    schemaCast =
      casts !== undefined &&
      casts !== false &&
      options.typedInputs === true &&
      castsCells(parsed.value, casts);
  } catch (error) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
    throw invalidInput(
      `Ensure that input is a valid JSON formatted string. Error: '${(error as Error).message}'\nInput: \n${shown}\n`,
    );
  }
  const request = readKeepingBigIntegers(
    (integers) => mlflowJsonRequest(parsed.value, parsed.floats, integers),
    options.typedInputs === true && options.textForStringInputs === true,
  );
  if (schemaCast) {
    request.input.schemaCast = true;
    const body = parsed.value as Record<string, unknown>;
    const key = MLFLOW_INPUT_KEYS.find((candidate) => candidate in body);
    if (key !== undefined) keepSentNumbers(request.input, body, key, parsed.floats);
  } else if (
    options.typedInputs === true &&
    options.textForStringInputs === true &&
    request.input.kind === "frame"
  ) {
    // pandas types a DataFrame body's columns before MLflow's string cast; numpy holds `inputs` rows as sent.
    if (request.dataframe === true) request.input.pandasText = true;
    else request.input.pythonNulls = true;
  } else if (
    options.typedInputs === true &&
    options.textForStringInputs === true &&
    request.input.kind === "tensors" &&
    request.unifiedLlm !== true
  ) {
    // Found only if a tensor of numbers meets a string input (stringInputNumbers.ts): a closure until then.
    const body = parsed.value as Record<string, unknown>;
    const key = body.inputs !== undefined ? "inputs" : "instances";
    request.input.sentLeaves = sentLeavesOf(body, key, parsed.floats);
  }
  if (request.params !== undefined && holdsIntegralNumber(request.params)) {
    const paramsJson = topLevelMemberText(text, "params");
    if (paramsJson !== undefined) request.paramsJson = paramsJson;
  }
  return request;
}

/**
 * The JSON form of mlflowRequest, for a body already parsed; `floats`, where it wrote whole numbers as floats
 * (parseJsonKeepingFloatLiterals), types them as MLflow's server does for a model without a signature.
 */
export function mlflowJsonRequest(
  parsed: unknown,
  floats?: FloatLiterals,
  integers: BigIntegerRule = "numpy",
): PredictRequest {
  checkJsonDepth(parsed, "The JSON body");
  if (!isJsonObject(parsed)) {
    if (Array.isArray(parsed)) throw invalidInput(`${REQUIRED_INPUT_FORMAT}. Received a list.`);
    throw invalidInput(
      `${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${pythonTypeName(parsed)}.`,
    );
  }
  if (isUnifiedLlmInput(parsed)) return unifiedLlmRequest(parsed, floats);
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
  const input = mlflowInput(parsed, key, floats, integers);
  const request: PredictRequest = { input, dataframe: key.startsWith("dataframe_") };
  const params = parsed.params;
  if (params === undefined || params === null) return request;
  if (!isJsonObject(params))
    throw invalidInput("'params' must be a JSON object of parameter names to values.");
  return { ...request, params };
}

/**
 * MLflow's `SUPPORTED_LLM_FORMATS` (mlflow/pyfunc/utils/serving_data_parser.py): a body with any of these keys is
 * taken whole as the model's input before any format key is looked for, for any model.
 */
const UNIFIED_LLM_KEYS = ["messages", "prompt", "input"] as const;

function isUnifiedLlmInput(body: Record<string, unknown>): boolean {
  return UNIFIED_LLM_KEYS.some((key) => key in body);
}

/** A body of one format key (not the unified LLM form, which is never cast) with an object or list in a cell. */
function castsCells(body: unknown, casts: true | TextColumns): boolean {
  if (!isJsonObject(body) || isUnifiedLlmInput(body)) return false;
  const keys = MLFLOW_INPUT_KEYS.filter((key) => key in body);
  const text = casts === true ? undefined : casts;
  return keys.length === 1 && holdsObjectCell(body, keys[0] as MlflowInputKey, text);
}

/** Each member as an `inputs` dict's tensor, marked so the Python worker hands the model the dict as sent. */
function unifiedLlmRequest(body: Record<string, unknown>, floats: FloatLiterals | undefined): PredictRequest {
  const input = inputsInput(body, floats);
  if (input.kind !== "tensors")
    throw new FlowOpsError("INTERNAL_ERROR", "a JSON object parsed as inputs records");
  for (const tensor of input.tensors) tensor.llmMember = true;
  return { input, dataframe: false, unifiedLlm: true };
}

function mlflowInput(
  body: Record<string, unknown>,
  key: MlflowInputKey,
  floats: FloatLiterals | undefined,
  integers: BigIntegerRule,
): ModelInput {
  const value = body[key];
  switch (key) {
    case "dataframe_split":
      return frameFromDataframeSplit(value, floats);
    case "dataframe_records":
      return frameFromDataframeRecords(value, floats);
    case "instances":
    case "inputs": {
      // A bare number's literal is known by its place in the body, which the tensor parsers do not see; asked
      // only of a whole number, as asking may search the text.
      if (Number.isInteger(value) && floats?.has(body, key) === true)
        return floatScalarInput(value as number);
      if (!isJsonObject(value)) {
        if (key === "inputs") return inputsInput(value, floats, false, integers);
        if (Array.isArray(value) && isJsonObject(value[0])) checkInstancesRecordShapes(value);
        return instancesInput(value, floats, integers);
      }
      // A dict's members are checked against the signature, which adaptInput knows: `instances` members' lengths
      // too (checkInstancesLengths), which MLflow compares only for the inputs the signature requires.
      const input = inputsInput(value, floats, true, integers);
      if (input.kind === "tensors") {
        input.mlflowDict = true;
        if (key === "instances") input.instancesDict = true;
      }
      return input;
    }
  }
}

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

function pythonTypeName(value: unknown): string {
  if (value === null) return "<class 'NoneType'>";
  if (typeof value === "string") return "<class 'str'>";
  if (typeof value === "boolean") return "<class 'bool'>";
  return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
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
