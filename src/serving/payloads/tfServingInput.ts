/**
 * TF-Serving style inputs, shared by MLflow `/invocations` and KServe V1 `:predict` (both follow
 * `parse_tf_serving_input`): `instances` is row-oriented (a list of rows or of {name: value} objects),
 * `inputs` is column-oriented (a {name: tensor} dict, or one unnamed tensor).
 */
import type { Tensor } from "../tensor.js";
import { withFloatColumns } from "./dataframeFrame.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import {
  inferTensorFromJson,
  requireTensorFromJson,
  type BigIntegerRule,
  type WholeFloat,
} from "./jsonTensor.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import type { DictFloats } from "./objectTensor.js";
import { UNNAMED_INPUT, type ModelInput } from "./predictRequest.js";
import { recordValueTensors } from "./recordListTensor.js";
import { frameFromRecords } from "./recordsFrame.js";

/**
 * `instances`: objects become a frame with named columns, rows a frame marked as one array (so a model with a
 * column signature still gets its columns by position), scalars one unnamed tensor. `floats` (here and in
 * inputsInput): where the body wrote whole numbers as floats, which numpy and pandas type as floats; `integers`
 * (there too): how integers beyond INT64 are read (jsonTensor.ts).
 */
export function instancesInput(
  instances: unknown,
  floats?: FloatLiterals,
  integers: BigIntegerRule = "numpy",
): ModelInput {
  if (!Array.isArray(instances)) {
    if (isJsonObject(instances)) checkColumnLengths(instances);
    return inputsInput(instances, floats, false, integers);
  }
  const first: unknown = instances[0];
  if (isJsonObject(first)) return { ...frameFromRecords(instances, "instances", floats), recordArrays: true };
  if (Array.isArray(first)) {
    for (let i = 0; i < instances.length; i++) {
      if (!Array.isArray(instances[i])) {
        throw invalidInput(
          `instances[${i}] is not a list like instances[0]; every instance must have the same form`,
        );
      }
    }
    const rows = instances as unknown[][];
    return withFloatColumns({ kind: "frame", columns: undefined, rows, array: true }, rows, floats);
  }
  const tensor = requireTensorFromJson(
    UNNAMED_INPUT,
    instances,
    "instances",
    integers,
    () => floatsIn(instances, floats),
    wholeFloatIn(floats),
    dictFloatsIn(floats),
  );
  return { kind: "tensors", tensors: [tensor] };
}

/**
 * `instances` given as one {name: value} object: MLflow's `parse_instances_data` makes each member `np.array` and
 * then compares `len()` of each with the first's, in order, stopping at the first difference, so a member that
 * is no list (a 0-d array) fails Python's `len()` unless a mismatch came before it.
 */
function checkColumnLengths(columns: Record<string, unknown>): void {
  const lengthOf = (value: unknown): number => {
    if (Array.isArray(value)) return value.length;
    throw invalidInput(
      "Ensure that the input is a valid JSON-formatted string.\nError: TypeError('len() of unsized object')",
    );
  };
  const [first, ...rest] = Object.values(columns);
  if (first === undefined) return;
  const expected = lengthOf(first);
  for (const value of rest) {
    if (lengthOf(value) !== expected) {
      throw invalidInput("The length of values for each input/column name are not the same");
    }
  }
}

function floatsIn(value: unknown, floats: FloatLiterals | undefined): boolean {
  return floats !== undefined && floats.holdsAnyIn(value);
}

/** Which of a value's list elements the body wrote as whole floats, for the values kept as sent. */
function wholeFloatIn(floats: FloatLiterals | undefined): WholeFloat | undefined {
  return floats === undefined ? undefined : (list, index) => floats.has(list, index);
}

/**
 * Lets an `inputs` (or `instances`) tensor hold JSON objects, which MLflow's `np.array` makes an object array of
 * dicts, telling which of their numbers the body wrote as floats.
 */
function dictFloatsIn(floats: FloatLiterals | undefined): DictFloats {
  return floats === undefined ? () => false : (container, key) => floats.has(container, key);
}

/** A bare number the body wrote as a float (`"inputs": 5.0`), which FloatLiterals leave to their container. */
export function floatScalarInput(value: number): ModelInput {
  const tensor = requireTensorFromJson(UNNAMED_INPUT, value, "inputs", "numpy", () => true);
  return { kind: "tensors", tensors: [tensor] };
}

/** A protocol's own tensor for a dict member that it reads otherwise (undefined: read as any other). */
export type MemberTensor = (name: string, value: unknown) => Tensor | undefined;

/**
 * `inputs`: a dict maps input names to nested lists (`emptyDict`: one of no members is taken too); a list of objects is records (a frame to a typed model, the
 * list of dicts itself to one without a signature, see recordListTensor.ts); any other list or scalar is
 * one unnamed tensor (a list of rows mixing strings and numbers stays a frame, as a pandas DataFrame would).
 * JSON objects anywhere else (a record's value, a list's element beside other values) are dicts in an object
 * tensor, for a Python model without a signature (see objectTensor.ts). `memberTensor` may read a member itself.
 */
export function inputsInput(
  inputs: unknown,
  floats?: FloatLiterals,
  emptyDict = false,
  integers: BigIntegerRule = "numpy",
  memberTensor?: MemberTensor,
): ModelInput {
  if (isJsonObject(inputs)) {
    const tensors: Tensor[] = [];
    for (const name of Object.keys(inputs)) {
      const value = inputs[name];
      const own = memberTensor?.(name, value);
      if (own !== undefined) {
        tensors.push(own);
        continue;
      }
      // A bare number is found by its place; a list's numbers inside it.
      const written = (): boolean =>
        Array.isArray(value) ? floatsIn(value, floats) : floats?.has(inputs, name) === true;
      tensors.push(
        requireTensorFromJson(
          name,
          value,
          `inputs '${name}'`,
          integers,
          written,
          wholeFloatIn(floats),
          dictFloatsIn(floats),
        ),
      );
    }
    // MLflow takes an empty dict as any other, so its signature decides (see mlflowDictInputs.ts).
    if (tensors.length === 0 && !emptyDict) throw emptyInputsError();
    return { kind: "tensors", tensors };
  }
  // Only a list of nothing but objects is records (MLflow: `all(isinstance(x, dict) ...)`); objects among other
  // values are elements of one object array.
  if (Array.isArray(inputs) && isJsonObject(inputs[0]) && inputs.every(isJsonObject)) {
    const frame = frameFromRecords(inputs, "inputs", floats);
    // A model without a signature gets the records as sent.
    const records = inputs as Record<string, unknown>[];
    frame.recordList = () => recordValueTensors(records, "inputs", floats);
    return frame;
  }
  const tensor = inferTensorFromJson(
    UNNAMED_INPUT,
    inputs,
    "inputs",
    integers,
    () => floatsIn(inputs, floats),
    wholeFloatIn(floats),
    dictFloatsIn(floats),
  );
  if (tensor !== undefined) return { kind: "tensors", tensors: [tensor] };
  if (Array.isArray(inputs) && inputs.every((row) => Array.isArray(row))) {
    const rows = inputs as unknown[][];
    // One array to numpy (MLflow: np.array(inputs), numpy's str for text with numbers), a frame's columns to a
    // column signature.
    return withFloatColumns({ kind: "frame", columns: undefined, rows, array: true }, rows, floats);
  }
  const mixed = requireTensorFromJson(
    UNNAMED_INPUT,
    inputs,
    "inputs",
    integers,
    undefined,
    wholeFloatIn(floats),
  );
  return { kind: "tensors", tensors: [mixed] };
}

/** FlowOps' refusal of an `inputs` dict of no members, for a model that would get nothing. */
export function emptyInputsError(): Error {
  return invalidInput("'inputs' is an empty dictionary; name at least one input");
}
