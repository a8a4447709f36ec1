/**
 * Row-count checks across a request's inputs. MLflow refuses inputs of unequal length (numpy cannot build a
 * ragged array, pandas a DataFrame of unequal columns) and Triton requires one batch size per request; without
 * these checks a short column was padded with null/NaN, or ONNX Runtime broadcast a one-row input over the batch.
 */
import { FlowOpsError } from "../../errors.js";
import type { Tensor, TensorSpec } from "../tensor.js";

/**
 * Refuses `tensors` whose batch dimensions differ. Only inputs whose spec has a dynamic first dimension (-1) are
 * compared: a fixed first dimension (a lookup table, a [3] vector) is not the batch.
 */
export function checkBatchSizes(tensors: readonly Tensor[], specs: readonly TensorSpec[]): void {
  let first: Tensor | undefined;
  for (const tensor of tensors) {
    const spec = specs.find((candidate) => candidate.name === tensor.name);
    if (spec === undefined || spec.shape[0] !== -1 || tensor.shape.length === 0) continue;
    if (first === undefined) first = tensor;
    else if (tensor.shape[0] !== first.shape[0]) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `inputs have different numbers of rows: '${first.name}' has ${String(first.shape[0])} rows but ` +
          `'${tensor.name}' has ${String(tensor.shape[0])}; every input must have the same first dimension`,
      );
    }
  }
}

/** Refuses rows of a frame without column names whose width is not `width`; `expected` says what it is. */
export function checkRowWidths(rows: readonly unknown[][], width: number, expected: string): void {
  for (let r = 0; r < rows.length; r++) {
    const length = (rows[r] as unknown[]).length;
    if (length !== width) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `row ${r} has ${length} values but ${expected}`);
    }
  }
}
