import { describe, expect, it } from "vitest";
import type { Tensor } from "../../serving/tensor.js";
import { predictionValues } from "./predictionValues.js";

const tensor = (datatype: Tensor["datatype"], shape: number[], data: Tensor["data"]): Tensor => ({
  name: "out",
  datatype,
  shape,
  data,
});

describe("predictionValues", () => {
  it("answers the argmax index of each row of class probabilities", () => {
    const probabilities = tensor(
      "FP32",
      [3, 3],
      new Float32Array([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0, 0.1, 0.9]),
    );
    expect(predictionValues([probabilities])).toEqual([1, 0, 2]);
  });

  it("answers the value itself when each row holds one number", () => {
    expect(predictionValues([tensor("FP64", [2, 1], new Float64Array([1.5, -2]))])).toEqual([1.5, -2]);
    expect(predictionValues([tensor("INT64", [3], new BigInt64Array([0n, 1n, 7n]))])).toEqual([0, 1, 7]);
  });

  it("answers BYTES labels as strings and BOOL as 0 or 1", () => {
    expect(predictionValues([tensor("BYTES", [2], ["cat", "dog"])])).toEqual(["cat", "dog"]);
    expect(predictionValues([tensor("BOOL", [3, 1], new Uint8Array([1, 0, 1]))])).toEqual([1, 0, 1]);
  });

  it("reads only the first output", () => {
    const label = tensor("INT32", [2], new Int32Array([4, 5]));
    const scores = tensor("FP32", [2, 2], new Float32Array([0.9, 0.1, 0.2, 0.8]));
    expect(predictionValues([label, scores])).toEqual([4, 5]);
  });

  it("skips NaN scores when picking the argmax and treats a scalar output as one row", () => {
    const scores = tensor("FP32", [2, 3], new Float32Array([NaN, 0.2, 0.1, NaN, NaN, NaN]));
    expect(predictionValues([scores])).toEqual([1, NaN]);
    expect(predictionValues([tensor("FP64", [], new Float64Array([0.25]))])).toEqual([0.25]);
  });

  it("answers nothing for no outputs or zero rows", () => {
    expect(predictionValues([])).toEqual([]);
    expect(predictionValues([tensor("FP32", [0, 3], new Float32Array(0))])).toEqual([]);
  });
});
