/**
 * MLflow's schema check of an `inputs` or `instances` list under a tensor signature that names its inputs
 * (`_enforce_schema` in mlflow/models/utils.py): it finds inputs by name in a dict, and takes one numpy array for the
 * signature's input only when exactly one is required. A list of records (`inputs: [{"x": [1, 2]}]`, which
 * `_cast_schema_type` keeps a Python list) is neither, so it lacks every input; so does one array sent to a signature
 * of several. mlflow 3.17.2 answers both 400 INVALID_PARAMETER_VALUE (SCHEMA_ENFORCEMENT_FAILED), quoting the data
 * as its parsing cast it, with no extra inputs noted (a list has no names):
 * "Failed to predict data '[{'x': array([1., 2.], dtype=float32)}]'. \nError: Failed to enforce schema of data
 * '[{'x': array([1., 2.], dtype=float32)}]' with schema '['x': Tensor('float32', (-1, 2))]'. Error: Model is missing
 * inputs ['x']." For `inputs: [[1.0, 2.0]]` to inputs a and b the data is the array's str, `[[1. 2.]]`. Inputs
 * that are all there then have their shapes checked (`_enforce_tensor_spec`): "Shape of input (1, 1, 2) does not
 * match expected shape (-1, 2).", the data the dict as sent (a single input's list under its name).
 */
import type { FlowOpsError } from "../../errors.js";
import type { ModelSignature, TensorSignatureSpec } from "../signature.js";
import type { Tensor } from "../tensor.js";
import { pythonListRepr } from "./mlflowMessages.js";
import { convertedArray, dictRepr, enforcementError } from "./mlflowMissingInputs.js";
import { inferTensorFromJson } from "./jsonTensor.js";
import { numpyArrayRepr, numpyArrayStr } from "./numpyRepr.js";
import { UNNAMED_INPUT, type MlflowSent, type ModelInput } from "./predictRequest.js";

type Frame = ModelInput & { kind: "frame" };

/** MLflow's refusal of `inputs` records under a named tensor signature; undefined for any other input. */
export function recordsMissingInputsError(
  input: Frame,
  signature: ModelSignature | undefined,
  sent: MlflowSent,
): FlowOpsError | undefined {
  const specs = namedTensorSpecs(signature);
  // `instances` records are a dict of arrays to MLflow (parse_instances_data), which the schema check takes.
  if (specs === undefined || sent.key !== "inputs" || input.recordList === undefined) return undefined;
  const records: string[] = [];
  for (const record of input.recordList()) {
    const members: string[] = [];
    for (const tensor of record) {
      const array = convertedArray(
        sentText(tensor),
        specs.find((spec) => spec.name === tensor.name),
      );
      if (array === undefined) return undefined;
      members.push(`${quoted(tensor.name)}: ${numpyArrayRepr(array)}`);
    }
    records.push(`{${members.join(", ")}}`);
  }
  return missingEveryInput(`[${records.join(", ")}]`, specs);
}

/**
 * MLflow's refusal of one unnamed array (`inputs: [[1.0, 2.0]]`) under a named tensor signature of several inputs,
 * which `_cast_schema_type` casts whole to the first input's dtype; undefined for any other input.
 */
export function arrayMissingInputsError(
  tensors: readonly Tensor[],
  signature: ModelSignature | undefined,
): FlowOpsError | undefined {
  const specs = namedTensorSpecs(signature);
  const only = tensors.length === 1 ? tensors[0] : undefined;
  if (specs === undefined || specs.length < 2 || only === undefined || only.name !== UNNAMED_INPUT)
    return undefined;
  if (only.shape.length === 0 || only.jsonData !== undefined) return undefined;
  const array = convertedArray(only, specs[0]);
  return array === undefined ? undefined : missingEveryInput(numpyArrayStr(array), specs);
}

/**
 * MLflow's refusal of the first input, in the signature's order, whose shape differs from its spec's in rank or in
 * a fixed dimension; undefined when every input fits (or is not there: the caller's checks answer that). `tensors`
 * are those the body sent, extra members included.
 */
export function tensorShapeError(
  tensors: readonly Tensor[],
  signature: ModelSignature | undefined,
): FlowOpsError | undefined {
  const specs = namedTensorSpecs(signature);
  if (specs === undefined) return undefined;
  const unnamed = specs.length === 1 && tensors.length === 1 && tensors[0]?.name === UNNAMED_INPUT;
  // A missing input is refused first, by the caller's checks.
  if (!unnamed && !specs.every((spec) => tensors.some((each) => each.name === spec.name))) return undefined;
  for (const spec of specs) {
    const tensor = unnamed ? tensors[0] : tensors.find((each) => each.name === spec.name);
    if (tensor === undefined || tensor.jsonData !== undefined || fits(tensor.shape, spec)) continue;
    const sent = unnamed ? [{ ...tensor, name: spec.name as string }] : tensors;
    const data = dictRepr(sent, specs);
    if (data === undefined) return undefined;
    return enforcementError(
      data,
      specs,
      `Shape of input ${tupleRepr(tensor.shape)} does not match expected shape ${tupleRepr(spec.shape)}.`,
    );
  }
  return undefined;
}

/**
 * `instances` rows (`[[1.0, 2.0]]`), which FlowOps reads as a frame and MLflow as one array: refused as
 * arrayMissingInputsError or tensorShapeError refuse that array. The array is built only to be quoted.
 */
export function rowsSchemaError(
  input: Frame,
  signature: ModelSignature | undefined,
  sent: MlflowSent,
): FlowOpsError | undefined {
  const specs = namedTensorSpecs(signature);
  if (specs === undefined || input.array !== true) return undefined;
  const value = sent.body[sent.key];
  const only = specs.length === 1 ? specs[0] : undefined;
  if (only !== undefined && fits(sentShape(value), only)) return undefined;
  const tensor = inferTensorFromJson(UNNAMED_INPUT, value, sent.key);
  if (tensor === undefined) return undefined;
  return arrayMissingInputsError([tensor], signature) ?? tensorShapeError([tensor], signature);
}

/** The shape numpy finds for rows that are not ragged (mlflowNumpyCasts.ts refused those), by first elements. */
function sentShape(value: unknown): number[] {
  const shape: number[] = [];
  for (let level = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  return shape;
}

function fits(shape: readonly number[], spec: TensorSignatureSpec): boolean {
  const expected = spec.shape;
  // Tensor('object', (-1,)) takes any value.
  if (expected.length === 1 && expected[0] === -1 && spec.dtype === "object") return true;
  if (shape.length !== expected.length) return false;
  for (let i = 0; i < shape.length; i++) if (expected[i] !== -1 && expected[i] !== shape[i]) return false;
  return true;
}

function tupleRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function missingEveryInput(data: string, specs: readonly TensorSignatureSpec[]): FlowOpsError {
  const names = specs.map((spec) => spec.name as string);
  return enforcementError(data, specs, `Model is missing inputs ${pythonListRepr(names)}.`);
}

function namedTensorSpecs(signature: ModelSignature | undefined): readonly TensorSignatureSpec[] | undefined {
  if (signature?.kind !== "tensors" || signature.inputs.length === 0) return undefined;
  return signature.inputs.every((spec) => spec.name !== undefined) ? signature.inputs : undefined;
}

/** A record's text as numpy holds it (`<U` strings); recordValueTensors keeps it as objects for the Python worker. */
function sentText(tensor: Tensor): Tensor {
  if (tensor.datatype !== "BYTES" || (tensor.nulls !== undefined && tensor.nulls.length > 0)) return tensor;
  const { jsonData: _objects, ...text } = tensor;
  return text;
}

function quoted(name: string): string {
  return pythonListRepr([name]).slice(1, -1);
}
