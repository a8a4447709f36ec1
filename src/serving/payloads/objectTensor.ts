/**
 * Request values a Python model without a signature takes as Python objects, as MLflow hands them: text mixed
 * with numbers or booleans (pandas: an object column of str and int; numpy: a str array, '1'). Such a tensor is
 * BYTES whose `jsonData` keeps every value as sent; the Python worker builds the column or array from those, and
 * `data` holds the values as text only so the tensor stays well formed. No other model takes it: a typed tensor
 * cannot hold both, so adaptInput refuses it for any model that declares its inputs.
 *
 * `jsonData` elements are JSON leaves as sent, plus two forms for what JSON cannot say as Python holds it, which
 * the worker decodes: `{float: x}`, a Python float (a whole number the body wrote as `1.0`, which JSON.parse and
 * JSON.stringify make 1; NaN, which JSON.stringify makes null, where pandas fills a record's missing key), and
 * `{array: value}`, `np.array(value)` (MLflow builds an `instances` records column of those). Both are objects,
 * which no element sent as a leaf is (jsonTensor.ts refuses objects among leaves).
 */
import { invalidInput } from "./invalidInput.js";
import type { Tensor } from "../tensor.js";

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
  const data = new Array<string>(leaves.length);
  let nulls: number[] | undefined;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (leaf === null) {
      (nulls ??= []).push(i);
      data[i] = "";
    } else if (typeof leaf === "boolean") data[i] = leaf ? "True" : "False";
    else if (isPythonFloat(leaf))
      data[i] = Number.isInteger(leaf.float) ? leaf.float.toFixed(1) : String(leaf.float);
    else data[i] = String(leaf);
  }
  const tensor: Tensor = { name, datatype: "BYTES", shape, data, jsonData: leaves };
  if (nulls !== undefined) tensor.nulls = nulls;
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
