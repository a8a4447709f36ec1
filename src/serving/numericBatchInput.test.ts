import { describe, expect, it } from "vitest";

import { ColumnarTableChunk, type ColumnValues } from "../tables/columnarTableChunk.js";
import { numericBatchInput } from "./numericBatchInput.js";
import type { TensorSpec } from "./tensor.js";

function chunkOf(columns: Record<string, ColumnValues>): ColumnarTableChunk {
  const names = Object.keys(columns);
  const rows = Object.values(columns)[0]?.length ?? 0;
  return new ColumnarTableChunk("in.parquet", names, new Map(Object.entries(columns)), 0, rows);
}

const modelWith = (...inputs: TensorSpec[]) => ({ inputs });

describe("numericBatchInput", () => {
  const chunk = chunkOf({
    f: Float32Array.from([0.5, 1.5, 2.5, 3.5]),
    d: Float64Array.from([10, 20, 30, 40]),
    i: Int32Array.from([-1, -2, -3, -4]),
    c: [100, 200, 300, 400],
  });

  it("interleaves float, double, integer and cell columns into one row-major FP32 tensor for a row range", () => {
    const input = numericBatchInput(modelWith({ name: "x", datatype: "FP32", shape: [-1, 4] }), chunk, [
      "f",
      "d",
      "i",
      "c",
    ]);
    const [tensor] = input?.(1, 3) ?? [];
    expect(tensor?.shape).toEqual([2, 4]);
    expect(tensor?.data).toBeInstanceOf(Float32Array);
    expect(Array.from(tensor?.data as Float32Array)).toEqual([1.5, 20, -2, 200, 2.5, 30, -3, 300]);
  });

  it("gives an FP64 model a Float64Array in the order of the names given", () => {
    const input = numericBatchInput(modelWith({ name: "x", datatype: "FP64", shape: [-1, 2] }), chunk, [
      "i",
      "f",
    ]);
    const [tensor] = input?.(0, 4) ?? [];
    expect(tensor?.data).toBeInstanceOf(Float64Array);
    expect(Array.from(tensor?.data as Float64Array)).toEqual([-1, 0.5, -2, 1.5, -3, 2.5, -4, 3.5]);
  });

  it("leaves models with several inputs or a different feature count to the frame path", () => {
    const two = modelWith(
      { name: "x", datatype: "FP32", shape: [-1, 1] },
      { name: "y", datatype: "FP32", shape: [-1, 1] },
    );
    expect(numericBatchInput(two, chunk, ["f", "d"])).toBeUndefined();
    const wide = modelWith({ name: "x", datatype: "FP32", shape: [-1, 3] });
    expect(numericBatchInput(wide, chunk, ["f", "d"])).toBeUndefined();
  });
});
