/**
 * Regression: numbers an MLflow `inputs` or `instances` body sent to an ONNX model's string input were refused
 * ("datatype FP64 cannot be converted to the model's BYTES"), where MLflow's cast writes each as Python's str of
 * what json.loads made (checked against mlflow 3.17.2's scoring_server.invocations with a str TensorSpec
 * signature: '1', '2.5', '9007199254740993', '12345678901234567890', '1.0', '1e+20', '1.5e-07', 'inf', 'True',
 * 'None'), and the onnx flavor feeds that text. A real ONNX Identity graph over tensor(string) answers it here.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../loadModel.js";
import { encodeOnnxModel } from "../onnx/onnxModelWriter.js";
import { buildServingApp, type ServingApp } from "../../server/serving/servingApp.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { pythonStr } from "./stringInputNumbers.js";

const TEXT_INPUT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];
const FLOAT_INPUT: TensorSpec[] = [{ name: "x", datatype: "FP32", shape: [-1] }];

const textOf = (body: string, specs = TEXT_INPUT): unknown[] =>
  Array.from(
    adaptInput(
      mlflowRequest(body, "application/json", { typedInputs: true, textForStringInputs: true }).input,
      specs,
    )[0]!.data as ArrayLike<unknown>,
  );

describe("numbers sent to a string input, as MLflow's cast writes them", () => {
  it("writes each number as Python's str, keeping every digit of an integer beyond 2^53", () => {
    const body =
      '{"inputs": {"x": [1, 2.5, 9007199254740993, 12345678901234567890, 1.0, 1e20, 1.5e-7, -0, -0.0, 1E5, 1e400]}}';
    expect(textOf(body)).toEqual([
      "1",
      "2.5",
      "9007199254740993",
      "12345678901234567890",
      "1.0",
      "1e+20",
      "1.5e-07",
      "0",
      "-0.0",
      "100000.0",
      "inf",
    ]);
  });

  it("writes booleans, nulls and text among numbers as numpy's str array does", () => {
    expect(textOf('{"inputs": {"x": [1, "a", true, null]}}')).toEqual(["1", "a", "True", "None"]);
  });

  it("takes a bare inputs list, an instances list and an instances dict alike", () => {
    for (const body of [
      '{"inputs": [1, 2.5, 9007199254740993]}',
      '{"instances": [1, 2.5, 9007199254740993]}',
      '{"instances": {"x": [1, 2.5, 9007199254740993]}}',
    ]) {
      expect(textOf(body)).toEqual(["1", "2.5", "9007199254740993"]);
    }
  });

  it("keeps a number tensor for a numeric input untouched", () => {
    expect(textOf('{"inputs": {"x": [1, 2.5]}}', FLOAT_INPUT)).toEqual([1, 2.5]);
  });

  it("spells a whole float and a large float as Python's repr", () => {
    expect([pythonStr({ float: 3 }), pythonStr(1e16), pythonStr(0.1), pythonStr(12n)]).toEqual([
      "3.0",
      "1e+16",
      "0.1",
      "12",
    ]);
  });
});

describe("an ONNX model with a tensor(string) input", () => {
  let work: string;
  let serving: ServingApp;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "flowops-string-input-"));
    const dir = join(work, "text");
    await mkdir(dir);
    const bytes = encodeOnnxModel({
      name: "text",
      inputs: [{ name: "x", datatype: "BYTES", shape: [-1] }],
      outputs: [{ name: "y", datatype: "BYTES", shape: [-1] }],
      nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
    });
    await writeFile(join(dir, "model.onnx"), bytes);
    const model = await loadModel(dir, { workers: 1, executionProviders: "cpu", log: () => undefined });
    serving = await buildServingApp({ models: [model], logger: false });
  });

  afterAll(async () => {
    await serving.app.close();
    await rm(work, { recursive: true, force: true });
  });

  it("answers /invocations numbers with the text MLflow feeds the graph", async () => {
    const res = await serving.app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: '{"inputs": {"x": [1, 2.5, 9007199254740993, 12345678901234567890, 1.0]}}',
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      predictions: { y: ["1", "2.5", "9007199254740993", "12345678901234567890", "1.0"] },
    });
  });
});
