/**
 * KServe Open Inference Protocol (V2) REST payloads: the inference request `{"id"?, "parameters"?, "inputs":
 * [{name, shape, datatype, parameters?, data}], "outputs"?: [{name}]}` and its response. Hand-checked rather
 * than schema-validated: this runs on every request of the hot path. The binary tensor data extension's framing
 * lives in v2Binary.ts; this module reads its JSON parts (`binary_data_size`, `binary_data`, `binary_data_output`)
 * and hands binary inputs to the decoder v2Binary passes in, so the JSON path stays free of byte handling.
 */
import { FlowOpsError } from "../../errors.js";
import { showValue, tensorFromJson, tensorToJson, type Tensor, type TensorJson } from "../tensor.js";
import { isJsonObject } from "./invalidInput.js";
import { checkJsonDepth } from "./jsonDepth.js";
import type { PredictRequest } from "./predictRequest.js";

/** Which outputs the client wants as binary tensor data: the request-wide default, then per-output choices. */
export interface BinaryOutputChoice {
  all: boolean;
  byName: ReadonlyMap<string, boolean>;
}

/** A parsed V2 request; `binaryOutputs` only when at least one output may be sent as binary data. */
export interface V2Request extends PredictRequest {
  binaryOutputs?: BinaryOutputChoice;
}

/** An input whose values follow the JSON header as binary tensor data (`parameters.binary_data_size`). */
export interface BinaryInputHeader {
  name: string;
  datatype: unknown;
  shape: unknown;
  binaryDataSize: unknown;
  /** Names the input in error messages, e.g. "inputs[0] 'x'". */
  where: string;
}

/** Decodes the next binary input of the body; only a request sent with the binary extension has one. */
export type BinaryInputDecoder = (input: BinaryInputHeader) => Tensor;

/** The request-level parameter asking for every output as binary data; a transport choice, not a model param. */
const BINARY_DATA_OUTPUT = "binary_data_output";

export interface V2InferResponse {
  model_name: string;
  model_version?: string;
  id: string;
  outputs: TensorJson[];
}

/**
 * Parses a V2 infer request body (already JSON-decoded); errors are INVALID_PARAMETER_VALUE naming the field.
 * `decodeBinary` reads inputs sent as binary tensor data; without it such inputs are refused.
 */
export function v2Request(body: unknown, decodeBinary?: BinaryInputDecoder): V2Request {
  checkJsonDepth(body, "The request body");
  if (!isJsonObject(body))
    throw v2Error(`request body must be a JSON object with 'inputs', got ${showValue(body)}`);
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw v2Error(`'inputs' must be a non-empty list of tensors, got ${showValue(inputs)}`);
  }
  const tensors: Tensor[] = new Array<Tensor>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input: unknown = inputs[i];
    if (!isJsonObject(input))
      throw v2Error(`inputs[${i}] must be an object with name, shape, datatype and data`);
    const name = input.name;
    if (typeof name !== "string" || name === "")
      throw v2Error(`inputs[${i}]: 'name' must be a non-empty string`);
    const where = `inputs[${i}] '${name}'`;
    for (let j = 0; j < i; j++) {
      if ((tensors[j] as Tensor).name === name) throw v2Error(`${where}: input '${name}' is given twice`);
    }
    if (input.datatype === undefined) throw v2Error(`${where}: 'datatype' is required`);
    if (input.shape === undefined) throw v2Error(`${where}: 'shape' is required`);
    const parameters = input.parameters;
    const binaryDataSize = isJsonObject(parameters) ? parameters.binary_data_size : undefined;
    if (binaryDataSize !== undefined) {
      if (decodeBinary === undefined) {
        throw v2Error(
          `${where}: binary tensor data is not supported in a plain JSON body; send the JSON header's length ` +
            "in the Inference-Header-Content-Length header and the tensor bytes after it",
        );
      }
      if (input.data !== undefined) {
        throw v2Error(`${where}: give either 'data' or parameters.binary_data_size, not both`);
      }
      const header = { name, datatype: input.datatype, shape: input.shape, binaryDataSize, where };
      tensors[i] = decodeBinary(header);
      continue;
    }
    if (input.data === undefined) throw v2Error(`${where}: 'data' is required`);
    tensors[i] = tensorFromJson(name, input.datatype as string, input.shape, input.data, where);
  }
  const request: V2Request = { input: { kind: "tensors", tensors } };
  let binaryByDefault = false;
  if (body.id !== undefined) {
    if (typeof body.id !== "string") throw v2Error(`'id' must be a string, got ${showValue(body.id)}`);
    request.id = body.id;
  }
  if (body.parameters !== undefined) {
    if (!isJsonObject(body.parameters)) throw v2Error("'parameters' must be a JSON object");
    const { [BINARY_DATA_OUTPUT]: binaryDataOutput, ...params } = body.parameters;
    if (binaryDataOutput !== undefined) {
      if (typeof binaryDataOutput !== "boolean") {
        throw v2Error(
          `parameters.${BINARY_DATA_OUTPUT} must be true or false, got ${showValue(binaryDataOutput)}`,
        );
      }
      binaryByDefault = binaryDataOutput;
    }
    // Left out of the model's params: it only shapes the response, and params would turn off batching.
    if (Object.keys(params).length > 0 || binaryDataOutput === undefined) request.params = params;
  }
  const byName = new Map<string, boolean>();
  if (body.outputs !== undefined) request.outputs = requestedOutputs(body.outputs, byName);
  if (binaryByDefault || [...byName.values()].includes(true)) {
    request.binaryOutputs = { all: binaryByDefault, byName };
  }
  return request;
}

/**
 * The requested output names, each once; each output's `binary_data` choice goes into `binaryChoices`.
 * Triton keeps requested outputs in a set, so naming one twice asks for it once (inputs named twice are an
 * error there and here): the answer holds each output once. Two different explicit `binary_data` choices for
 * one output cannot both be honoured, so those are refused.
 */
function requestedOutputs(outputs: unknown, binaryChoices: Map<string, boolean>): string[] {
  if (!Array.isArray(outputs)) throw v2Error("'outputs' must be a list of {\"name\": ...} objects");
  const names = new Set<string>();
  /** Where each output's binary_data choice was made, to name both places when a repeat contradicts it. */
  const choiceIndex = new Map<string, number>();
  outputs.forEach((output: unknown, i) => {
    if (!isJsonObject(output) || typeof output.name !== "string") {
      throw v2Error(`outputs[${i}]: 'name' must be a string`);
    }
    const name = output.name;
    const binaryData = isJsonObject(output.parameters) ? output.parameters.binary_data : undefined;
    if (binaryData !== undefined) {
      if (typeof binaryData !== "boolean") {
        throw v2Error(
          `outputs[${i}] '${name}': parameters.binary_data must be true or false, got ${showValue(binaryData)}`,
        );
      }
      const earlier = choiceIndex.get(name);
      if (earlier !== undefined && binaryChoices.get(name) !== binaryData) {
        throw v2Error(
          `outputs[${i}] '${name}': parameters.binary_data ${binaryData} contradicts outputs[${earlier}], ` +
            `which asks for output '${name}' with binary_data ${!binaryData}; request each output once`,
        );
      }
      binaryChoices.set(name, binaryData);
      choiceIndex.set(name, i);
    }
    names.add(name);
  });
  return [...names];
}

/** The V2 inference response; `model_version` only when the model is versioned. */
export function v2Response(
  model: { name: string; version?: string },
  id: string,
  outputs: Tensor[],
): V2InferResponse {
  const json = new Array<TensorJson>(outputs.length);
  for (let i = 0; i < outputs.length; i++) json[i] = tensorToJson(outputs[i] as Tensor);
  return model.version === undefined
    ? { model_name: model.name, id, outputs: json }
    : { model_name: model.name, model_version: model.version, id, outputs: json };
}

function v2Error(message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", message);
}
