/**
 * The refusals MLflow's parsing of `inputs` and `instances` gives values numpy cannot cast to the signature's
 * types, before any schema check (`convert_data_type` in mlflow/utils/proto_json_utils.py): a dict member, or a
 * whole list, is `np.array(value, dtype)` of its spec's dtype (`np.array(value)` without a spec), whose ValueError
 * or TypeError becomes "Invalid input. <numpy's message>". Checked against mlflow 3.17.2 with numpy 2.4 over ONNX
 * Identity graphs under column, tensor and no signatures: numpy first discovers the shape (a ragged value fails
 * for every dtype but object), then casts the leaves in order, the first failing leaf deciding the message.
 * Casts other than to floats are checked for their shape only.
 */
import type { ColumnSpec, ModelSignature, TensorSignatureSpec } from "../signature.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { inhomogeneousMessage, numpyShape, stackedShape } from "./numpyShape.js";
import { pythonStrRepr } from "./pythonRepr.js";

/**
 * What numpy casts a value to: "any" (`np.array(value)`, no spec), "object" (never refused: a ragged value becomes
 * an object array of what it holds), "float" (float16/32/64), "typed" (any other dtype).
 */
export type NumpyCast = "any" | "object" | "float" | "typed";

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
    return /^float(16|32|64)$/.test(spec.dtype) ? "float" : "typed";
  }
  if (spec.type === "float" || spec.type === "double") return "float";
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
  if (cast !== "float") return undefined;
  const leaves = Array.isArray(value) ? (value as unknown[]).flat(shape.length) : [value];
  for (const leaf of leaves) {
    if (typeof leaf === "string" && !PYTHON_FLOAT.test(leaf.trim()))
      return `could not convert string to float: ${pythonStrRepr(leaf)}`;
    if (isJsonObject(leaf)) return "float() argument must be a string or a real number, not 'dict'";
  }
  return undefined;
}

/**
 * Whether numpy could refuse the value under some cast: it is ragged, or holds text or a dict (which only a float
 * cast refuses here). A body of plain numbers needs no check, and its request carries none.
 */
export function mayRefuseCast(value: unknown): boolean {
  const { shape, ragged } = numpyShape(value);
  if (ragged) return true;
  const leaves = Array.isArray(value) ? (value as unknown[]).flat(shape.length) : [value];
  return leaves.some((leaf) => typeof leaf === "string" || isJsonObject(leaf));
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

/** Python's `float(text)` after stripping: decimal digits with single underscores between, inf, infinity, nan. */
const DIGITS = "\\p{Nd}(?:_?\\p{Nd})*";
const PYTHON_FLOAT = new RegExp(
  `^[+-]?(?:(?:${DIGITS}\\.(?:${DIGITS})?|\\.${DIGITS}|${DIGITS})(?:e[+-]?${DIGITS})?|inf|infinity|nan)$`,
  "iu",
);
