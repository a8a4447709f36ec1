/**
 * Regression tests for MLflow dicts of inputs against a signature, without Python: what mlflow 3.17.2's scoring
 * server answered for each body is recorded here; the live comparisons are mlflowPythonExtraInputs.test.ts and
 * mlflowPythonMissing*.test.ts. ONNX is not in the mlflow venv: its case follows `_OnnxModelWrapper.predict`,
 * which feeds onnxruntime the dict that pyfunc's schema enforcement left (extras dropped), or, without a
 * signature, the dict as sent (which onnxruntime refuses).
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { v2Request } from "./v2Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const typed = (body: unknown) =>
  mlflowRequest(JSON.stringify(body), "application/json", { typedInputs: true }).input;

const ONNX_SPECS: TensorSpec[] = [{ name: "float_input", datatype: "FP32", shape: [-1, 4] }];
const ONNX_SIGNATURE: ModelSignature = {
  kind: "tensors",
  inputs: [{ name: "float_input", dtype: "float32", shape: [-1, 4] }],
};
const ONE_COLUMN: ModelSignature = {
  kind: "columns",
  inputs: [{ name: "a", type: "double", required: true }],
};
const COLUMN_SPECS: TensorSpec[] = [{ name: "a", datatype: "FP64", shape: [-1] }];
const ONE_TENSOR: ModelSignature = {
  kind: "tensors",
  inputs: [{ name: "a", dtype: "float64", shape: [-1] }],
};

describe("regression: an MLflow dict's undeclared members were refused as unknown inputs", () => {
  it("drops a member a column signature does not declare, as MLflow's schema enforcement does", () => {
    const tensors = adaptInput(typed({ inputs: { a: [1], k: [2] } }), COLUMN_SPECS, ONE_COLUMN);
    expect(tensors.map((tensor) => tensor.name)).toEqual(["a"]);
    expect(Array.from(tensors[0]?.data as Float64Array)).toEqual([1]);
  });

  it("drops undeclared members of any form beside a tensor, instances given as an object too", () => {
    for (const body of [
      { inputs: { a: [1], k: [1, "x", null] } },
      { inputs: { a: [1], k: { x: 1 } } },
      { inputs: { a: [1], k: [1, 2] } },
      { instances: { a: [1], k: [2] } },
    ]) {
      expect(adaptInput(typed(body), COLUMN_SPECS, ONE_TENSOR).map((tensor) => tensor.name)).toEqual(["a"]);
    }
  });

  it("drops an undeclared member for an ONNX model with a signature", () => {
    const body = { inputs: { float_input: [[1, 2, 3, 4]], k: [1] } };
    const tensors = adaptInput(typed(body), ONNX_SPECS, ONNX_SIGNATURE);
    expect(tensors).toEqual([
      { name: "float_input", datatype: "FP32", shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
    ]);
  });

  it("still refuses an unknown input for an ONNX model without a signature, whose graph MLflow feeds the dict", () => {
    const body = { inputs: { float_input: [[1, 2, 3, 4]], k: [1] } };
    expect(thrownError(() => adaptInput(typed(body), ONNX_SPECS)).message).toBe(
      "unknown input 'k'; the model's inputs are: float_input",
    );
  });

  it("still refuses a V2 request's unknown input, signature or not", () => {
    const input = v2Request({
      inputs: [
        { name: "float_input", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] },
        { name: "k", shape: [1], datatype: "FP32", data: [1] },
      ],
    }).input;
    expect(thrownError(() => adaptInput(input, ONNX_SPECS, ONNX_SIGNATURE)).message).toBe(
      "unknown input 'k'; the model's inputs are: float_input",
    );
  });

  it("refuses a column signature's dict whose extra member is longer, as pandas refuses the DataFrame", () => {
    const error = thrownError(() =>
      adaptInput(typed({ inputs: { a: [1], k: [1, 2] } }), COLUMN_SPECS, ONE_COLUMN),
    );
    const data = "{'a': array([1.]), 'k': array([1, 2])}";
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toBe(
      `Failed to predict data '${data}'. \nError: Failed to enforce schema of data '${data}' with schema ` +
        "'['a': double (required)]'. Error: This model contains a column-based signature, which suggests a " +
        "DataFrame input. There was an error casting the input data to a DataFrame: All arrays must be of the same length",
    );
  });
});

describe("regression: a dict to a signature without input names was an unknown input", () => {
  const message =
    "Invalid input. Failed to parse input data. This model contains an un-named  model signature which expects " +
    "a single n-dimensional array or a single value as input, however, an input of type <class 'dict'> was found.";
  const specs: TensorSpec[] = [{ name: "input", datatype: "FP64", shape: [-1] }];

  it("answers MLflow's BAD_REQUEST for a tensor or a column signature, inputs or instances", () => {
    const unnamedTensor: ModelSignature = { kind: "tensors", inputs: [{ dtype: "float64", shape: [-1] }] };
    const unnamedColumn: ModelSignature = { kind: "columns", inputs: [{ type: "double", required: true }] };
    for (const [body, signature] of [
      [{ inputs: { a: [1] } }, unnamedTensor],
      [{ instances: { a: [1], b: [2] } }, unnamedTensor],
      [{ inputs: { a: [1] } }, unnamedColumn],
    ] as const) {
      const error = thrownError(() => adaptInput(typed(body), specs, signature));
      expect([error.code, error.httpStatus, error.message]).toEqual(["BAD_REQUEST", 400, message]);
    }
  });
});

describe("regression: whole floats of a missing-input error's data printed as ints for a typed model", () => {
  it("prints `[1.0, 2.0]` as numpy's float array, as MLflow does", () => {
    // Sent as text: JSON.stringify would write the floats as `1` and `2`.
    const input = mlflowRequest('{"inputs": {"k": [1.0, 2.0]}}', "application/json", { typedInputs: true });
    const error = thrownError(() => adaptInput(input.input, COLUMN_SPECS, ONE_TENSOR));
    expect(error.message).toMatch(/^Failed to predict data '\{'k': array\(\[1\., 2\.\]\)\}'/);
  });
});
