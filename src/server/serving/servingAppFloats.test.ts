/**
 * Regression: float predictions of whole numbers were answered as JSON integers (`[7, 2.5]`), where MLflow's
 * scoring server and KServe's write `[7.0, 2.5]`; a pandas client then read them back as int64. Real ONNX
 * Identity models check the answer bytes of each protocol end to end.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../serving/loadModel.js";
import { encodeOnnxModel } from "../../serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { Datatype } from "../../serving/tensor.js";
import { buildServingApp, type ServingApp } from "./servingApp.js";

let work: string;
let serving: ServingApp;

async function identityModel(name: string, datatype: Datatype): Promise<LoadedModel> {
  const dir = join(work, name);
  await mkdir(dir);
  const bytes = encodeOnnxModel({
    name,
    inputs: [{ name: "x", datatype, shape: [-1] }],
    outputs: [{ name: "y", datatype, shape: [-1] }],
    nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
  });
  await writeFile(join(dir, "model.onnx"), bytes);
  return loadModel(dir, { workers: 1, executionProviders: "cpu", log: () => undefined });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-floats-"));
  const models = [
    // The first model answers /invocations.
    await identityModel("f64", "FP64"),
    await identityModel("f32", "FP32"),
    await identityModel("i64", "INT64"),
  ];
  serving = await buildServingApp({ models, logger: false });
});

afterAll(async () => {
  await serving.app.close();
  await rm(work, { recursive: true, force: true });
});

async function post(url: string, body: unknown): Promise<{ status: number; text: string; type: string }> {
  const res = await serving.app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, text: res.body, type: String(res.headers["content-type"]) };
}

describe("float predictions in the model server's answers", () => {
  it("answers /invocations with whole-number floats as MLflow's server writes them", async () => {
    // Observed from `mlflow models serve` (3.17): {"predictions": {"y": [7.0, 2.5, 1e-05, 1e+16]}}.
    const f64 = await post("/invocations", { inputs: [7, 2.5, 1e-5, 1e16] });
    expect(f64).toEqual({
      status: 200,
      text: '{"predictions":{"y":[7.0,2.5,1e-05,1e+16]}}',
      type: "application/json; charset=utf-8",
    });
  });

  it("answers V1 :predict with whole-number floats as KServe's server (orjson) writes them", async () => {
    const f32 = await post("/v1/models/f32:predict", { instances: [7, 0.5, 1e-6] });
    expect(f32.status).toBe(200);
    // tolist() widens float32 to a double; orjson writes 1e-6 where Python's json writes 1e-06.
    expect(f32.text).toBe('{"predictions":[7.0,0.5,9.999999974752427e-7]}');
  });

  it("keeps integer predictions integers", async () => {
    expect((await post("/v1/models/i64:predict", { instances: [7, 2] })).text).toBe('{"predictions":[7,2]}');
  });
});
