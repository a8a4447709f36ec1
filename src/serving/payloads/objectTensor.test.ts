/**
 * Regression: JSON objects among MLflow `inputs` values (a record's value, a list's element beside other values)
 * were a 400 for every model, where MLflow hands a model without a signature numpy's object array of the dicts.
 * They now travel to the Python worker as dicts; a model that declares its inputs still refuses them, naming the
 * input (the end-to-end parity with mlflow is in src/server/serving/mlflowPythonUntypedRecords.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { Tensor, TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { recordListOf } from "./recordListTensor.js";
import { v1Request } from "./v1Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const ONNX_SPECS: TensorSpec[] = [{ name: "float_input", datatype: "FP32", shape: [-1, 4] }];
const mlflow = (body: string) => mlflowRequest(body, "application/json").input;

describe("JSON objects among inputs values", () => {
  it("keeps them as dicts, whole floats inside marked, for a model without specs", () => {
    const input = mlflow('{"inputs": [{"k": 2.0, "__proto__": [1.0, {"j": 3}]}, 3.0, "x"]}');
    expect(adaptInput(input, [])).toMatchObject([
      {
        name: "",
        datatype: "BYTES",
        shape: [3],
        jsonData: [
          {
            object: [
              ["k", { float: 2 }],
              ["__proto__", [{ float: 1 }, { object: [["j", 3]] }]],
            ],
          },
          { float: 3 },
          "x",
        ],
      },
    ]);
  });

  it("keeps a record's object value a 0-d array of its dict for a model without specs", () => {
    const [tensor] = adaptInput(mlflow('{"inputs": [{"a": {"k": 1}, "b": 2}]}'), []);
    const [record] = recordListOf(tensor as Tensor) ?? [];
    expect(record?.map((value) => [value.name, value.shape, value.jsonData])).toEqual([
      ["a", [], [{ object: [["k", 1]] }]],
      ["b", [], undefined],
    ]);
  });

  it("refuses them for an ONNX model, in MLflow's words over MLflow and in FlowOps' over V1", () => {
    expect(
      thrownError(() => adaptInput(v1Request({ instances: [3, { a: 1 }] }).input, ONNX_SPECS)).message,
    ).toMatch(
      /^Invalid input\. the input holds an object \{"a":1\} where a number, string or boolean was expected$/,
    );
    // mlflow 3.17.2 without a signature feeds onnxruntime numpy's object array, which it refuses inside predict.
    expect(thrownError(() => adaptInput(mlflow('{"inputs": [{"a": 1}, 3]}'), ONNX_SPECS)).message).toBe(
      "Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is " +
        "compatible with the model for inference.",
    );
  });

  it("refuses them for a model that declares its inputs, naming the input, even a text input", () => {
    const specs: TensorSpec[] = [{ name: "a", datatype: "BYTES", shape: [-1] }];
    expect(thrownError(() => adaptInput(mlflow('{"inputs": {"a": ["x", {"k": 1}]}}'), specs)).message).toBe(
      `Invalid input. input 'a' holds an object {"k":1} where a number, string or boolean was expected`,
    );
  });

  it("still refuses a list mixing records with lists, which numpy cannot shape", () => {
    // mlflow 3.17.2 (numpy 2.4): np.array refuses them while parsing, for any model.
    const ragged =
      /^Invalid input\. setting an array element with a sequence\. .* The detected shape was \(2,\) /;
    expect(() => adaptInput(mlflow('{"inputs": [{"a": 1}, [1, 2]]}'), [])).toThrow(ragged);
    expect(() => adaptInput(mlflow('{"inputs": [[1, 2], {"a": 1}]}'), [])).toThrow(ragged);
  });
});
