import { describe, expect, it } from "vitest";
import type { Tensor } from "../tensor.js";
import { workerRequest } from "./pythonWire.js";

const column = (keepDtype: boolean): Tensor => ({
  name: "f",
  datatype: "FP32",
  shape: [2],
  data: Float32Array.from([0.5, 2]),
  ...(keepDtype ? { keepDtype: true as const } : {}),
});

describe("workerRequest columns whose dtype is kept", () => {
  it("marks a column that keeps its numpy dtype, so the worker does not widen it to float64", () => {
    const raw = Buffer.from(Float32Array.from([0.5, 2]).buffer).toString("base64");
    expect(workerRequest(1, [column(true)], true).columns).toEqual({
      f: { datatype: "FP32", raw, keep_dtype: true },
    });
  });

  it("leaves other columns unmarked: a signature's cast, not the bytes' dtype, decides their type", () => {
    expect(workerRequest(1, [column(false)], true).columns?.f).not.toHaveProperty("keep_dtype");
  });
});
