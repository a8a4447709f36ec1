import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { chooseRuntime, loadModel } from "./loadModel.js";
import { mlpOnnx } from "./onnx/onnxModelWriter.js";

const ONNX_MLMODEL = [
  "flavors:",
  "  onnx:",
  "    data: model.onnx",
  "    onnx_version: 1.17.0",
  "signature:",
  `  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "input"}]'`,
  "",
].join("\n");

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-load-model-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function modelDir(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return dir;
}

describe("chooseRuntime", () => {
  it("prefers ONNX when a model has both an onnx and a python_function flavor", () => {
    const onnx = { data: "model.onnx", path: "/m/model.onnx" };
    const choice = chooseRuntime(
      {
        dir: "/m",
        flavorNames: ["onnx", "python_function"],
        onnx,
        pythonFunction: { loaderModule: "mlflow.onnx" },
      },
      "/m",
    );
    expect(choice).toEqual({ kind: "onnx", flavor: onnx });
  });

  it("lists the flavors found when none can be served", () => {
    let caught: unknown;
    try {
      chooseRuntime({ dir: "/m", file: "/m/MLmodel", flavorNames: ["transformers", "keras"] }, "models:/x/1");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlowOpsError);
    expect((caught as FlowOpsError).message).toBe(
      "/m/MLmodel: the model has no flavor FlowOps can serve (found: transformers, keras); " +
        "it needs an 'onnx' or a 'python_function' flavor.",
    );
  });
});

describe("loadModel", () => {
  it("serves a bare directory holding model.onnx under the directory's name", async () => {
    const dir = await modelDir("iris", { "model.onnx": mlpOnnx({ inputs: 4, hidden: 3, outputs: 2 }).bytes });
    const model = await loadModel(dir, { workers: 1, executionProviders: "cpu", log: () => undefined });
    try {
      expect(model).toMatchObject({ name: "iris", version: "1", platform: "onnx_onnxv1" });
      const [probabilities] = await model.infer([
        { name: "input", datatype: "FP32", shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
      ]);
      expect(probabilities?.shape).toEqual([1, 2]);
    } finally {
      await model.close();
    }
  });

  it("loads a registered ONNX model by alias, named after the registered model, with its MLmodel signature", async () => {
    const server: TestServer = await startTestServer();
    try {
      const client = new FlowOpsClient({ trackingUri: server.url, env: {}, retries: 0 });
      const experimentId = await client.experiments.create("load");
      const run = await client.runs.create({ experimentId });
      const runId = run.info.run_id;
      const dir = await modelDir("upload", {
        MLmodel: ONNX_MLMODEL,
        "model.onnx": mlpOnnx({ inputs: 4, hidden: 3, outputs: 2 }).bytes,
      });
      await client.artifacts.uploadArtifact({ runId }, join(dir, "MLmodel"), "model");
      await client.artifacts.uploadArtifact({ runId }, join(dir, "model.onnx"), "model");
      await client.registry.createRegisteredModel("iris-clf");
      await client.registry.createModelVersion("iris-clf", `runs:/${runId}/model`, { runId });
      await client.registry.setAlias("iris-clf", "champion", "1");

      const home = join(work, "home");
      const model = await loadModel("models:/iris-clf@champion", {
        client,
        home,
        workers: 1,
        executionProviders: "cpu",
        log: () => undefined,
      });
      try {
        expect(model).toMatchObject({ name: "iris-clf", version: "1", platform: "onnx_onnxv1" });
        expect(model.signature).toMatchObject({
          kind: "tensors",
          inputs: [{ name: "input", dtype: "float32" }],
        });
      } finally {
        await model.close();
      }
      const renamed = await loadModel("models:/iris-clf/1", {
        client,
        home,
        name: "served",
        workers: 1,
        executionProviders: "cpu",
        log: () => undefined,
      });
      expect(renamed.name).toBe("served");
      await renamed.close();
    } finally {
      await server.close();
    }
  });

  it("starts the Python runtime for a python_function model", async () => {
    const dir = await modelDir("pyfunc", {
      MLmodel: "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n",
    });
    const error = await loadModel(dir, { python: join(work, "no-such-python"), log: () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).message).toContain("no-such-python");
  });

  it("refuses an ONNX model whose signature has a nested column, naming the column", async () => {
    const mlmodel = [
      "flavors:",
      "  onnx:",
      "    data: model.onnx",
      "signature:",
      `  inputs: '[{"type": "array", "items": {"type": "string"}, "name": "tags", "required": true}]'`,
      "",
    ].join("\n");
    const dir = await modelDir("nested-onnx", {
      MLmodel: mlmodel,
      "model.onnx": mlpOnnx({ inputs: 4, hidden: 3, outputs: 2 }).bytes,
    });
    await expect(loadModel(dir, { executionProviders: "cpu", log: () => undefined })).rejects.toThrow(
      /signature input 'tags' has type 'array', which an ONNX model cannot take/,
    );
  });

  it("rejects a bad URI before touching anything", async () => {
    const error = await loadModel("s3://bucket/model").catch((e: unknown) => e);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
  });
});
