import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { readMlflowModel } from "./mlmodel.js";

const FIXTURES = resolve(import.meta.dirname, "../../test/fixtures/serving");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-mlmodel-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modelFrom(fixture: string, files: string[] = []): Promise<string> {
  const modelDir = join(dir, fixture);
  await mkdir(modelDir, { recursive: true });
  await copyFile(join(FIXTURES, fixture, "MLmodel"), join(modelDir, "MLmodel"));
  for (const file of files) await writeFile(join(modelDir, file), "");
  return modelDir;
}

async function writeMlmodel(text: string, files: string[] = []): Promise<string> {
  await writeFile(join(dir, "MLmodel"), text);
  for (const file of files) await writeFile(join(dir, file), "");
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<FlowOpsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlowOpsError);
  return error as FlowOpsError;
}

describe("readMlflowModel", () => {
  it("reads the python_function flavor and column signature mlflow.sklearn writes", async () => {
    const model = await readMlflowModel(await modelFrom("sklearn-columns"));
    expect(model.flavorNames).toEqual(["python_function", "sklearn"]);
    expect(model.onnx).toBeUndefined();
    expect(model.pythonFunction).toEqual({
      loaderModule: "mlflow.sklearn",
      data: "model.pkl",
      env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
      pythonVersion: "3.11.7",
    });
    expect(model.modelUuid).toBe("d31f17810c324a21aa1827b818a7aca2");
    expect(model.mlflowVersion).toBe("2.22.5");
    expect(model.signature).toMatchObject({
      kind: "columns",
      inputs: [
        { name: "sepal_length", type: "double", required: true },
        { name: "petal_count", type: "long", required: true },
        { name: "species", type: "string", required: true },
      ],
      params: [{ name: "threshold", type: "double", default: 0.5 }],
    });
  });

  it("reads a tensor signature", async () => {
    const model = await readMlflowModel(await modelFrom("sklearn-tensors"));
    expect(model.signature).toMatchObject({
      kind: "tensors",
      inputs: [{ dtype: "float32", shape: [-1, 2] }],
    });
  });

  it("reads the onnx flavor of a logged model with its run id and data file", async () => {
    const modelDir = await modelFrom("onnx", ["model.onnx"]);
    const model = await readMlflowModel(modelDir);
    expect(model.onnx).toEqual({
      data: "model.onnx",
      path: join(modelDir, "model.onnx"),
      onnxVersion: "1.17.0",
      providers: ["CUDAExecutionProvider", "CPUExecutionProvider"],
    });
    expect(model.pythonFunction?.loaderModule).toBe("mlflow.onnx");
    expect(model.runId).toBe("0f3c2a1b4d5e6f708192a3b4c5d6e7f8");
    expect(model.artifactPath).toBe("model");
    expect(model.signature).toMatchObject({ kind: "tensors", inputs: [{ name: "input", dtype: "float32" }] });
  });

  it("takes a directory holding model.onnx and no MLmodel as an ONNX model", async () => {
    await writeFile(join(dir, "model.onnx"), "");
    const model = await readMlflowModel(dir);
    expect(model.file).toBeUndefined();
    expect(model.flavorNames).toEqual(["onnx"]);
    expect(model.onnx?.path).toBe(join(dir, "model.onnx"));
  });

  it("takes an .onnx file path as an ONNX model", async () => {
    await writeFile(join(dir, "churn.onnx"), "");
    const model = await readMlflowModel(join(dir, "churn.onnx"));
    expect(model).toMatchObject({ dir, onnx: { data: "churn.onnx", path: join(dir, "churn.onnx") } });
  });

  it("names the directory when it holds neither an MLmodel nor a model.onnx", async () => {
    const error = await failure(readMlflowModel(dir));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain(`${dir}: neither an MLmodel file nor a model.onnx`);
  });

  it("reports a missing model path as not existing", async () => {
    const error = await failure(readMlflowModel(join(dir, "nope")));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("names the file and line of an onnx data file that is not there", async () => {
    await writeMlmodel("flavors:\n  onnx:\n    onnx_version: 1.17.0\n    data: missing.onnx\n");
    const error = await failure(readMlflowModel(dir));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toBe(
      `${join(dir, "MLmodel")}:4: flavors.onnx.data names 'missing.onnx', which is not a file in ${dir}`,
    );
  });

  it("refuses an onnx data path that leaves the model directory", async () => {
    await writeMlmodel("flavors:\n  onnx:\n    data: ../../etc/passwd\n");
    const error = await failure(readMlflowModel(dir));
    expect(error.message).toContain(
      "MLmodel:3: onnx.data '../../etc/passwd' must be a path inside the model directory",
    );
  });

  it("names the line of a python_function flavor without a loader module", async () => {
    await writeMlmodel("run_id: abc\nflavors:\n  python_function:\n    data: model.pkl\n");
    const error = await failure(readMlflowModel(dir));
    expect(error.message).toContain("MLmodel:3: flavors.python_function has no 'loader_module'");
  });

  it("reports a YAML syntax error with its line", async () => {
    await writeMlmodel("flavors:\n  onnx:\n    data: [model.onnx\n");
    const error = await failure(readMlflowModel(dir));
    expect(error.message).toMatch(/MLmodel:\d+: invalid YAML/);
  });

  it("requires flavors to be a mapping", async () => {
    await writeMlmodel("run_id: abc\nflavors: onnx\n");
    const error = await failure(readMlflowModel(dir));
    expect(error.message).toContain("MLmodel:2: 'flavors' must be a mapping");
  });

  it("passes the signature's location to the signature parser", async () => {
    await writeMlmodel(
      "flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: 'not json'\n  outputs: null\n",
      ["model.onnx"],
    );
    const error = await failure(readMlflowModel(dir));
    expect(error.message).toContain(`${join(dir, "MLmodel")}:4`);
    expect(error.message).toContain("signature.inputs");
  });

  it("lists flavors it does not serve by name", async () => {
    await writeMlmodel("flavors:\n  transformers:\n    task: fill-mask\n");
    const model = await readMlflowModel(dir);
    expect(model.flavorNames).toEqual(["transformers"]);
    expect(model.onnx).toBeUndefined();
    expect(model.pythonFunction).toBeUndefined();
  });
});
