/**
 * MLflow scoring server payloads (`POST /invocations`): JSON with exactly one of dataframe_split,
 * dataframe_records, instances, inputs (plus optional params), or CSV with a header row; responses are
 * `{"predictions": ...}`. Behaviour and messages follow `mlflow/pyfunc/scoring_server/__init__.py`.
 */
import { FlowOpsError } from "../../errors.js";
import type { ModelSignature } from "../signature.js";
import { jsonValues, type Tensor } from "../tensor.js";
import { frameFromCsv } from "./csvFrame.js";
import { frameFromDataframeRecords, frameFromDataframeSplit } from "./dataframeFrame.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { mlflowMediaType } from "./mlflowContentType.js";
import {
  MLFLOW_INPUT_KEYS,
  REQUIRED_INPUT_FORMAT,
  SCORING_PROTOCOL_CHANGE_INFO,
  pythonListRepr,
  type MlflowInputKey,
} from "./mlflowMessages.js";
import { nestedJson, rowJson, type NestedJson } from "./nestedJson.js";
import type { ModelInput, PredictRequest } from "./predictRequest.js";
import { inputsInput, instancesInput } from "./tfServingInput.js";
import { decodeUtf8Body } from "./utf8Body.js";

/** Parses an `/invocations` body; 415 for other media types or charsets, 400 for malformed input. */
export function mlflowRequest(body: Buffer | string, contentType: string | undefined): PredictRequest {
  const mediaType = mlflowMediaType(contentType);
  if (mediaType === "text/csv") return { input: frameFromCsv(decodeUtf8Body(body, "CSV body")) };
  const text = decodeUtf8Body(body, "JSON body");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
    throw invalidInput(
      `Ensure that input is a valid JSON formatted string. Error: '${(error as Error).message}'\nInput: \n${shown}\n`,
    );
  }
  return mlflowJsonRequest(parsed);
}

/** The JSON form of mlflowRequest, for a body already parsed. */
export function mlflowJsonRequest(parsed: unknown): PredictRequest {
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
  const params = parsed.params;
  if (params === undefined || params === null) return { input };
  if (!isJsonObject(params))
    throw invalidInput("'params' must be a JSON object of parameter names to values.");
  return { input, params };
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

/**
 * `{"predictions": ...}`: one output as nested lists (rows); several as {name: rows}, or as records
 * `[{name: value}, ...]` when the signature's outputs are columns (a pyfunc returning a DataFrame, which MLflow
 * serialises as records). A single [N,1] output under a one-column output signature is flattened to N values.
 */
export function mlflowResponse(outputs: Tensor[], signature?: ModelSignature): { predictions: unknown } {
  const columnOutputs = signature?.outputs?.kind === "columns" ? signature.outputs.specs : undefined;
  if (outputs.length === 1) {
    const only = outputs[0] as Tensor;
    if (columnOutputs?.length === 1 && only.shape.length === 2 && only.shape[1] === 1) {
      return { predictions: jsonValues(only) };
    }
    return { predictions: nestedJson(only) };
  }
  const rows = outputs[0]?.shape[0];
  if (columnOutputs !== undefined && rows !== undefined && outputs.every((t) => t.shape[0] === rows)) {
    const values = outputs.map((t) => jsonValues(t) as NestedJson[]);
    const records: Record<string, NestedJson>[] = [];
    for (let r = 0; r < rows; r++) {
      const record: Record<string, NestedJson> = {};
      outputs.forEach((t, i) => (record[t.name] = rowJson(t, values[i] as NestedJson[], r)));
      records.push(record);
    }
    return { predictions: records };
  }
  const byName: Record<string, NestedJson> = {};
  for (const t of outputs) byName[t.name] = nestedJson(t);
  return { predictions: byName };
}

function pythonTypeName(value: unknown): string {
  if (value === null) return "<class 'NoneType'>";
  if (typeof value === "string") return "<class 'str'>";
  if (typeof value === "boolean") return "<class 'bool'>";
  return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
}
