/**
 * KServe Open Inference Protocol (V2) REST payloads: the inference request `{"id"?, "parameters"?, "inputs":
 * [{name, shape, datatype, parameters?, data}], "outputs"?: [{name}]}` and its response. Hand-checked rather
 * than schema-validated: this runs on every request of the hot path. Binary tensor data is not supported.
 */
import { FlowOpsError } from "../../errors.js";
import { showValue, tensorFromJson, tensorToJson, type Tensor, type TensorJson } from "../tensor.js";
import { isJsonObject } from "./invalidInput.js";
import type { PredictRequest } from "./predictRequest.js";

export interface V2InferResponse {
  model_name: string;
  model_version?: string;
  id: string;
  outputs: TensorJson[];
}

/** Parses a V2 infer request body (already JSON-decoded); errors are INVALID_PARAMETER_VALUE naming the field. */
export function v2Request(body: unknown): PredictRequest {
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
    if (input.data === undefined) throw v2Error(`${where}: 'data' is required`);
    if (input.shape === undefined) throw v2Error(`${where}: 'shape' is required`);
    const parameters = input.parameters;
    if (isJsonObject(parameters) && parameters.binary_data_size !== undefined) {
      throw v2Error(`${where}: binary tensor data is not supported; send the values in 'data' as JSON`);
    }
    tensors[i] = tensorFromJson(name, input.datatype as string, input.shape, input.data, where);
  }
  const request: PredictRequest = { input: { kind: "tensors", tensors } };
  if (body.id !== undefined) {
    if (typeof body.id !== "string") throw v2Error(`'id' must be a string, got ${showValue(body.id)}`);
    request.id = body.id;
  }
  if (body.parameters !== undefined) {
    if (!isJsonObject(body.parameters)) throw v2Error("'parameters' must be a JSON object");
    request.params = body.parameters;
  }
  if (body.outputs !== undefined) request.outputs = requestedOutputs(body.outputs);
  return request;
}

function requestedOutputs(outputs: unknown): string[] {
  if (!Array.isArray(outputs)) throw v2Error("'outputs' must be a list of {\"name\": ...} objects");
  return outputs.map((output: unknown, i) => {
    if (!isJsonObject(output) || typeof output.name !== "string") {
      throw v2Error(`outputs[${i}]: 'name' must be a string`);
    }
    if (isJsonObject(output.parameters) && output.parameters.binary_data === true) {
      throw v2Error(`outputs[${i}] '${output.name}': binary tensor data is not supported`);
    }
    return output.name;
  });
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
