/**
 * Request values a Python model without a signature takes as Python objects, as MLflow hands them: text mixed
 * with numbers or booleans (pandas: an object column of str and int; numpy: a str array, '1'). Such a tensor is
 * BYTES whose `jsonData` keeps every value as sent; the Python worker builds the column or array from those, and
 * `data` holds the values as text only so the tensor stays well formed. No other model takes it: a typed tensor
 * cannot hold both, so adaptInput refuses it for any model that declares its inputs.
 *
 * `jsonData` elements are JSON leaves as sent, plus three forms for what JSON cannot say as Python holds it, which
 * the worker decodes: `{float: x}`, a Python float (a whole number the body wrote as `1.0`, which JSON.parse and
 * JSON.stringify make 1; NaN, which JSON.stringify makes null, where pandas fills a record's missing key),
 * `{array: value}`, `np.array(value)` (MLflow builds an `instances` records column of those), and
 * `{object: [[key, value], ...]}`, a Python dict (see PythonDict). All are objects: a JSON object sent among the
 * leaves always travels as the last, so no sent value is read as one of the others.
 */
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { showValue, type Tensor } from "../tensor.js";

/** A Python float: `float` is the value (NaN travels as null). */
export interface PythonFloat {
  float: number;
}

/** numpy's 0-d `np.array(array)` of a value (itself a jsonData element). */
export interface NumpyScalarArray {
  array: unknown;
}

export function pythonFloat(value: number): PythonFloat {
  return { float: value };
}

export function numpyScalarArray(value: unknown): NumpyScalarArray {
  return { array: value };
}

/** Python's float NaN, as pandas fills a missing cell. */
export const PYTHON_NAN: PythonFloat = Object.freeze(pythonFloat(NaN));

function isPythonFloat(value: unknown): value is PythonFloat {
  return typeof value === "object" && value !== null && "float" in value;
}

/**
 * Leaves (strings, numbers, booleans, nulls, whole floats as PythonFloat: jsonTensor.ts refuses anything else)
 * mixing text with numbers or booleans, as a BYTES tensor keeping them in `jsonData`; `data` spells them as
 * numpy's str would ('1.0' for a whole float).
 */
export function mixedTextTensor(name: string, shape: number[], leaves: unknown[]): Tensor {
  const tensor: Tensor = { name, datatype: "BYTES", shape, data: leaves.map(leafText), jsonData: leaves };
  const nulls: number[] = [];
  for (let i = 0; i < leaves.length; i++) if (leaves[i] === null) nulls.push(i);
  if (nulls.length > 0) tensor.nulls = nulls;
  return tensor;
}

function leafText(leaf: unknown): string {
  if (leaf === null) return "";
  if (typeof leaf === "boolean") return leaf ? "True" : "False";
  if (isPythonFloat(leaf)) return Number.isInteger(leaf.float) ? leaf.float.toFixed(1) : String(leaf.float);
  return String(leaf);
}

/**
 * Whether the body wrote `container[key]`, a whole number inside a JSON object (or a list in one), as a float.
 * Passed to jsonTensor.ts, it also lets a tensor hold JSON objects, which MLflow's `inputs` hands a model without
 * a signature as `np.array` makes them: elements of an object array, Python dicts of what json.loads made.
 */
export type DictFloats = (container: object, key: number | string) => boolean;

/** A Python dict as the worker builds it: its members in order, each value held as Python holds it. */
export interface PythonDict {
  object: [key: string, value: unknown][];
}

/**
 * A JSON object as a PythonDict: nested objects as PythonDicts, lists as lists, whole numbers written as floats as
 * PythonFloats. Members go as pairs, so that a key such as "__proto__" stays data.
 */
export function pythonDict(value: Record<string, unknown>, dictFloats: DictFloats): PythonDict {
  return { object: Object.keys(value).map((key) => [key, heldMember(value, key, dictFloats)]) };
}

function heldMember(container: object, key: number | string, dictFloats: DictFloats): unknown {
  const value: unknown = (container as Record<number | string, unknown>)[key];
  if (Array.isArray(value)) return value.map((_, index) => heldMember(value, index, dictFloats));
  if (isJsonObject(value)) return pythonDict(value, dictFloats);
  if (typeof value === "number" && Number.isInteger(value) && dictFloats(container, key)) {
    return pythonFloat(value);
  }
  return value;
}

export function isPythonDict(value: unknown): value is PythonDict {
  return typeof value === "object" && value !== null && Array.isArray((value as { object?: unknown }).object);
}

/** The leaves with each JSON object among them as a PythonDict. */
export function pythonDicts(leaves: readonly unknown[], dictFloats: DictFloats): unknown[] {
  return leaves.map((leaf) => (isJsonObject(leaf) ? pythonDict(leaf, dictFloats) : leaf));
}

/**
 * Leaves among which are JSON objects, as numpy's object array of them (numbers and text beside a dict stay
 * Python ints and strs), or a pandas object column of dicts and lists: BYTES keeping `held` (pythonDicts or
 * PythonJson, whole floats marked after) in `jsonData`; `data` shows each object or list as `sent`, for the
 * refusal a model that declares its inputs gives it (refuseDicts), and a non-finite number as its name.
 */
export function dictsTensor(
  name: string,
  shape: number[],
  held: unknown[],
  sent: readonly unknown[],
): Tensor {
  const tensor = mixedTextTensor(name, shape, held);
  const data = tensor.data as string[];
  sent.forEach((leaf, i) => {
    if (typeof leaf === "object" && leaf !== null) data[i] = showValue(leaf);
    else if (typeof leaf === "number" && !Number.isFinite(leaf)) data[i] = String(leaf);
  });
  return tensor;
}

/** Whether the tensor mixes text with numbers or booleans (so only a model without a signature takes it). */
export function mixesText(tensor: Tensor): boolean {
  const values = tensor.jsonData;
  if (tensor.datatype !== "BYTES" || values === undefined) return false;
  return values.some((value) => value !== null && typeof value !== "string");
}

/** The refusal a model that declares its inputs gives a tensor mixing text with numbers or booleans. */
export function refuseMixedText(tensors: readonly Tensor[]): void {
  const mixed = tensors.find(mixesText);
  if (mixed !== undefined) {
    throw invalidInput(
      `input '${mixed.name}' mixes strings with numbers or booleans; send one type per tensor`,
    );
  }
}

/**
 * The refusal a model that declares its inputs gives a tensor holding JSON objects, which no typed tensor holds
 * (MLflow's schema enforcement refuses them too).
 */
export function refuseDicts(tensors: readonly Tensor[]): void {
  for (const tensor of tensors) {
    const index = tensor.jsonData?.findIndex(isPythonDict) ?? -1;
    if (index < 0) continue;
    const which = tensor.name === "" ? "the input" : `input '${tensor.name}'`;
    throw invalidInput(
      `${which} holds an object ${String(tensor.data[index])} where a number, string or boolean was expected`,
    );
  }
}
