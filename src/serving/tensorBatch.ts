/**
 * Batch concatenation and splitting along dimension 0, for the dynamic batcher: requests' tensors are joined into
 * one run and its outputs split back per request. Missing BYTES elements (`nulls`) follow their rows; values
 * held as sent (`jsonData`) are never joined, and follow their rows when an output holding them is split.
 */
import { FlowOpsError } from "../errors.js";
import { allocateTensorData, elementCount, type Tensor, type TensorData } from "./tensor.js";

/** Concatenates tensors of the same name, datatype and trailing dimensions along dimension 0. */
export function concatBatch(parts: readonly Tensor[]): Tensor {
  const first = parts[0];
  if (first === undefined) throw new FlowOpsError("INVALID_PARAMETER_VALUE", "cannot batch zero tensors");
  if (parts.length === 1) return first;
  const trailing = first.shape.slice(1);
  let rows = 0;
  let total = 0;
  for (const part of parts) {
    // The batcher runs such requests alone (dynamicBatcher.ts): numpy types values held as sent per request.
    if (part.jsonData !== undefined || part.keepDtype === true) {
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `cannot batch tensor '${part.name}': its values are held as sent, for a model without a signature`,
      );
    }
    if (
      part.name !== first.name ||
      part.datatype !== first.datatype ||
      part.shape.length !== first.shape.length ||
      part.shape.length === 0 ||
      !sameDims(part.shape, first.shape, 1)
    ) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `cannot batch tensor '${part.name}' ${part.datatype} [${part.shape.join(",")}] with ` +
          `'${first.name}' ${first.datatype} [${first.shape.join(",")}]: name, datatype and trailing dims must match`,
      );
    }
    rows += part.shape[0] as number;
    total += part.data.length;
  }
  const nulls = concatNulls(parts);
  let data: TensorData;
  if (Array.isArray(first.data)) {
    const strings: string[] = [];
    for (const part of parts) for (const value of part.data as string[]) strings.push(value);
    data = strings;
  } else {
    const typed = allocateTensorData(first.datatype, total) as Exclude<TensorData, string[]>;
    let offset = 0;
    for (const part of parts) {
      (typed as Float64Array).set(part.data as Float64Array, offset);
      offset += part.data.length;
    }
    data = typed;
  }
  const batched: Tensor = { name: first.name, datatype: first.datatype, shape: [rows, ...trailing], data };
  if (nulls !== undefined) batched.nulls = nulls;
  return batched;
}

/** The parts' null indices, offset into the concatenation; undefined when no part has any. */
function concatNulls(parts: readonly Tensor[]): number[] | undefined {
  if (!parts.some((part) => part.nulls !== undefined && part.nulls.length > 0)) return undefined;
  const nulls: number[] = [];
  let offset = 0;
  for (const part of parts) {
    for (const index of part.nulls ?? []) nulls.push(offset + index);
    offset += part.data.length;
  }
  return nulls;
}

/**
 * Splits a tensor along dimension 0 into parts of `rowCounts` rows. Typed parts are views on the same buffer
 * (no copy), so a caller that transfers one part's buffer must copy first.
 */
export function splitBatch(t: Tensor, rowCounts: readonly number[]): Tensor[] {
  const rows = t.shape[0];
  let sum = 0;
  for (const count of rowCounts) sum += count;
  if (rows === undefined || sum !== rows) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `cannot split tensor '${t.name}' of shape [${t.shape.join(",")}] into ${sum} rows`,
    );
  }
  const trailing = t.shape.slice(1);
  const stride = elementCount(trailing);
  const parts: Tensor[] = [];
  let offset = 0;
  for (const count of rowCounts) {
    const end = offset + count * stride;
    const data = Array.isArray(t.data) ? t.data.slice(offset, end) : t.data.subarray(offset, end);
    const part: Tensor = { name: t.name, datatype: t.datatype, shape: [count, ...trailing], data };
    if (t.recordKey !== undefined) part.recordKey = t.recordKey;
    if (t.jsonData !== undefined) part.jsonData = t.jsonData.slice(offset, end);
    if (t.dictKey !== undefined) part.dictKey = t.dictKey;
    const nulls = t.nulls?.filter((index) => index >= offset && index < end).map((index) => index - offset);
    if (nulls !== undefined && nulls.length > 0) part.nulls = nulls;
    parts.push(part);
    offset = end;
  }
  return parts;
}

function sameDims(a: readonly number[], b: readonly number[], from: number): boolean {
  for (let i = from; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
