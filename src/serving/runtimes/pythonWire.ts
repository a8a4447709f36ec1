/**
 * The messages FlowOps and python/flowops_pyfunc_worker.py exchange (each one frame, see pythonFraming.ts), and
 * their conversion to and from tensors. Column inputs go as `columns` (the worker builds a pandas DataFrame),
 * anything else as `tensors` (numpy arrays). Outputs come back as flat JSON tensors; non-finite floats travel as
 * null because JSON has no NaN.
 */
import { FlowOpsError, isErrorCode } from "../../errors.js";
import {
  dataFromJsonValues,
  isDatatype,
  jsonValues,
  showValue,
  type Tensor,
  type TensorData,
} from "../tensor.js";

export interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  /** Outputs only: BYTES elements the model left missing (None, NaN, NA); their `data` entry is "". */
  nulls?: number[];
  /** Outputs only: the column of the DataFrame (or Series) the model returned, for MLflow's records answer. */
  record_key?: string;
  /** Outputs only: the elements of an object array mixing numbers and text, as JSON values (flat). */
  json?: unknown[];
  /** Outputs only: the model answered a dict and this is one of its keys. */
  dict_key?: boolean;
}

export interface WorkerRequest {
  id: number;
  columns?: Record<string, unknown[]>;
  /** With `columns`: the DataFrame's index (dataframe_split), else pandas' default 0..n-1. */
  index?: unknown[];
  tensors?: WireTensor[];
  /** With `tensors`: a single named tensor stays a one-key dict (MLflow's `inputs: {name: ...}`), not a bare array. */
  keep_dict?: true;
  params?: Record<string, unknown>;
  /** Replaces `params`: their source text, which the worker parses with json.loads (`5.0` stays a float). */
  params_json?: string;
}

/** What a request carries besides its inputs. */
export interface WorkerRequestOptions {
  params?: Record<string, unknown> | undefined;
  paramsJson?: string | undefined;
  index?: readonly unknown[] | undefined;
  /** A single named tensor stays a one-key dict. */
  keepDict?: boolean;
}

export interface WorkerErrorInfo {
  type: string;
  message: string;
  error_code?: string;
  missing_module?: string;
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
  const { params, paramsJson, index, keepDict } = options;
  const request: WorkerRequest = { id };
  if (asColumns) {
    const columns: Record<string, unknown[]> = {};
    for (const input of inputs) {
      if (input.shape.length !== 1) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `input '${input.name}': the model takes columns, so each input must be 1-D, got shape [${input.shape.join(",")}]`,
        );
      }
      columns[input.name] = wireValues(input);
    }
    request.columns = columns;
    if (index !== undefined) request.index = [...index];
  } else {
    request.tensors = inputs.map((input) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      data: wireValues(input),
    }));
    if (keepDict === true && inputs.every((input) => input.name !== "")) request.keep_dict = true;
  }
  if (params !== undefined && Object.keys(params).length > 0) {
    if (paramsJson !== undefined) request.params_json = paramsJson;
    else request.params = params;
  }
  return request;
}

/** The input's values as JSON, missing strings as null (None in the worker, as MLflow passes them). */
function wireValues(input: Tensor): unknown[] {
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
    const { datatype, shape, data } = output;
    if (!isDatatype(datatype) || !Array.isArray(shape) || !Array.isArray(data)) {
      throw new FlowOpsError("INTERNAL_ERROR", `${where}: not a tensor (${showValue(output)})`);
    }
    let count = 1;
    for (const dim of shape) count *= dim;
    if (count !== data.length) {
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `${where}: shape [${shape.join(",")}] holds ${count} elements but data has ${data.length}`,
      );
    }
    const tensor: Tensor = { name: output.name, datatype, shape, data: outputData(datatype, data, where) };
    const nulls = output.nulls;
    if (Array.isArray(nulls) && nulls.length > 0) {
      if (datatype !== "BYTES" || !nulls.every((i) => Number.isInteger(i) && i >= 0 && i < count)) {
        throw new FlowOpsError("INTERNAL_ERROR", `${where}: bad missing-value list ${showValue(nulls)}`);
      }
      tensor.nulls = [...nulls];
    }
    if (typeof output.record_key === "string") tensor.recordKey = output.record_key;
    if (Array.isArray(output.json) && output.json.length === count) tensor.jsonData = [...output.json];
    if (output.dict_key === true) tensor.dictKey = true;
    return tensor;
  });
}

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
  return new FlowOpsError(
    code,
    `Encountered an error while evaluating the model: ${error.type}: ${error.message}`,
  );
}
