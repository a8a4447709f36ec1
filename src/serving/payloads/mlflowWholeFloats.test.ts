/**
 * Regression: a model without a signature got int64 for numbers the body wrote as floats (`1.0`), because the
 * datatype was inferred from the values after JSON.parse. Expected datatypes are those observed with MLflow 3.17's
 * `mlflow models serve --env-manager local` (numpy 2.4, pandas 3.1) and a pyfunc model reporting the dtypes it
 * received.
 */
import { describe, expect, it } from "vitest";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";

/** "name:DATATYPE" for each tensor a model without declared inputs receives. */
function received(body: string, contentType = "application/json"): string[] {
  return adaptInput(mlflowRequest(body, contentType).input, []).map((t) => `${t.name}:${t.datatype}`);
}

describe("mlflowRequest for a model without a signature", () => {
  it("types whole numbers written as floats in `inputs` as float64, as np.array does", () => {
    expect(received('{"inputs": [[1.0, 2.0]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[1.0, 2], [3, 4]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [1.0, 2]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[1e2, 2]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[1E2, 2]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[100e-2, 1]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[-0.0, 1]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[true, 1.0]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": {"a": [1.0, 2.0], "b": [1, 2]}}')).toEqual(["a:FP64", "b:INT64"]);
    expect(received('{"inputs": {"a": 5.0, "b": 5}}')).toEqual(["a:FP64", "b:INT64"]);
    expect(received('{"inputs": 5.0}')).toEqual([":FP64"]);
  });

  it("types literals that only round to whole numbers as float64 too", () => {
    expect(received('{"inputs": [[0.99999999999999999, 1]]}')).toEqual([":FP64"]);
    expect(received('{"inputs": [[1e-400, 1]]}')).toEqual([":FP64"]);
  });

  it("keeps integers written as integers int64, mixed with booleans too", () => {
    expect(received('{"inputs": [[1, 2]]}')).toEqual([":INT64"]);
    expect(received('{"inputs": [[true, 1]]}')).toEqual([":INT64"]);
    expect(received('{"inputs": [[1, 2.5]]}')).toEqual([":FP64"]);
  });

  it("types `instances` rows, lists and records by their literals", () => {
    expect(received('{"instances": [[1.0, 2.0]]}')).toEqual([":FP64"]);
    expect(received('{"instances": [[1.0, 2], [3, 4]]}')).toEqual([":FP64"]);
    expect(received('{"instances": [1.0, 2.0]}')).toEqual([":FP64"]);
    expect(received('{"instances": [{"a": 1.0, "b": 1}, {"a": 2, "b": 2}]}')).toEqual(["a:FP64", "b:INT64"]);
  });

  it("types a DataFrame column float64 when any of its cells was written as a float, as pandas does", () => {
    const split = (data: string, columns = '["a", "b"]'): string[] =>
      received(`{"dataframe_split": {"columns": ${columns}, "data": ${data}}}`);
    expect(split("[[1.0, 1], [2, 2]]")).toEqual(["a:FP64", "b:INT64"]);
    expect(split("[[1, 1], [2.5, 2]]")).toEqual(["a:FP64", "b:INT64"]);
    expect(split("[1.0, 2]", '["a"]')).toEqual(["a:FP64"]);
    expect(split("[[true, 1.0], [false, 2]]")).toEqual(["a:BOOL", "b:FP64"]);
    // pandas makes [2**63, 1] uint64 but [2**63, 1.0] float64.
    expect(split("[[9223372036854775808, 1.0], [1, 2]]")).toEqual(["a:UINT64", "b:FP64"]);
    expect(split("[[9223372036854775808], [1.0]]", '["a"]')).toEqual(["a:FP64"]);

    const records = (body: string): string[] => received(`{"dataframe_records": ${body}}`);
    expect(records('[{"a": 1.0, "b": 1}, {"a": 2, "b": 2}]')).toEqual(["a:FP64", "b:INT64"]);
    expect(records('[{"b": 1}, {"a": 2.0, "b": 2}]')).toEqual(["b:INT64", "a:FP64"]);
    expect(records("[[1.0, 1], [2, 2]]")).toEqual(["0:FP64", "1:INT64"]);
  });

  it("does not take a float literal inside a string, or in params, for a number", () => {
    expect(received('{"dataframe_split": {"columns": ["1.0"], "data": [[1]]}}')).toEqual(["1.0:INT64"]);
    expect(received('{"inputs": [[1, 2]], "params": {"alpha": 1.0}}')).toEqual([":INT64"]);
  });

  it("types CSV columns as pandas.read_csv does: `1.0` and `1e3` float64, `1` int64", () => {
    expect(received("a,b,c\n1.0,1,1e3\n2,2,2\n", "text/csv")).toEqual(["a:FP64", "b:INT64", "c:FP64"]);
    expect(received("a,b\n1.,1\n2,\n", "text/csv")).toEqual(["a:FP64", "b:FP64"]);
  });
});

describe("mlflowRequest for a model that types its inputs", () => {
  it("converts whole floats to the declared datatype, with or without the literal-aware parse", () => {
    const specs: TensorSpec[] = [{ name: "x", datatype: "INT64", shape: [-1, 2] }];
    for (const typedInputs of [true, false]) {
      const request = mlflowRequest('{"inputs": [[1.0, 2.0]]}', "application/json", { typedInputs });
      const [tensor] = adaptInput(request.input, specs);
      expect(tensor).toEqual({
        name: "x",
        datatype: "INT64",
        shape: [1, 2],
        data: new BigInt64Array([1n, 2n]),
      });
    }
  });
});
