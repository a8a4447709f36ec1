/**
 * Regression: INT64 values beyond 2^53 were rounded to a double on their way through the model server (JSON.parse
 * read the request, JSON numbers wrote the answer), and the INT64 limits themselves were refused as out of range.
 * A real ONNX Identity model checks every protocol end to end.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../serving/loadModel.js";
import { encodeOnnxModel } from "../../serving/onnx/onnxModelWriter.js";
import { buildServingApp, type ServingApp } from "./servingApp.js";

const EXACT = ["1234567890123456789", "9007199254740993", "9223372036854775807", "-9223372036854775808"];
const COLUMN = `[${EXACT.map((value) => `[${value}]`).join(",")}]`;

let work: string;
let serving: ServingApp;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-int64-"));
  const dir = join(work, "ident");
  await mkdir(dir);
  const bytes = encodeOnnxModel({
    name: "ident",
    inputs: [{ name: "x", datatype: "INT64", shape: [-1, 1] }],
    outputs: [{ name: "y", datatype: "INT64", shape: [-1, 1] }],
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

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await serving.app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    payload: body,
  });
  return { status: res.statusCode, text: res.body };
}

describe("INT64 values beyond 2^53 in the model server", () => {
  it("answers a V2 JSON request with the exact INT64 values it sent, the limits included", async () => {
    const body = `{"id":"r","inputs":[{"name":"x","shape":[4,1],"datatype":"INT64","data":${COLUMN}}]}`;
    const { status, text } = await post("/v2/models/ident/infer", body);
    expect(status).toBe(200);
    expect(text).toBe(
      '{"model_name":"ident","model_version":"1","id":"r","outputs":' +
        `[{"name":"y","datatype":"INT64","shape":[4,1],"data":[${EXACT.join(",")}]}]}`,
    );
  });

  it("refuses a V2 value just beyond INT64, naming its exact digits", async () => {
    const body = '{"inputs":[{"name":"x","shape":[1,1],"datatype":"INT64","data":[9223372036854775808]}]}';
    const { status, text } = await post("/v2/models/ident/infer", body);
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      error: "inputs[0] 'x' data[0] is 9223372036854775808, expected an integer that fits INT64",
    });
  });

  it("keeps small values as plain JSON numbers", async () => {
    const body = '{"inputs":[{"name":"x","shape":[2,1],"datatype":"INT64","data":[1,-2]}]}';
    const { status, text } = await post("/v2/models/ident/infer", body);
    expect(status).toBe(200);
    expect(text).toContain('"data":[1,-2]');
  });

  it("answers MLflow /invocations `inputs` with the exact values", async () => {
    const { status, text } = await post("/invocations", `{"inputs":{"x":${COLUMN}}}`);
    expect(status).toBe(200);
    expect(text).toBe(`{"predictions":{"y":${COLUMN}}}`);
  });

  it("answers MLflow /invocations `dataframe_split` with the exact values", async () => {
    const body = `{"dataframe_split":{"columns":["x"],"data":${COLUMN}}}`;
    const { status, text } = await post("/invocations", body);
    expect(status).toBe(200);
    expect(text).toBe(`{"predictions":[${EXACT.map((value) => `{"y":${value}}`).join(",")}]}`);
  });

  it("answers KServe V1 `instances` with the exact values", async () => {
    const { status, text } = await post("/v1/models/ident:predict", `{"instances":${COLUMN}}`);
    expect(status).toBe(200);
    expect(text).toBe(`{"predictions":${COLUMN}}`);
  });
});
