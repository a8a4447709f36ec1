/**
 * The refusals MLflow's parsing of `inputs` and `instances` gives values numpy cannot cast to the signature's
 * types, before any schema check (`convert_data_type` in mlflow/utils/proto_json_utils.py): a dict member, or a
 * whole list, is `np.array(value, dtype)` of its spec's dtype (`np.array(value)` without a spec), whose ValueError
 * or TypeError becomes "Invalid input. <numpy's message>". Checked against mlflow 3.17.2 with numpy 2.4 over ONNX
 * Identity graphs under column, tensor and no signatures: numpy first discovers the shape (a ragged value fails
 * for every dtype but object), then casts the leaves in order, the first failing leaf deciding the message.
 * Casts to floats and to int32/int64 are checked leaf by leaf (numpyElementCasts.ts), others for their shape only.
 */
import type { ColumnSpec, ModelSignature, TensorSignatureSpec } from "../signature.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { inhomogeneousMessage, numpyShape, stackedShape } from "./numpyShape.js";
import { castKeepsLeaf, castLeaf, leafCastRefusal, type NumericCast } from "./numpyElementCasts.js";
import type { Tensor } from "../tensor.js";
import type { ModelInput } from "./predictRequest.js";

/**
 * What numpy casts a value to: "any" (`np.array(value)`, no spec), "object" (never refused: a ragged value becomes
 * an object array of what it holds), a NumericCast (float16/32/64, int32, int64), "typed" (any other dtype).
 */
export type NumpyCast = "any" | "object" | NumericCast | "typed";

/** The cast of a dict member: MLflow looks specs up by name only when the signature names every input. */
export function memberCast(signature: ModelSignature | undefined, name: string): NumpyCast {
  if (signature === undefined || !namesEveryInput(signature)) return "any";
  const inputs: readonly (ColumnSpec | TensorSignatureSpec)[] = signature.inputs;
  const spec = inputs.find((input) => input.name === name);
  return spec === undefined ? "any" : specCast(spec);
}

/**
 * The cast of a whole list (`inputs` or `instances` not given as records): the only named input's, else the
 * first input's (`_cast_schema_type`).
 */
export function listCast(signature: ModelSignature | undefined): NumpyCast {
  const first = signature?.inputs[0];
  return first === undefined ? "any" : specCast(first);
}

function namesEveryInput(signature: ModelSignature): boolean {
  const inputs: readonly (ColumnSpec | TensorSignatureSpec)[] = signature.inputs;
  return inputs.length > 0 && inputs.every((input) => input.name !== undefined);
}

function specCast(spec: ColumnSpec | TensorSignatureSpec): NumpyCast {
  if ("dtype" in spec) {
    if (spec.dtype === "object") return "object";
    if (spec.dtype === "int32" || spec.dtype === "int64") return spec.dtype;
    return /^float(16|32|64)$/.test(spec.dtype) ? "float" : "typed";
  }
  if (spec.type === "float" || spec.type === "double") return "float";
  if (spec.type === "integer") return "int32";
  if (spec.type === "long") return "int64";
  // Nested columns go through MLflow's own enforcement, whose arrays numpy still builds: their shape is checked.
  return typeof spec.type === "string" && !isComplex(spec) ? "typed" : "any";
}

function isComplex(spec: ColumnSpec): boolean {
  return spec.type === "array" || spec.type === "object" || spec.type === "map" || spec.type === "any";
}

/** numpy's message for `np.array(value, <cast's dtype>)`, or undefined when numpy takes the value. */
export function numpyCastRefusal(value: unknown, cast: NumpyCast): string | undefined {
  if (cast === "object") return undefined;
  const { shape, ragged } = numpyShape(value);
  if (ragged) return inhomogeneousMessage(shape);
  if (cast === "any" || cast === "typed") return undefined;
  const leaves = Array.isArray(value) ? (value as unknown[]).flat(shape.length) : [value];
  for (const leaf of leaves) {
    const refusal = leafCastRefusal(leaf, cast);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

/**
 * Whether numpy could refuse or change the value under some cast: it is ragged, or holds text, a dict, a null, a
 * fraction or an integer beyond int32 (which an int cast truncates or refuses). A body of small integers or
 * booleans needs no check, and its request carries none.
 */
export function mayRefuseCast(value: unknown): boolean {
  const { shape, ragged } = numpyShape(value);
  if (ragged) return true;
  const leaves = Array.isArray(value) ? (value as unknown[]).flat(shape.length) : [value];
  return leaves.some(
    (leaf) =>
      typeof leaf === "string" ||
      leaf === null ||
      typeof leaf === "bigint" ||
      isJsonObject(leaf) ||
      (typeof leaf === "number" && !(Number.isInteger(leaf) && Math.abs(leaf) < 2 ** 31)),
  );
}

/** Throws MLflow's refusal of the first value numpy cannot cast, in order: [value, cast] pairs. */
export function checkNumpyCasts(values: Iterable<[unknown, NumpyCast]>): void {
  for (const [value, cast] of values) {
    const refusal = numpyCastRefusal(value, cast);
    if (refusal !== undefined) throw invalidInput(refusal);
  }
}

/**
 * `instances` records: MLflow casts each record's values in turn (convert_data_type, refusing as above), then
 * stacks each column's arrays with `np.array`, whose ValueError it wraps as it wraps any parsing error.
 */
export function checkInstancesRecordCasts(
  records: readonly unknown[],
  signature: ModelSignature | undefined,
): void {
  const columns = new Map<string, number[][]>();
  for (const record of records) {
    if (!isJsonObject(record)) continue;
    for (const [name, value] of Object.entries(record)) {
      const cast = memberCast(signature, name);
      checkNumpyCasts([[value, cast]]);
      let shapes = columns.get(name);
      if (shapes === undefined) columns.set(name, (shapes = []));
      shapes.push(numpyShape(value).shape);
    }
  }
  for (const shapes of columns.values()) {
    const stacked = stackedShape(shapes);
    if (stacked.ragged) {
      throw invalidInput(
        "Ensure that the input is a valid JSON-formatted string.\n" +
          `Error: ValueError('${inhomogeneousMessage(stacked.shape)}')`,
      );
    }
  }
}

/** Whether each column of these records stacks as numpy does whatever the casts (no column's shapes differ). */
export function stacksEveryColumn(records: readonly unknown[]): boolean {
  const columns = new Map<string, number[][]>();
  for (const record of records) {
    if (!isJsonObject(record)) continue;
    for (const [name, value] of Object.entries(record)) {
      let shapes = columns.get(name);
      if (shapes === undefined) columns.set(name, (shapes = []));
      shapes.push(numpyShape(value).shape);
    }
  }
  return [...columns.values()].every((shapes) => !stackedShape(shapes).ragged);
}

/**
 * The value as numpy's cast holds it, as a tensor named `name`, where the typed path would not take it as sent:
 * text for a float or int input, fractions for an int one (numpy truncates them). Undefined when the value needs
 * no cast, or is ragged (which only an object cast takes). Run after checkNumpyCasts passed the value.
 */
export function numpyCastTensor(name: string, value: unknown, cast: NumpyCast): Tensor | undefined {
  if (cast !== "float" && cast !== "int32" && cast !== "int64") return undefined;
  const { shape, ragged } = numpyShape(value);
  if (ragged) return undefined;
  const leaves = Array.isArray(value) ? (value as unknown[]).flat(shape.length) : [value];
  if (leaves.every((leaf) => castKeepsLeaf(leaf, cast))) return undefined;
  if (cast === "int64")
    return {
      name,
      datatype: "INT64",
      shape,
      data: BigInt64Array.from(leaves, (l) => castLeaf(l, cast) as bigint),
    };
  const numbers = leaves.map((leaf) => castLeaf(leaf, cast) as number);
  if (cast === "int32") return { name, datatype: "INT32", shape, data: Int32Array.from(numbers) };
  return { name, datatype: "FP64", shape, data: Float64Array.from(numbers) };
}

/**
 * The tensors with each cast value in place of the tensor of its name ([name, value, cast] triples), or undefined
 * when no value needed a cast: the request's own tensors then go on as parsed.
 */
export function numpyCastTensors(
  tensors: readonly Tensor[],
  values: Iterable<[string, unknown, NumpyCast]>,
): Tensor[] | undefined {
  let cast: Tensor[] | undefined;
  for (const [name, value, kind] of values) {
    const tensor = numpyCastTensor(name, value, kind);
    if (tensor === undefined) continue;
    const index = tensors.findIndex((each) => each.name === name);
    if (index >= 0) (cast ??= tensors.slice())[index] = tensor;
  }
  return cast;
}

/** The value with each leaf as numpy's cast holds it (numbers; BigInts for int64); as sent for other casts. */
function castValue(value: unknown, cast: NumpyCast): unknown {
  if (cast !== "float" && cast !== "int32" && cast !== "int64") return value;
  return Array.isArray(value) ? value.map((each) => castValue(each, cast)) : castLeaf(value, cast);
}

/**
 * Records' frame rows with each value as MLflow's parsing casts it to its input's dtype (`np.array(value, dtype)`
 * of each record's values in turn), which then goes to the model as cast: `[{"x": 1.5}]` is 1 for an int input.
 * Run after checkNumpyCasts passed every value.
 */
export function castRecordRows(
  input: ModelInput,
  records: readonly Record<string, unknown>[],
  signature: ModelSignature | undefined,
): unknown[][] | undefined {
  if (input.kind !== "frame" || input.columns === undefined || input.rows.length !== records.length)
    return undefined;
  const casts = input.columns.map((name) => memberCast(signature, name));
  return input.rows.map((row, r) => {
    const record = records[r] as Record<string, unknown>;
    return row.map((cell, c) => {
      const name = (input.columns as string[])[c] as string;
      return name in record ? castValue(record[name], casts[c] as NumpyCast) : cell;
    });
  });
}

/**
 * Unnamed rows (`instances: [[1.5, 2]]`), which MLflow casts whole to the first input's dtype before making them
 * a DataFrame: the frame's rows as cast. Run after checkNumpyCasts passed the list.
 */
export function castListRows(
  input: ModelInput,
  value: readonly unknown[],
  signature: ModelSignature | undefined,
): unknown[][] | undefined {
  if (input.kind !== "frame" || input.rows.length !== value.length || !value.every(Array.isArray))
    return undefined;
  const cast = listCast(signature);
  // Only an int cast changes what the frame path takes; a float one would lose which whole numbers were floats.
  if (cast !== "int32" && cast !== "int64") return undefined;
  return (value as unknown[][]).map((row) => row.map((cell) => castValue(cell, cast)));
}
