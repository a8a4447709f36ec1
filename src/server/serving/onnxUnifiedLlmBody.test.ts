/**
 * MLflow's scoring server reads any body holding `messages`, `prompt` or `input` as the unified LLM form,
 * whatever the model. An ONNX model cannot take such a body: it must be a 4xx in MLflow's error shape naming
 * the problem, never a 500 or a hang.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../serving/loadModel.js";
import { encodeOnnxModel } from "../../serving/onnx/onnxModelWriter.js";
import { buildServingApp, type ServingApp } from "./servingApp.js";

let work: string;
let serving: ServingApp;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-onnx-llm-body-"));
  const dir = join(work, "m");
  await mkdir(dir);
  const bytes = encodeOnnxModel({
    name: "m",
    inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
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

describe("unified LLM bodies sent to an ONNX model", () => {
  it.each([
    { messages: [{ role: "user", content: "hi" }] },
    { prompt: "hi" },
    { input: [[1, 2]] },
    { input: "hi", temperature: 0.1 },
  ])("answers %j with a 4xx in MLflow's error shape", async (body) => {
    const res = await serving.app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const answer = res.json<{ error_code: string; message: string }>();
    expect(typeof answer.error_code).toBe("string");
    expect(answer.message.length).toBeGreaterThan(0);
  });
});
