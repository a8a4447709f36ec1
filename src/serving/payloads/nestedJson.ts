/**
 * Tensors as nested JSON lists shaped like the tensor (what numpy's `tolist()` gives), the form of MLflow and
 * V1 predictions.
 */
import { jsonValues, type Tensor } from "../tensor.js";

export type NestedJson = number | string | boolean | bigint | null | NestedJson[];

/** The tensor as nested lists; a scalar (shape []) as its value, a 1-D tensor as a flat list. */
export function nestedJson(t: Tensor): NestedJson {
  const values = elementJson(t);
  if (t.shape.length === 0) return values[0] as NestedJson;
  if (t.shape.length === 1) return values;
  return nest(values, t.shape, 0, 0);
}

/** The tensor's elements as JSON values, flat; a Python model's mixed object answer keeps each element's type. */
export function elementJson(t: Tensor): NestedJson[] {
  return (t.jsonData as NestedJson[] | undefined) ?? jsonValues(t);
}

function nest(
  values: readonly NestedJson[],
  shape: readonly number[],
  depth: number,
  offset: number,
): NestedJson[] {
  const size = shape[depth] as number;
  if (depth === shape.length - 1) return values.slice(offset, offset + size);
  let stride = 1;
  for (let d = depth + 1; d < shape.length; d++) stride *= shape[d] as number;
  const out = new Array<NestedJson>(size);
  for (let i = 0; i < size; i++) out[i] = nest(values, shape, depth + 1, offset + i * stride);
  return out;
}

/** Row `row` (index along dimension 0) of the tensor as nested JSON. */
export function rowJson(t: Tensor, values: readonly NestedJson[], row: number): NestedJson {
  if (t.shape.length <= 1) return values[row] as NestedJson;
  const inner = t.shape.slice(1);
  let stride = 1;
  for (const dim of inner) stride *= dim;
  if (inner.length === 1) return values.slice(row * stride, (row + 1) * stride);
  return nest(values, inner, 0, row * stride);
}
