import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import type { LoadedModel } from "../runtime.js";
import { workerRequest } from "../runtimes/pythonWire.js";
import type { ModelSignature } from "../signature.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { castsObjectCells } from "./objectCells.js";

const SIGNATURE: ModelSignature = {
  kind: "columns",
  inputs: [{ name: "a", type: "double", required: true }],
};
const SPECS = [{ name: "a", datatype: "FP64" as const, shape: [-1] }];
const READ = { typedInputs: true, castsObjectCells: true };

function model(platform: string): LoadedModel {
  return {
    name: "m",
    version: "1",
    platform,
    inputs: SPECS,
    outputs: [],
    signature: SIGNATURE,
    ready: () => true,
    infer: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}

describe("JSON objects and lists in a Python model's scalar columns", () => {
  it("leaves a body without them to the typed read, which adapts it to the signature", () => {
    const request = mlflowRequest(
      '{"dataframe_records": [{"a": 1}], "params": {"p": [1]}}',
      "application/json",
      READ,
    );
    expect(request.input.schemaCast).toBeUndefined();
    expect(adaptInput(request.input, SPECS, SIGNATURE)).toMatchObject([{ name: "a", datatype: "FP64" }]);
  });

  it.each([
    '{"dataframe_records": [{"a": {"k": 1}}]}',
    '{"dataframe_split": {"columns": ["a"], "data": [[[1, 2]]]}}',
    '{"instances": [{"a": [1]}]}',
    '{"inputs": {"a": [[1.0]]}}',
    '{"inputs": [{"a": [1.5]}]}',
  ])("reads %s untyped and marks every adapted tensor for the worker's cast", (body) => {
    const request = mlflowRequest(body, "application/json", READ);
    expect(request.input.schemaCast).toBe(true);
    const tensors = adaptInput(request.input, SPECS, SIGNATURE);
    expect(tensors.every((tensor) => tensor.schemaCast === true)).toBe(true);
    expect(workerRequest(1, tensors, false).schema_cast).toBe(true);
  });

  it.each(['{"inputs": {"a": {"k": 1}}}', '{"inputs": [{"a": {}}]}'])(
    "leaves a dict for a double column in %s to numpy's refusal, as mlflow 3.17.2's parsing gives it",
    (body) => {
      const request = mlflowRequest(body, "application/json", READ);
      expect(() => adaptInput(request.input, SPECS, SIGNATURE)).toThrow(
        "Invalid input. float() argument must be a string or a real number, not 'dict'",
      );
    },
  );

  it("keeps the unified LLM form and rows of plain values out of it", () => {
    const llm = mlflowRequest('{"messages": [{"a": {"k": 1}}]}', "application/json", READ);
    expect(llm.input.schemaCast).toBeUndefined();
    expect(
      mlflowRequest('{"instances": [[1, 2]]}', "application/json", READ).input.schemaCast,
    ).toBeUndefined();
  });

  it("is asked only for a Python model with typed columns; ONNX keeps refusing the cell, naming the column", () => {
    expect(castsObjectCells(model("mlflow_pyfunc"))).toEqual({ names: new Set(), sole: "a" });
    expect(castsObjectCells(model("onnx_onnxv1"))).toBe(false);
    const request = mlflowRequest('{"dataframe_records": [{"a": {"k": 1}}]}', "application/json", {
      typedInputs: true,
      castsObjectCells: castsObjectCells(model("onnx_onnxv1")),
    });
    expect(() => adaptInput(request.input, SPECS, SIGNATURE)).toThrow(FlowOpsError);
    expect(() => adaptInput(request.input, SPECS, SIGNATURE)).toThrow(
      `Failed to convert column a to type 'float64'. Error: 'TypeError("float() argument must be a string or a real number, not 'dict'")'`,
    );
  });

  // Regression (mlflow 3.17.2): {"inputs": {"a": [1, 2]}} for ColSpec(string, "a") reached the model as '1', '2'
  // there and was refused here ("datatype INT64 cannot be converted to the model's BYTES").
  it.each([
    '{"inputs": {"a": [1, 2]}}',
    '{"inputs": {"a": [null, "x"]}}',
    '{"inputs": {"a": 1}}',
    '{"inputs": [1.5]}',
    '{"instances": [{"a": true}]}',
    '{"dataframe_records": [{"a": 1}]}',
    '{"dataframe_split": {"columns": ["b", "a"], "data": [["x", 1]]}}',
  ])("sends %s, a non-text value in a string column, to the worker's cast", (body) => {
    const text = { names: new Set(["a"]), sole: "a" };
    expect(
      mlflowRequest(body, "application/json", { ...READ, castsObjectCells: text }).input.schemaCast,
    ).toBe(true);
  });

  it.each([
    '{"inputs": {"a": ["x"], "b": [1]}}',
    '{"dataframe_records": [{"a": "x", "b": 1}, {"a": null}]}',
    '{"dataframe_split": {"columns": ["a", "b"], "data": [["x", 1]]}}',
  ])("reads %s, text or missing cells in the string column, typed", (body) => {
    const text = { names: new Set(["a"]), sole: undefined };
    const request = mlflowRequest(body, "application/json", { ...READ, castsObjectCells: text });
    expect(request.input.schemaCast).toBeUndefined();
  });

  // Regression: pandas fills a named column that no record holds with NaN, which the typed read made None.
  it("sends a dataframe_split of records naming a column none of them has to the worker's cast", () => {
    const body = '{"dataframe_split": {"columns": ["a"], "data": [{"x": 1}]}}';
    expect(mlflowRequest(body, "application/json", READ).input.schemaCast).toBe(true);
    const held = '{"dataframe_split": {"columns": ["a"], "data": [{"x": 1}, {"a": 2.5}]}}';
    expect(mlflowRequest(held, "application/json", READ).input.schemaCast).toBeUndefined();
  });
});
