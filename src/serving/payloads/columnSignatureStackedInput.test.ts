/**
 * Regression: an ONNX model whose one input takes a column signature's columns side by side (sklearn-onnx's
 * [-1, 1] tensor(string)) refused `{"inputs": {"x": ["a", "b"]}}` ("shape [2] does not match [-1,1]"), where
 * MLflow's schema enforcement makes the dict a DataFrame and the onnx flavor feeds its values as [N, 1] (checked
 * against mlflow 3.17.2's scoring_server.invocations through onnxruntime 1.32 over an Identity graph: the
 * answer is `[{"y": "a"}, {"y": "b"}]`, for `inputs` and `instances`, named or not). A real graph answers here,
 * with the nulls and integers beyond 64 bits MLflow writes as text for it.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../loadModel.js";
import { encodeOnnxModel } from "../onnx/onnxModelWriter.js";
import { buildServingApp, type ServingApp } from "../../server/serving/servingApp.js";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";

const COLUMN_INPUT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 1] }];
const ONE_COLUMN: ModelSignature = {
  kind: "columns",
  inputs: [{ name: "x", type: "string", required: true }],
};
const TWO_COLUMNS: ModelSignature = {
  kind: "columns",
  inputs: [
    { name: "a", type: "double", required: true },
    { name: "b", type: "double", required: true },
  ],
};

const adapted = (body: string, specs: TensorSpec[], signature: ModelSignature) =>
  adaptInput(
    mlflowRequest(body, "application/json", { typedInputs: true, textForStringInputs: true }).input,
    specs,
    signature,
  ).map((tensor) => ({ shape: tensor.shape, data: Array.from(tensor.data as ArrayLike<unknown>) }));

describe("a column signature's 1-D columns for one stacked ONNX input", () => {
  it("stacks a column sent by name or unnamed as [N, 1]", () => {
    for (const body of [
      '{"inputs": {"x": ["a", "b"]}}',
      '{"inputs": ["a", "b"]}',
      '{"instances": ["a", "b"]}',
      '{"instances": {"x": ["a", "b"]}}',
    ]) {
      expect(adapted(body, COLUMN_INPUT, ONE_COLUMN)).toEqual([{ shape: [2, 1], data: ["a", "b"] }]);
    }
  });

  it("stacks several columns in the signature's order", () => {
    const specs: TensorSpec[] = [{ name: "a", datatype: "FP32", shape: [-1, 2] }];
    expect(adapted('{"inputs": {"b": [3, 4], "a": [1, 2]}}', specs, TWO_COLUMNS)).toEqual([
      { shape: [2, 2], data: [1, 3, 2, 4] },
    ]);
  });

  it("leaves a tensor signature's shape check alone (MLflow's schema enforcement words)", () => {
    const tensors: ModelSignature = {
      kind: "tensors",
      inputs: [{ name: "x", dtype: "object", shape: [-1, 1] }],
    };
    expect(() => adapted('{"inputs": {"x": ["a", "b"]}}', COLUMN_INPUT, tensors)).toThrow(
      "Error: Shape of input (2,) does not match expected shape (-1, 1).",
    );
  });
});

describe("an MLflow ONNX model with a [-1, 1] tensor(string) input and a string column signature", () => {
  let work: string;
  let serving: ServingApp;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "flowops-column-string-"));
    const dir = join(work, "text");
    await mkdir(dir);
    const bytes = encodeOnnxModel({
      name: "text",
      inputs: [{ name: "x", datatype: "BYTES", shape: [-1, 1] }],
      outputs: [{ name: "y", datatype: "BYTES", shape: [-1, 1] }],
      nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
    });
    await writeFile(join(dir, "model.onnx"), bytes);
    await writeFile(
      join(dir, "MLmodel"),
      [
        "flavors:",
        "  onnx:",
        "    data: model.onnx",
        "  python_function:",
        "    data: model.onnx",
        "    loader_module: mlflow.onnx",
        "mlflow_version: 3.17.2",
        "signature:",
        `  inputs: '[{"type": "string", "name": "x", "required": true}]'`,
        "  outputs: null",
        "",
      ].join("\n"),
    );
    const model = await loadModel(dir, { workers: 1, executionProviders: "cpu", log: () => undefined });
    serving = await buildServingApp({ models: [model], logger: false });
  });

  afterAll(async () => {
    await serving.app.close();
    await rm(work, { recursive: true, force: true });
  });

  const invoke = async (payload: string): Promise<unknown> => {
    const res = await serving.app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
    return JSON.parse(res.body);
  };

  it("answers a dict or list of text as MLflow does", async () => {
    for (const body of ['{"inputs": {"x": ["a", "b"]}}', '{"inputs": ["a", "b"]}']) {
      expect(await invoke(body)).toEqual({ predictions: [{ y: "a" }, { y: "b" }] });
    }
  });

  it("feeds nulls and integers beyond 64 bits as the text MLflow writes", async () => {
    expect(await invoke('{"inputs": {"x": ["a", null]}}')).toEqual({
      predictions: [{ y: "a" }, { y: "None" }],
    });
    expect(await invoke('{"dataframe_records": [{"x": "a"}, {"x": null}, {}]}')).toEqual({
      predictions: [{ y: "a" }, { y: "nan" }, { y: "nan" }],
    });
    expect(await invoke('{"dataframe_split": {"columns": ["x"], "data": [[true], [null]]}}')).toEqual({
      predictions: [{ y: "True" }, { y: "None" }],
    });
    expect(await invoke('{"inputs": {"x": [123456789012345678901234567890, 2]}}')).toEqual({
      predictions: [{ y: "123456789012345678901234567890" }, { y: "2" }],
    });
  });
});
