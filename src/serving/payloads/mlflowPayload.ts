/**
 * MLflow scoring server payloads (`POST /invocations`): JSON with exactly one of dataframe_split,
 * dataframe_records, instances, inputs (plus optional params), CSV with a header row, or a Parquet file; responses are
 * `{"predictions": ...}`. A JSON body holding `messages`, `prompt` or `input` is MLflow's unified LLM form instead,
 * answered with the predictions alone. Behaviour and messages follow `mlflow/pyfunc/scoring_server/__init__.py`.
 */
import { FlowOpsError } from "../../errors.js";
import type { ModelSignature } from "../signature.js";
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
import { keepMlflowSent, UNNAMED_INPUT, type ModelInput, type PredictRequest } from "./predictRequest.js";
import { floatScalarInput, inputsInput, instancesInput } from "./tfServingInput.js";
import {
  castListRows,
  castRecordRows,
  checkInstancesRecordCasts,
  checkNumpyCasts,
  listCast,
  mayRefuseCast,
  memberCast,
  numpyCastTensors,
  stacksEveryColumn,
  type NumpyCast,
} from "./mlflowNumpyCasts.js";
import { raggedObjectTensor } from "./raggedObjectTensor.js";
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
      `${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${pythonClassName(parsed)}.`,
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
  if (key === "inputs" || key === "instances") keepMlflowSent(input, { body: parsed, key, floats });
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
      return { ...frameFromDataframeSplit(value, floats), pandasCasts: true };
    case "dataframe_records":
      return { ...frameFromDataframeRecords(value, floats), pandasCasts: true };
    case "instances":
    case "inputs": {
      // A bare number's literal is known by its place in the body, which the tensor parsers do not see; asked
      // only of a whole number, as asking may search the text.
      if (Number.isInteger(value) && floats?.has(body, key) === true)
        return floatScalarInput(value as number);
      if (!isJsonObject(value)) return listInput(key, value, floats, integers);
      // A dict's members are checked against the signature, which adaptInput knows: `instances` members' lengths
      // too (checkInstancesLengths), which MLflow compares only for the inputs the signature requires.
      const members = value;
      const input = inputsInput(members, floats, true, integers, (name, member) =>
        raggedObjectTensor(name, member, floats),
      );
      if (input.kind === "tensors" && Object.values(members).some(mayRefuseCast)) {
        input.numpyCasts = (signature, tensors) => {
          const casts = Object.keys(members).map((name): [string, unknown, NumpyCast] => [
            name,
            members[name],
            memberCast(signature, name),
          ]);
          checkNumpyCasts(casts.map(([, member, cast]) => [member, cast]));
          return numpyCastTensors(tensors, casts);
        };
      }
      if (input.kind === "tensors") {
        input.mlflowDict = true;
        if (key === "instances") input.instancesDict = true;
      }
      return input;
    }
  }
}

/**
 * `inputs` or `instances` not given as a dict: records, one list, or one value. What numpy refuses of them waits for
 * the signature (numpyCasts); a ragged list stays one object array until then (raggedObjectTensor.ts).
 */
function listInput(
  key: "inputs" | "instances",
  value: unknown,
  floats: FloatLiterals | undefined,
  integers: BigIntegerRule,
): ModelInput {
  // Records are a list of dicts only to `inputs` (`all(isinstance(x, dict) ...)`), any list led by one to `instances`.
  if (key === "inputs" && Array.isArray(value) && value.length > 0 && value.every(isJsonObject)) {
    const records = inputsInput(value, floats, false, integers);
    // _cast_schema_type casts each record's values in turn, as parse_instances_data does, but stacks nothing.
    if (value.some((record) => Object.values(record).some(mayRefuseCast))) {
      const check = (signature: ModelSignature | undefined): void => {
        for (const record of value)
          checkNumpyCasts(Object.keys(record).map((name) => [record[name], memberCast(signature, name)]));
      };
      if (records.kind === "frame")
        records.numpyCasts = (signature) => {
          check(signature);
          return castRecordRows(records, value, signature);
        };
      else
        records.numpyCasts = (signature) => {
          check(signature);
          return undefined;
        };
    }
    return records;
  }
  if (key === "instances" && Array.isArray(value) && isJsonObject(value[0])) {
    if (!value.every(isJsonObject)) return unreadRecordsInput(value, floats);
    const records = instancesInput(value, floats, integers);
    if (
      value.some((record) => isJsonObject(record) && Object.values(record).some(mayRefuseCast)) ||
      !stacksEveryColumn(value)
    )
      if (records.kind === "frame")
        records.numpyCasts = (signature) => {
          checkInstancesRecordCasts(value, signature);
          return castRecordRows(records, value as Record<string, unknown>[], signature);
        };
      else
        records.numpyCasts = (signature) => {
          checkInstancesRecordCasts(value, signature);
          return undefined;
        };
    return records;
  }
  const ragged = raggedObjectTensor(UNNAMED_INPUT, value, floats);
  let input: ModelInput;
  if (ragged !== undefined) input = { kind: "tensors", tensors: [ragged] };
  else if (key === "inputs") input = inputsInput(value, floats, false, integers);
  else input = instancesInput(value, floats, integers);
  // A bare value is cast in MLflow's own wrapping ("Failed to convert data ..."), which FlowOps words its own way.
  if (Array.isArray(value) && mayRefuseCast(value)) {
    if (input.kind === "tensors") {
      input.numpyCasts = (signature, tensors) => {
        const cast = listCast(signature);
        checkNumpyCasts([[value, cast]]);
        return numpyCastTensors(tensors, [[UNNAMED_INPUT, value, cast]]);
      };
    } else {
      input.numpyCasts = (signature) => {
        checkNumpyCasts([[value, listCast(signature)]]);
        return castListRows(input, value, signature);
      };
    }
  }
  return input;
}

/**
 * `instances` records with a value that is no dict after the first: MLflow's parse_instances_data casts each record
 * in turn (`item.items()`), so the records before it may be refused first; then that value raises AttributeError,
 * wrapped as any parsing error. Both wait for the signature; no model runs this input.
 */
function unreadRecordsInput(records: readonly unknown[], floats: FloatLiterals | undefined): ModelInput {
  const stop = records.findIndex((record) => !isJsonObject(record));
  const type = pythonTypeName(records[stop], floats?.has(records, stop) === true);
  return {
    kind: "tensors",
    tensors: [],
    numpyCasts: (signature) => {
      for (const record of records.slice(0, stop) as Record<string, unknown>[])
        checkNumpyCasts(Object.keys(record).map((name) => [record[name], memberCast(signature, name)]));
      throw invalidInput(
        "Ensure that the input is a valid JSON-formatted string.\n" +
          `Error: AttributeError("'${type}' object has no attribute 'items'")`,
      );
    },
  };
}

function pythonClassName(value: unknown): string {
  return `<class '${pythonTypeName(value, false)}'>`;
}

/** The name of the Python type json.loads makes of a JSON value; `wholeFloat` when the body wrote it `1.0`. */
function pythonTypeName(value: unknown, wholeFloat: boolean): string {
  if (value === null) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "list";
  if (isJsonObject(value)) return "dict";
  return Number.isInteger(value) && !wholeFloat ? "int" : "float";
}
