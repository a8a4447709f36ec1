/**
 * Nested V2 `data` read into row-major order, refusing ragged nesting. The spec allows data flat or nested like
 * the tensor; KServe's server reads nested data with `np.array(data, dtype)`, which refuses lists of unequal
 * length, before reshaping to the shape. Counting the elements alone would let [[1,2,3],[4]] pass for a [2,2]
 * tensor and feed the model rows that were never sent. Flat data is the caller's and is not checked here.
 */
import { FlowOpsError } from "../errors.js";

/**
 * The leaves of `data` (whose first element is a list) in row-major order; throws INVALID_PARAMETER_VALUE naming
 * `where` when a list's length or depth differs from the nesting of the first elements.
 */
export function flattenRectangular(
  data: readonly unknown[],
  where: string,
  shape: readonly number[],
): unknown[] {
  // The nesting the first elements give, as np.array discovers it.
  const dims: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) {
    dims.push(level.length);
    if (level.length === 0) break;
  }
  const out: unknown[] = [];
  collect(data, dims, 0, out, "data", where, shape);
  return out;
}

function collect(
  list: readonly unknown[],
  dims: readonly number[],
  depth: number,
  out: unknown[],
  path: string,
  where: string,
  shape: readonly number[],
): void {
  if (list.length !== dims[depth]) {
    throw raggedError(
      where,
      shape,
      dims,
      `${path} has ${list.length} elements where ${dims[depth]} were expected`,
    );
  }
  const leaves = depth === dims.length - 1;
  for (let i = 0; i < list.length; i++) {
    const element = list[i];
    if (Array.isArray(element) === leaves) {
      const what = leaves ? "is a list where a value" : "is a value where a list";
      throw raggedError(where, shape, dims, `${path}[${i}] ${what} was expected`);
    }
    if (leaves) out.push(element);
    else collect(element as unknown[], dims, depth + 1, out, `${path}[${i}]`, where, shape);
  }
}

function raggedError(
  where: string,
  shape: readonly number[],
  dims: readonly number[],
  detail: string,
): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${where}: nested data must be rectangular (flat, or nested like shape [${shape.join(",")}]); ` +
      `its first elements nest as [${dims.join(",")}] but ${detail}`,
  );
}
