/**
 * The messages FlowOps and python/flowops_pyfunc_worker.py exchange (each one frame, see pythonFraming.ts), and
 * their conversion to and from tensors. Column inputs go as `columns` (the worker builds a pandas DataFrame),
 * anything else as `tensors` (numpy arrays). Numeric and BOOL elements, both ways, travel as `raw`: base64 of the
 * array's bytes. JSON has no NaN or Infinity (they would arrive as null, losing the sign of an infinity) and no
 * float32 or int8, so the bytes are the only form that keeps every value and the numpy dtype exactly. Both ends run
 * on one machine, so the bytes are in its native order. Text (BYTES) stays JSON. Values a model without a signature
 * takes as Python objects (`Tensor.jsonData`: text mixed with numbers, booleans or numbers with nulls) travel as
 * sent, so the worker's numpy or pandas types them as MLflow's own would (a column as a plain list, a tensor as `json`).
 */
import { isErrorClass } from "../../errorClassification.js";
import { FlowOpsError, isErrorCode } from "../../errors.js";
import type { PandasColumnDtype } from "../../tables/pandasColumnDtype.js";
import {
  allocateTensorData,
  dataFromJsonValues,
  isDatatype,
  jsonValues,
  showValue,
  type Datatype,
  type Tensor,
  type TensorData,
} from "../tensor.js";
import { recordListOf } from "../payloads/recordListTensor.js";
import { pythonOutputValues } from "./pythonOutputJson.js";

export interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  /** The elements as JSON values: BYTES (and, from older workers, anything else). */
  data?: unknown[];
  /** Numeric and BOOL elements: base64 of their native-order bytes, numpy's `tobytes()` (BOOL one byte each). */
  raw?: string;
  /** Outputs only: BYTES elements the model left missing (None, NaN, NA); their `data` entry is "". */
  nulls?: number[];
  /** Outputs only: the column of the DataFrame (or Series) the model returned, for MLflow's records answer. */
  record_key?: string;
  /**
   * The elements as JSON values (flat) where Python holds them as objects. Outputs: the values of a list, dict or
   * object column as MLflow writes them, floats and big ints marked (pythonOutputJson.ts). Inputs (`Tensor.jsonData`, for a model without a signature): the values as the request
   * sent them, which the worker types with `np.array`, as MLflow's scoring server does with the parsed body.
   */
  json?: unknown[];
  /** Outputs only: the model answered a dict and this is one of its keys. */
  dict_key?: boolean;
}

/**
 * A numeric or BOOL column: its bytes, as `WireTensor.raw`; the worker hands pandas Python values made from them,
 * or the numpy array itself with `keep_dtype` (`Tensor.keepDtype`), so that float32 or int8 is not widened.
 */
export interface WireColumn {
  datatype: string;
  raw: string;
  keep_dtype?: true;
}

/**
 * A column with the dtype its file's reader gave it (`Tensor.pandasDtype`): its values as JSON, datetimes as
 * ISO 8601 text, for the worker to build that pandas column.
 */
export interface WirePandasColumn {
  values: unknown[];
  pandas_dtype: PandasColumnDtype["kind"];
  unit?: string;
  utc_offset_minutes?: number | null;
}

export interface WorkerRequest {
  id: number;
  columns?: Record<string, unknown[] | WireColumn | WirePandasColumn>;
  /** With `columns`: the DataFrame's index (dataframe_split), else pandas' default 0..n-1. */
  index?: unknown[];
  tensors?: WireTensor[];
  /**
   * Instead of `columns` or `tensors`: MLflow `inputs` records for a model without a signature, which the worker
   * hands it as a list of dicts of numpy arrays, one dict per record (see recordListTensor.ts).
   */
  records?: WireTensor[][];
  /** With `tensors`: a single named tensor stays a one-key dict (MLflow's `inputs: {name: ...}`), not a bare array. */
  keep_dict?: true;
  params?: Record<string, unknown>;
  /** Replaces `params`: their source text, which the worker parses with json.loads (`5.0` stays a float). */
  params_json?: string;
  /** With `columns`: a missing text cell is NaN, as pandas.read_csv reads an empty CSV field, not None (JSON null). */
  missing_nan?: true;
  /**
   * With `tensors`: the members of an MLflow body in its unified LLM form (Tensor.llmMember), which the worker
   * hands the model as one dict of the values as sent, uncast, those its params schema names as params.
   */
  llm_input?: true;
  /** With `tensors`: they are the keys of MLflow `instances` records (Tensor.instanceRecords). */
  instance_records?: true;
  /**
   * The inputs were read as for a model without a signature (Tensor.schemaCast): the worker casts them to the
   * model's signature with MLflow's own functions, as for one with nested columns.
   */
  schema_cast?: true;
}

/** What a request carries besides its inputs. */
export interface WorkerRequestOptions {
  params?: Record<string, unknown> | undefined;
  paramsJson?: string | undefined;
  index?: readonly unknown[] | undefined;
  /** A single named tensor stays a one-key dict. */
  keepDict?: boolean;
  /** Missing text cells of `columns` reach the model as NaN (a CSV body) rather than None (JSON null). */
  missingAsNaN?: boolean;
}

export interface WorkerErrorInfo {
  type: string;
  message: string;
  error_code?: string;
  /** MLflow 3's class for the error (SCHEMA_ENFORCEMENT_FAILED), sent with `error_code` only. */
  error_class?: string;
  missing_module?: string;
  /** An MlflowException from the model's predict (its schema enforcement): the message MLflow answers with. */
  mlflow_message?: string;
}

/** The MLmodel `signature` block as MLflow's `ModelSignature.to_dict()` gives it (JSON strings). */
export interface WireSignature {
  inputs?: string | null;
  outputs?: string | null;
  params?: string | null;
}

export type WorkerMessage =
  | {
      type: "ready";
      signature: WireSignature | null;
      mlflow_version: string;
      python_version: string;
      pid: number;
    }
  | { type: "startup_error"; stage: "import_mlflow" | "load_model"; error: WorkerErrorInfo }
  | { type: "result"; id: number; ok: true; outputs: WireTensor[] }
  | { type: "result"; id: number; ok: false; error: WorkerErrorInfo };

/**
 * The request for adapted inputs. `asColumns` when the model takes a DataFrame: each input is then one 1-D
 * column named after its column.
 */
export function workerRequest(
  id: number,
  inputs: readonly Tensor[],
  asColumns: boolean,
  options: WorkerRequestOptions = {},
): WorkerRequest {
  const { params, paramsJson, index, keepDict, missingAsNaN } = options;
  const request: WorkerRequest = { id };
  const records = inputs.length === 1 ? recordListOf(inputs[0] as Tensor) : undefined;
  if (inputs.some((input) => input.llmMember === true)) {
    request.tensors = inputs.map(wireTensor);
    request.llm_input = true;
  } else if (records !== undefined) {
    request.records = records.map((record) => record.map(wireTensor));
  } else if (asColumns) {
    const columns: Record<string, unknown[] | WireColumn | WirePandasColumn> = {};
    for (const input of inputs) {
      if (input.shape.length !== 1) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `input '${input.name}': the model takes columns, so each input must be 1-D, got shape [${input.shape.join(",")}]`,
        );
      }
      if (input.pandasDtype !== undefined) {
        columns[input.name] = pandasColumn(input, input.pandasDtype);
        continue;
      }
      const raw = input.jsonData === undefined ? rawBytes(input) : undefined;
      columns[input.name] = raw === undefined ? wireValues(input) : wireColumn(input, raw);
    }
    request.columns = columns;
    if (index !== undefined) request.index = [...index];
    if (missingAsNaN === true) request.missing_nan = true;
  } else {
    request.tensors = inputs.map(wireTensor);
    if (inputs.some((input) => input.instanceRecords === true)) request.instance_records = true;
    if (keepDict === true && inputs.every((input) => input.name !== "")) request.keep_dict = true;
  }
  if (inputs.some((input) => input.schemaCast === true)) request.schema_cast = true;
  if (params !== undefined && Object.keys(params).length > 0) {
    if (paramsJson !== undefined) request.params_json = paramsJson;
    else request.params = params;
  }
  return request;
}

function wireColumn(input: Tensor, raw: string): WireColumn {
  const column: WireColumn = { datatype: input.datatype, raw };
  if (input.keepDtype === true) column.keep_dtype = true;
  return column;
}

function pandasColumn(input: Tensor, dtype: PandasColumnDtype): WirePandasColumn {
  const column: WirePandasColumn = { values: wireValues(input), pandas_dtype: dtype.kind };
  if (dtype.kind === "datetime") {
    column.unit = dtype.unit;
    column.utc_offset_minutes = dtype.utcOffsetMinutes;
  }
  return column;
}

/** An input as a numpy array travels: values held as sent as `json`, numbers and BOOL as `raw`, text as `data`. */
function wireTensor(input: Tensor): WireTensor {
  const tensor = { name: input.name, datatype: input.datatype, shape: input.shape };
  if (input.jsonData !== undefined) return { ...tensor, json: input.jsonData };
  const raw = rawBytes(input);
  return raw === undefined ? { ...tensor, data: wireValues(input) } : { ...tensor, raw };
}

/** Base64 of a numeric or BOOL tensor's bytes; undefined for BYTES, which travels as JSON text. */
function rawBytes(input: Tensor): string | undefined {
  const data = input.data;
  if (Array.isArray(data)) return undefined;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/**
 * The input's values as JSON, missing strings as null (None in the worker, as MLflow passes them); values Python
 * holds as objects as the request sent them, for pandas to type the column.
 */
function wireValues(input: Tensor): unknown[] {
  if (input.jsonData !== undefined) return input.jsonData;
  const values: unknown[] = jsonValues(input);
  if (input.nulls === undefined) return values;
  const copy = values.slice();
  for (const index of input.nulls) copy[index] = null;
  return copy;
}

/** Checks the shape of a frame from the worker; a malformed one means the stream cannot be trusted. */
export function parseWorkerMessage(value: unknown): WorkerMessage {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const type = (value as { type?: unknown }).type;
    if (type === "ready" || type === "startup_error") return value as WorkerMessage;
    const message = value as { type?: unknown; id?: unknown; ok?: unknown };
    if (type === "result" && typeof message.id === "number" && typeof message.ok === "boolean") {
      return value as WorkerMessage;
    }
  }
  throw new FlowOpsError("DATA_LOSS", `the Python worker sent an unexpected message: ${showValue(value)}`);
}

/** Tensors from a worker's outputs, checked like any other input to FlowOps. */
export function outputTensors(outputs: readonly WireTensor[]): Tensor[] {
  return outputs.map((output, index) => {
    const where = `Python model output ${index} '${String(output.name)}'`;
    const { datatype, shape, data, raw } = output;
    const hasData = Array.isArray(data) || (typeof raw === "string" && datatype !== "BYTES");
    const validShape = Array.isArray(shape) && shape.every((dim) => Number.isInteger(dim) && dim >= 0);
    if (!isDatatype(datatype) || !validShape || !hasData) {
      throw new FlowOpsError("INTERNAL_ERROR", `${where}: not a tensor (${showValue(output)})`);
    }
    let count = 1;
    for (const dim of shape) count *= dim;
    const values =
      typeof raw === "string"
        ? rawData(datatype, raw, count, where)
        : outputData(datatype, data ?? [], where);
    if (count !== values.length) {
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `${where}: shape [${shape.join(",")}] holds ${count} elements but data has ${values.length}`,
      );
    }
    const tensor: Tensor = { name: output.name, datatype, shape, data: values };
    const nulls = output.nulls;
    if (Array.isArray(nulls) && nulls.length > 0) {
      if (datatype !== "BYTES" || !nulls.every((i) => Number.isInteger(i) && i >= 0 && i < count)) {
        throw new FlowOpsError("INTERNAL_ERROR", `${where}: bad missing-value list ${showValue(nulls)}`);
      }
      tensor.nulls = [...nulls];
    }
    if (typeof output.record_key === "string") tensor.recordKey = output.record_key;
    if (Array.isArray(output.json) && output.json.length === count) {
      tensor.jsonData = pythonOutputValues(output.json, where);
    }
    if (output.dict_key === true) tensor.dictKey = true;
    return tensor;
  });
}

/** A typed array of `count` elements from an output's `raw` bytes, refusing bytes that do not fill it exactly. */
function rawData(datatype: Datatype, raw: string, count: number, where: string): TensorData {
  const bytes = Buffer.from(raw, "base64");
  const out = allocateTensorData(datatype, count) as Exclude<TensorData, string[]>;
  if (bytes.length !== out.byteLength) {
    throw new FlowOpsError(
      "INTERNAL_ERROR",
      `${where}: ${datatype} shape of ${count} elements needs ${out.byteLength} bytes but ${bytes.length} came`,
    );
  }
  // Copied rather than viewed: a decoded Buffer may sit unaligned inside Node's shared pool.
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  if (out instanceof Uint8Array && datatype === "BOOL") {
    for (let i = 0; i < out.length; i++) out[i] = out[i] === 0 ? 0 : 1;
  }
  return out;
}

/** JSON elements of an output: BYTES, or numbers from a worker that does not send `raw`. */
function outputData(datatype: Tensor["datatype"], data: readonly unknown[], where: string): TensorData {
  if (datatype === "FP64" || datatype === "FP32") {
    const numbers = datatype === "FP64" ? new Float64Array(data.length) : new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      numbers[i] = typeof value === "number" ? value : Number.NaN;
    }
    return numbers;
  }
  return dataFromJsonValues(datatype, data, (index) => `${where} data[${index}]`);
}

/**
 * A model-side prediction error as a FlowOpsError: MLflow's own code when it gave one, else BAD_REQUEST (400),
 * the code MLflow's scoring server gives any other exception the model raises. A module the model imports only while predicting
 * and that is not installed is the server's fault, not the request's: 500, naming what to install.
 */
export function predictionError(error: WorkerErrorInfo): FlowOpsError {
  if (error.missing_module !== undefined && error.error_code === undefined) {
    return new FlowOpsError(
      "INTERNAL_ERROR",
      `Encountered an error while evaluating the model: ${error.type}: ${error.message}; the model needs the ` +
        `Python package that provides '${error.missing_module}': install it in the serving interpreter ` +
        `(python -m pip install ${error.missing_module})`,
    );
  }
  const code =
    error.error_code !== undefined && isErrorCode(error.error_code) ? error.error_code : "BAD_REQUEST";
  // The class MLflow's raise site chose (schema enforcement) goes to the client as MLflow's scoring server sends it.
  const classified = isErrorClass(error.error_class) ? { errorClass: error.error_class } : {};
  if (error.mlflow_message !== undefined) return new FlowOpsError(code, error.mlflow_message, classified);
  return new FlowOpsError(
    code,
    `Encountered an error while evaluating the model: ${error.type}: ${error.message}`,
    classified,
  );
}
