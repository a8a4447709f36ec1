import { describe, expect, it } from "vitest";
import type { Tensor } from "../tensor.js";
import { answerJson } from "./answerJson.js";
import { mlflowResponse, mlflowResponseBody } from "./mlflowResponse.js";

/**
 * Number text of `/invocations` answers, as `mlflow models serve` (MLflow 3.17.2, --env-manager local) wrote it.
 * MLflow writes `{"predictions": ...}` with json.dump's `, ` and `: `; FlowOps writes the same tokens compactly.
 */
const onnx = { platform: "onnx_onnxv1", floats: "marked" as const };
const written = (outputs: Tensor[]): string =>
  mlflowResponseBody(mlflowResponse(outputs, undefined, onnx)).toString();

function column(datatype: "FP32" | "FP64", values: number[]): Tensor {
  const data = datatype === "FP32" ? Float32Array.from(values) : Float64Array.from(values);
  return { name: "y", datatype, shape: [values.length, 1], data };
}

// The values sent, as `{"inputs": [[v]]}` to an ONNX Identity model with a tensor signature.
const SENT = [
  1e16,
  1e17,
  1e21,
  1e22,
  1e-5,
  1e-7,
  1.5e-7,
  123456789012345680000,
  0.1,
  -0,
  5e-324,
  1.7976931348623157e308,
  1e300,
  3.4e38,
  1e-45,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0.123,
  12.5,
  7,
  0.0001,
  9999999999999998,
  1e15,
  123456.789,
];

describe("MLflow answer number text", () => {
  it("writes float64 outputs as Python's repr, as MLflow's server did", () => {
    const observed =
      "1e+16 1e+17 1e+21 1e+22 1e-05 1e-07 1.5e-07 1.2345678901234568e+20 0.1 -0.0 5e-324 1.7976931348623157e+308 " +
      "1e+300 3.4e+38 1e-45 NaN Infinity -Infinity 0.123 12.5 7.0 0.0001 9999999999999998.0 1000000000000000.0 " +
      "123456.789";
    const rows = observed.split(" ").map((text) => `[${text}]`);
    expect(written([column("FP64", SENT)])).toBe(`{"predictions":{"y":[${rows.join(",")}]}}`);
  });

  it("writes float32 outputs by the double tolist() widens them to, as MLflow's server did", () => {
    const observed =
      "1.0000000272564224e+16 9.999999843067494e+16 1.0000000200408773e+21 9.999999778196308e+21 " +
      "9.999999747378752e-06 1.0000000116860974e-07 1.500000053056283e-07 1.2345678955701443e+20 " +
      "0.10000000149011612 -0.0 0.0 Infinity Infinity 3.3999999521443642e+38 1.401298464324817e-45 NaN Infinity " +
      "-Infinity 0.12300000339746475 12.5 7.0 9.999999747378752e-05 1.0000000272564224e+16 999999986991104.0 " +
      "123456.7890625";
    const rows = observed.split(" ").map((text) => `[${text}]`);
    expect(written([column("FP32", SENT)])).toBe(`{"predictions":{"y":[${rows.join(",")}]}}`);
  });

  // Regression: a Python model's object column (floats among text) was written with JavaScript's number text,
  // `0.00001`, `1e-7` and `0`, where MLflow writes Python's `1e-05`, `1e-07` and `-0.0`.
  it("writes a Python model's unmarked fractional floats and -0.0 as Python's repr", () => {
    const values = [
      1e-5,
      1e-7,
      1.5e-7,
      5e-324,
      0.0001,
      0.1,
      0.123,
      12.5,
      1e21,
      1e22,
      3,
      0,
      -0,
      -1e-5,
      "a",
      null,
    ];
    const series: Tensor = {
      name: "0",
      datatype: "BYTES",
      shape: [values.length],
      data: values.map(String),
      jsonData: values,
      recordKey: "0",
    };
    const answer = mlflowResponse([series], undefined, { platform: "mlflow_pyfunc", floats: "marked" });
    // Observed (MLflow 3.17.2): a pyfunc returning pd.Series([...], dtype=object) of these values.
    const observed =
      "1e-05 1e-07 1.5e-07 5e-324 0.0001 0.1 0.123 12.5 1e+21 1e+22 3 0 -0.0 -1e-05 " + '"a" null';
    const records = observed.split(" ").map((text) => `{"0":${text}}`);
    expect(mlflowResponseBody(answer).toString()).toBe(`{"predictions":[${records.join(",")}]}`);
  });

  it("keeps JavaScript's number text for unmarked numbers in V1 (orjson) answers", () => {
    expect(answerJson({ predictions: [1e-5, 1e-7, -0, 12.5] }, "orjson").toString()).toBe(
      '{"predictions":[0.00001,1e-7,0,12.5]}',
    );
  });
});
