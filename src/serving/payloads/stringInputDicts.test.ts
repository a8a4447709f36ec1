/**
 * Regression: a JSON object among an MLflow `inputs` or `instances` array's elements sent to an ONNX string
 * input was refused ("holds an object {"k":1} where a number, string or boolean was expected"), where MLflow
 * makes the array an object array holding the dict and onnxruntime writes its repr. Expected values are what
 * mlflow 3.17.2's scoring_server.invocations answered through onnxruntime 1.32 over an Identity graph of
 * tensor(string), logged with mlflow.onnx.save_model under a tensor signature, a string ColSpec and none.
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";

const TEXT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];
const TEXT_COLUMN: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 1] }];
const OBJECT: ModelSignature = { kind: "tensors", inputs: [{ name: "x", dtype: "object", shape: [-1] }] };
const OBJECT_COLUMN: ModelSignature = {
  kind: "tensors",
  inputs: [{ name: "x", dtype: "object", shape: [-1, 1] }],
};
const STRING: ModelSignature = { kind: "columns", inputs: [{ name: "x", type: "string", required: true }] };

const textOf = (body: string, specs: TensorSpec[], signature?: ModelSignature): string[] => {
  const input = mlflowRequest(body, "application/json", {
    typedInputs: true,
    textForStringInputs: true,
  }).input;
  return Array.from(adaptInput(input, specs, signature)[0]?.data as string[]);
};

describe("a dict among the elements sent to an ONNX string input", () => {
  it("reaches a 1-D input as its repr, under a tensor signature and none", () => {
    for (const signature of [OBJECT, undefined]) {
      const text = (body: string) => textOf(body, TEXT, signature);
      expect(text('{"inputs": {"x": [{"k": 1}, "b"]}}')).toEqual(["{'k': 1}", "b"]);
      expect(text('{"inputs": {"x": ["b", {"k": 1}]}}')).toEqual(["b", "{'k': 1}"]);
      expect(text('{"inputs": {"x": [{"k": 1}, {"a": [1, 2.0, null]}]}}')).toEqual([
        "{'k': 1}",
        "{'a': [1, 2.0, None]}",
      ]);
      expect(text('{"inputs": [{"k": 1}, "b"]}')).toEqual(["{'k': 1}", "b"]);
      expect(text('{"instances": {"x": [{"k": 1}, "b"]}}')).toEqual(["{'k': 1}", "b"]);
      expect(text('{"instances": ["b", {"k": 1}]}')).toEqual(["b", "{'k': 1}"]);
    }
  });

  it("reaches a column signature's [-1, 1] input as its repr, a row of them as the row's list", () => {
    expect(textOf('{"inputs": {"x": [{"k": 1}, "b"]}}', TEXT_COLUMN, STRING)).toEqual(["{'k': 1}", "b"]);
    expect(textOf('{"instances": {"x": [{"k": "v", "n": null}, "b"]}}', TEXT_COLUMN, STRING)).toEqual([
      "{'k': 'v', 'n': None}",
      "b",
    ]);
    expect(textOf('{"inputs": {"x": [[{"k": 1}], ["b"]]}}', TEXT_COLUMN, STRING)).toEqual([
      `["{'k': 1}"]`,
      "['b']",
    ]);
  });

  it("fills a 2-D input's rows with each dict's repr", () => {
    for (const signature of [OBJECT_COLUMN, undefined])
      expect(textOf('{"inputs": {"x": [[{"k": 1}], ["b"]]}}', TEXT_COLUMN, signature)).toEqual([
        "{'k': 1}",
        "b",
      ]);
  });
});
