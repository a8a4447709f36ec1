/**
 * Tensors from untyped nested JSON (MLflow/V1 `inputs` and `instances`), where the payload carries no datatype
 * or shape: the shape comes from the nesting (which must be rectangular), the datatype from the values, as
 * numpy's `np.array(value)` would pick it: all booleans BOOL, all integers INT64, other numbers FP64 (null as
 * NaN), all strings BYTES.
 */
import { invalidInput } from "./invalidInput.js";
import { MAX_TENSOR_DIMS } from "./jsonDepth.js";
import { dataFromJsonValues, showValue, type Datatype, type Tensor } from "../tensor.js";

/** Infers a tensor from `value`; undefined when its leaves mix strings with numbers (the caller decides). */
export function inferTensorFromJson(name: string, value: unknown, where: string): Tensor | undefined {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) {
    // Checked before collectLeaves recurses once per dimension.
    if (shape.length === MAX_TENSOR_DIMS) {
      throw invalidInput(
        `${where} is nested more than ${MAX_TENSOR_DIMS} lists deep; a tensor has at most ${MAX_TENSOR_DIMS} dimensions`,
      );
    }
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const leaves: unknown[] = [];
  collectLeaves(value, shape, 0, leaves, where);
  const datatype = inferDatatype(leaves);
  if (datatype === undefined) return undefined;
  const values = datatype === "FP64" ? leaves.map((leaf) => (leaf === null ? NaN : leaf)) : leaves;
  const data = dataFromJsonValues(datatype, values, (index) => `${where} element ${index}`);
  return { name, datatype, shape, data };
}

/** Like inferTensorFromJson, but mixed leaves are an error naming `where`. */
export function requireTensorFromJson(name: string, value: unknown, where: string): Tensor {
  const tensor = inferTensorFromJson(name, value, where);
  if (tensor === undefined) {
    throw invalidInput(`${where} mixes strings with numbers or booleans; send one type per tensor`);
  }
  return tensor;
}

function collectLeaves(
  value: unknown,
  shape: readonly number[],
  depth: number,
  out: unknown[],
  where: string,
): void {
  if (depth === shape.length) {
    if (Array.isArray(value)) throw raggedError(where, depth, shape);
    if (value !== null && typeof value === "object") {
      throw invalidInput(
        `${where} holds an object ${showValue(value)} where a number, string or boolean was expected`,
      );
    }
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) throw raggedError(where, depth, shape);
  for (let i = 0; i < value.length; i++) collectLeaves(value[i], shape, depth + 1, out, where);
}

function raggedError(where: string, depth: number, shape: readonly number[]): Error {
  return invalidInput(
    `${where} is not a rectangular nested list: expected shape [${shape.join(",")}] ` +
      `(from the first elements) but a list at depth ${depth} differs`,
  );
}

function inferDatatype(leaves: readonly unknown[]): Datatype | undefined {
  let strings = 0;
  let booleans = 0;
  let fractional = false;
  for (const leaf of leaves) {
    if (typeof leaf === "string") strings++;
    else if (typeof leaf === "boolean") booleans++;
    else if (leaf === null || (typeof leaf === "number" && !Number.isSafeInteger(leaf))) fractional = true;
  }
  if (strings === leaves.length && strings > 0) return "BYTES";
  if (strings > 0) return undefined;
  if (booleans === leaves.length && booleans > 0) return "BOOL";
  return fractional || leaves.length === 0 ? "FP64" : "INT64";
}
