import { describe, expect, it } from "vitest";
import type { Tensor } from "../tensor.js";
import { mlflowResponse, mlflowResponseBody } from "./mlflowResponse.js";

const written = (answer: { predictions: unknown }): string => mlflowResponseBody(answer).toString("utf8");

function floats(name: string, datatype: "FP32" | "FP64", shape: number[], values: number[]): Tensor {
  const data = datatype === "FP32" ? Float32Array.from(values) : Float64Array.from(values);
  return { name, datatype, shape, data };
}

describe("mlflowResponseBody", () => {
  it("writes unmarked numbers, strings and 64-bit integers as JSON.stringify does", () => {
    const answer = { predictions: [[1, 2.5], [null, 3], 'a"b', 2n ** 63n - 1n] };
    expect(written(answer)).toBe('{"predictions":[[1,2.5],[null,3],"a\\"b",9223372036854775807]}');
  });

  it("writes NaN and the infinities as Python's json.dump does, anywhere in the answer", () => {
    const answer = {
      predictions: [
        { p: Number.NaN, q: "NaN" },
        { p: Number.POSITIVE_INFINITY, q: [Number.NEGATIVE_INFINITY, 1] },
      ],
    };
    // Observed: json.dump({"predictions": [...]}, cls=NumpyEncoder) in MLflow's scoring server.
    expect(written(answer)).toBe('{"predictions":[{"p":NaN,"q":"NaN"},{"p":Infinity,"q":[-Infinity,1]}]}');
  });

  // Regression: a float output of whole numbers was answered [7, 2.5], which pandas reads back as int64.
  it("writes whole-number float predictions with a point, as MLflow's server does", () => {
    const context = { platform: "mlflow_pyfunc", floats: "marked" as const };
    const f64 = floats("y", "FP64", [2], [7, 2.5]);
    expect(written(mlflowResponse([f64], undefined, context))).toBe('{"predictions":[7.0,2.5]}');
    const labels: Tensor = {
      name: "label",
      datatype: "INT64",
      shape: [2],
      data: BigInt64Array.from([7n, 2n]),
    };
    expect(written(mlflowResponse([labels], undefined, context))).toBe('{"predictions":[7,2]}');
  });

  it("writes float elements as Python's repr does, float32 elements by the double tolist() gives", () => {
    const context = { platform: "mlflow_pyfunc", floats: "marked" as const };
    const values = [7, 0.3, 1e-5, 1e-4, 1e16, 123, -0, Number.NaN, Number.POSITIVE_INFINITY];
    // Observed from `mlflow models serve` (MLflow 3.17) for a pyfunc returning these as float64 and float32.
    expect(written(mlflowResponse([floats("y", "FP64", [9], values)], undefined, context))).toBe(
      '{"predictions":[7.0,0.3,1e-05,0.0001,1e+16,123.0,-0.0,NaN,Infinity]}',
    );
    expect(
      written(mlflowResponse([floats("y", "FP32", [2, 3], values.slice(0, 6))], undefined, context)),
    ).toBe(
      '{"predictions":[[7.0,0.30000001192092896,9.999999747378752e-06],' +
        "[9.999999747378752e-05,1.0000000272564224e+16,123.0]]}",
    );
  });

  it("keeps floats marked in records, by-name answers and scalars", () => {
    const records = mlflowResponse(
      [
        { ...floats("a", "FP32", [2], [7, 2.5]), recordKey: "a" },
        { name: "b", datatype: "INT64", shape: [2], data: BigInt64Array.from([1n, 2n]), recordKey: "b" },
      ],
      undefined,
      { platform: "mlflow_pyfunc", floats: "marked" },
    );
    expect(written(records)).toBe('{"predictions":[{"a":7.0,"b":1},{"a":2.5,"b":2}]}');
    const onnxFrame = mlflowResponse([floats("y", "FP32", [2, 1], [3, 7])], undefined, {
      platform: "onnx_onnxv1",
      request: { input: { kind: "tensors", tensors: [] }, dataframe: true },
      floats: "marked",
    });
    expect(written(onnxFrame)).toBe('{"predictions":[{"y":3.0},{"y":7.0}]}');
    const scalar = mlflowResponse([floats("y", "FP64", [], [7])], undefined, {
      platform: "mlflow_pyfunc",
      floats: "marked",
    });
    expect(written(scalar)).toBe('{"predictions":7.0}');
  });

  it("answers plain numbers when floats are not marked, as JSON.parse reads the body back", () => {
    const answer = mlflowResponse([floats("y", "FP32", [2], [7, 2.5])], undefined, {
      platform: "mlflow_pyfunc",
    });
    expect(answer).toEqual({ predictions: [7, 2.5] });
  });
});
