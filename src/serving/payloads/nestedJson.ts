/**
 * Tensors as nested JSON lists shaped like the tensor (what numpy's `tolist()` gives), the form of MLflow and
 * V1 predictions.
 *
 * A JS number forgets that `7` came from a float, and Python's servers write that element as `7.0`, which a
 * pandas client reads back as float64 rather than int64. So with `floats: "marked"` a float tensor's elements
 * stay floats: its innermost lists are views of its Float32Array/Float64Array and a lone element is a
 * FloatElement, for answerJson to write as Python does. The default, plain numbers, is the answer as
 * `JSON.parse` reads it back.
 */
import { jsonValues, type Tensor } from "../tensor.js";

/** Whether a float tensor's elements are plain numbers or marked as floats (FloatList, FloatElement). */
export type FloatLeaves = "numbers" | "marked";

/** A float tensor's innermost list, marked as floats. */
export type FloatList = Float32Array | Float64Array;

/** One element of a float tensor standing alone (a scalar, a record's value), marked as a float. */
export class FloatElement {
  constructor(readonly value: number) {}
}

export type NestedJson = number | string | boolean | bigint | null | FloatElement | FloatList | NestedJson[];

/** A tensor's elements, flat: JSON values, or its float data when floats are marked. */
export type FlatJson = readonly NestedJson[] | FloatList;

/** The tensor as nested lists; a scalar (shape []) as its value, a 1-D tensor as a flat list. */
export function nestedJson(t: Tensor, floats: FloatLeaves = "numbers"): NestedJson {
  const values = elementJson(t, floats);
  if (t.shape.length === 0) return elementAt(values, 0);
  if (t.shape.length === 1) return values as NestedJson;
  return nest(values, t.shape, 0, 0);
}

/** The tensor's elements as JSON values, flat; a Python model's mixed object answer keeps each element's type. */
export function elementJson(t: Tensor, floats: FloatLeaves = "numbers"): FlatJson {
  if (t.jsonData !== undefined) return t.jsonData as NestedJson[];
  if (floats === "marked") {
    // The tensor's own data, not a copy: the answer is written before anything else touches it.
    if (t.datatype === "FP32" || t.datatype === "FP64") return t.data as FloatList;
    // FP16 data is raw bits; every half is exact in a float32.
    if (t.datatype === "FP16") return Float32Array.from(jsonValues(t) as number[]);
  }
  return jsonValues(t);
}

/** Element `index` of `values`; a float element stays marked. */
export function elementAt(values: FlatJson, index: number): NestedJson {
  return ArrayBuffer.isView(values)
    ? new FloatElement(values[index] as number)
    : (values[index] as NestedJson);
}

function sliceOf(values: FlatJson, start: number, end: number): NestedJson {
  return ArrayBuffer.isView(values) ? values.subarray(start, end) : values.slice(start, end);
}

function nest(values: FlatJson, shape: readonly number[], depth: number, offset: number): NestedJson[] {
  const size = shape[depth] as number;
  let stride = 1;
  for (let d = depth + 1; d < shape.length; d++) stride *= shape[d] as number;
  const out = new Array<NestedJson>(size);
  for (let i = 0; i < size; i++) {
    const start = offset + i * stride;
    out[i] =
      depth === shape.length - 2
        ? sliceOf(values, start, start + stride)
        : nest(values, shape, depth + 1, start);
  }
  return out;
}

/** Row `row` (index along dimension 0) of the tensor as nested JSON. */
export function rowJson(t: Tensor, values: FlatJson, row: number): NestedJson {
  if (t.shape.length <= 1) return elementAt(values, row);
  const inner = t.shape.slice(1);
  let stride = 1;
  for (const dim of inner) stride *= dim;
  if (inner.length === 1) return sliceOf(values, row * stride, (row + 1) * stride);
  return nest(values, inner, 0, row * stride);
}
