import { describe, expect, it } from "vitest";
import type { Tensor } from "./tensor.js";
import { concatBatch, splitBatch } from "./tensorBatch.js";
import { thrownError } from "../../test/support/thrownError.js";

describe("batches", () => {
  const part = (rows: number, start: number): Tensor => ({
    name: "x",
    datatype: "FP32",
    shape: [rows, 2],
    data: Float32Array.from({ length: rows * 2 }, (_, i) => start + i),
  });

  it("concatenates along dimension 0 and splits back into the same parts", () => {
    const batch = concatBatch([part(1, 0), part(2, 10)]);
    expect(batch.shape).toEqual([3, 2]);
    expect(Array.from(batch.data as Float32Array)).toEqual([0, 1, 10, 11, 12, 13]);
    const [a, b] = splitBatch(batch, [1, 2]);
    expect(a?.shape).toEqual([1, 2]);
    expect(Array.from(b?.data as Float32Array)).toEqual([10, 11, 12, 13]);
  });

  it("concatenates BYTES tensors", () => {
    const s = (values: string[]): Tensor => ({
      name: "s",
      datatype: "BYTES",
      shape: [values.length],
      data: values,
    });
    expect(concatBatch([s(["a"]), s(["b", "c"])]).data).toEqual(["a", "b", "c"]);
  });

  it("refuses to batch tensors whose trailing dims differ", () => {
    const other: Tensor = { name: "x", datatype: "FP32", shape: [1, 3], data: new Float32Array(3) };
    expect(thrownError(() => concatBatch([part(1, 0), other])).message).toMatch(/trailing dims must match/);
  });

  it("refuses a split whose row counts do not add up", () => {
    expect(thrownError(() => splitBatch(part(2, 0), [1])).message).toMatch(/into 1 rows/);
  });

  it("keeps missing strings with their rows through concatenation and splitting", () => {
    const city = (values: string[], nulls: number[]): Tensor => ({
      name: "city",
      datatype: "BYTES",
      shape: [values.length],
      data: values,
      nulls,
    });
    const batch = concatBatch([city(["a", ""], [1]), city(["", "b"], [0])]);
    expect(batch.nulls).toEqual([1, 2]);
    expect(splitBatch(batch, [1, 3]).map((t) => t.nulls)).toEqual([undefined, [0, 1]]);
  });

  it("splits values held as sent with their rows, and refuses to join them", () => {
    const a = (values: (number | null)[]): Tensor => ({
      name: "a",
      datatype: "FP64",
      shape: [values.length],
      data: Float64Array.from(values, (v) => v ?? NaN),
      jsonData: values,
    });
    expect(splitBatch(a([1, null, null, 2, 3]), [2, 3]).map((t) => t.jsonData)).toEqual([
      [1, null],
      [null, 2, 3],
    ]);
    expect(() => concatBatch([a([1, null]), a([null, 2])])).toThrow(/held as sent/);
  });
});
