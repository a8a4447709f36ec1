/**
 * TF-Serving style inputs, shared by MLflow `/invocations` and KServe V1 `:predict` (both follow
 * `parse_tf_serving_input`): `instances` is row-oriented (a list of rows or of {name: value} objects),
 * `inputs` is column-oriented (a {name: tensor} dict, or one unnamed tensor).
 */
import type { Tensor } from "../tensor.js";
import { inferTensorFromJson, requireTensorFromJson } from "./jsonTensor.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { UNNAMED_INPUT, type ModelInput } from "./predictRequest.js";
import { frameFromRecords } from "./recordsFrame.js";

/**
 * `instances`: objects become a frame with named columns, rows a frame marked as one array (so a model with a
 * column signature still gets its columns by position), scalars one unnamed tensor.
 */
export function instancesInput(instances: unknown): ModelInput {
  if (!Array.isArray(instances)) return inputsInput(instances);
  const first: unknown = instances[0];
  if (isJsonObject(first)) return frameFromRecords(instances, "instances");
  if (Array.isArray(first)) {
    for (let i = 0; i < instances.length; i++) {
      if (!Array.isArray(instances[i])) {
        throw invalidInput(
          `instances[${i}] is not a list like instances[0]; every instance must have the same form`,
        );
      }
    }
    return { kind: "frame", columns: undefined, rows: instances as unknown[][], array: true };
  }
  return { kind: "tensors", tensors: [requireTensorFromJson(UNNAMED_INPUT, instances, "instances")] };
}

/**
 * `inputs`: a dict maps input names to nested lists; a list of objects is records; any other list or scalar is
 * one unnamed tensor (a list of rows mixing strings and numbers stays a frame, as a pandas DataFrame would).
 */
export function inputsInput(inputs: unknown): ModelInput {
  if (isJsonObject(inputs)) {
    const tensors: Tensor[] = [];
    for (const name of Object.keys(inputs)) {
      tensors.push(requireTensorFromJson(name, inputs[name], `inputs '${name}'`));
    }
    if (tensors.length === 0) throw invalidInput("'inputs' is an empty dictionary; name at least one input");
    return { kind: "tensors", tensors };
  }
  if (Array.isArray(inputs) && isJsonObject(inputs[0])) return frameFromRecords(inputs, "inputs");
  const tensor = inferTensorFromJson(UNNAMED_INPUT, inputs, "inputs");
  if (tensor !== undefined) return { kind: "tensors", tensors: [tensor] };
  if (Array.isArray(inputs) && inputs.every((row) => Array.isArray(row))) {
    return { kind: "frame", columns: undefined, rows: inputs as unknown[][] };
  }
  return { kind: "tensors", tensors: [requireTensorFromJson(UNNAMED_INPUT, inputs, "inputs")] };
}
