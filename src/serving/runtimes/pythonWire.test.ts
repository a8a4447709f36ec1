import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modelRequirements, workerStartupError } from "./pythonStartupError.js";
import { outputTensors, parseWorkerMessage, predictionError, workerRequest } from "./pythonWire.js";

/** Base64 of a typed array's own bytes, as the worker's `numpy.ndarray.tobytes()` gives them. */
function bytesOf(data: ArrayBufferView): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

describe("workerRequest", () => {
  it("marks MLflow's unified LLM members, which the worker hands the model as one dict, even for a column model", () => {
    const request = workerRequest(
      2,
      [{ name: "prompt", datatype: "BYTES", shape: [], data: ["hi"], llmMember: true }],
      true,
    );
    expect(request).toEqual({
      id: 2,
      tensors: [{ name: "prompt", datatype: "BYTES", shape: [], data: ["hi"] }],
      llm_input: true,
    });
  });

  it("marks the keys of `instances` records, which the worker zips back into records to cast", () => {
    const request = workerRequest(
      4,
      [{ name: "s", datatype: "BYTES", shape: [1], data: ["x"], jsonData: ["x"], instanceRecords: true }],
      false,
      { keepDict: true },
    );
    expect(request).toEqual({
      id: 4,
      tensors: [{ name: "s", datatype: "BYTES", shape: [1], json: ["x"] }],
      instance_records: true,
      keep_dict: true,
    });
  });

  it("sends 1-D inputs of a column model as columns: numbers and BOOL as their bytes, text as JSON", () => {
    const request = workerRequest(
      3,
      [
        { name: "n", datatype: "INT64", shape: [2], data: BigInt64Array.from([1n, -2n]) },
        { name: "b", datatype: "BOOL", shape: [2], data: Uint8Array.from([1, 0]) },
        { name: "s", datatype: "BYTES", shape: [2], data: ["x", "y"] },
      ],
      true,
      { params: { k: 2 } },
    );
    expect(request).toEqual({
      id: 3,
      columns: {
        n: { datatype: "INT64", raw: bytesOf(BigInt64Array.from([1n, -2n])) },
        b: { datatype: "BOOL", raw: bytesOf(Uint8Array.from([1, 0])) },
        s: ["x", "y"],
      },
      params: { k: 2 },
    });
  });

  it("regression: sends NaN and both infinities exactly, where JSON turned them all into null", () => {
    const data = Float32Array.from([Number.POSITIVE_INFINITY, 1, Number.NEGATIVE_INFINITY, Number.NaN]);
    const [tensor] =
      workerRequest(1, [{ name: "x", datatype: "FP32", shape: [2, 2], data }], false).tensors ?? [];
    expect(tensor?.data).toBeUndefined();
    const sent = new Float32Array(Uint8Array.from(Buffer.from(tensor?.raw ?? "", "base64")).buffer);
    expect(Array.from(sent)).toEqual([Infinity, 1, -Infinity, NaN]);
  });

  it("sends only the tensor's own bytes when its data is a view into a larger buffer", () => {
    const whole = Float64Array.from([9, 1.5, -0, 9]);
    const view = whole.subarray(1, 3);
    const [tensor] =
      workerRequest(1, [{ name: "x", datatype: "FP64", shape: [2], data: view }], false).tensors ?? [];
    expect(tensor?.raw).toBe(bytesOf(Float64Array.from([1.5, -0])));
  });

  it("asks for NaN in missing text cells only when told to (a CSV body)", () => {
    const city = { name: "city", datatype: "BYTES" as const, shape: [1], data: [""], nulls: [0] };
    expect(workerRequest(1, [city], true).missing_nan).toBeUndefined();
    const csv = workerRequest(1, [city], true, { missingAsNaN: true });
    expect(csv).toMatchObject({ columns: { city: [null] }, missing_nan: true });
  });

  it("sends other inputs as flat tensors and leaves out empty params", () => {
    const request = workerRequest(
      1,
      [{ name: "x", datatype: "FP32", shape: [1, 2], data: Float32Array.from([0.5, 2]) }],
      false,
      { params: {} },
    );
    expect(request).toEqual({
      id: 1,
      tensors: [{ name: "x", datatype: "FP32", shape: [1, 2], raw: bytesOf(Float32Array.from([0.5, 2])) }],
    });
  });

  // Regression: such values went as FP64 bytes (1.0, NaN) where MLflow hands the model Python's True and None.
  it("sends values Python holds as objects as the request sent them, for numpy or pandas to type", () => {
    const objects = {
      name: "a",
      datatype: "FP64" as const,
      shape: [2],
      data: Float64Array.from([1, NaN]),
      jsonData: [true, null],
    };
    expect(workerRequest(1, [objects], true)).toEqual({ id: 1, columns: { a: [true, null] } });
    expect(workerRequest(2, [objects], false)).toEqual({
      id: 2,
      tensors: [{ name: "a", datatype: "FP64", shape: [2], json: [true, null] }],
    });
  });

  it("sends Python floats and 0-d arrays among values kept as sent as their JSON forms, NaN as null", () => {
    const held = {
      name: "a",
      datatype: "FP64" as const,
      shape: [3],
      data: Float64Array.from([1, NaN, NaN]),
      jsonData: [{ array: { float: 1 } }, { array: null }, { float: NaN }],
    };
    expect(JSON.parse(JSON.stringify(workerRequest(1, [held], false)))).toEqual({
      id: 1,
      tensors: [
        {
          name: "a",
          datatype: "FP64",
          shape: [3],
          json: [{ array: { float: 1 } }, { array: null }, { float: null }],
        },
      ],
    });
  });

  it("refuses a 2-D input for a column model, naming it", () => {
    expect(() =>
      workerRequest(1, [{ name: "x", datatype: "FP64", shape: [1, 2], data: new Float64Array(2) }], true),
    ).toThrow("input 'x': the model takes columns, so each input must be 1-D, got shape [1,2]");
  });
});

describe("outputTensors", () => {
  it("builds typed outputs and turns null floats (NaN in Python) back into NaN", () => {
    const [scores, labels, flags] = outputTensors([
      { name: "score", datatype: "FP64", shape: [3], data: [0.5, null, 1] },
      { name: "label", datatype: "INT64", shape: [2], data: [1, 0] },
      { name: "flag", datatype: "BOOL", shape: [1], data: [true] },
    ]);
    expect(Array.from(scores?.data as Float64Array)).toEqual([0.5, Number.NaN, 1]);
    expect(labels?.data).toEqual(BigInt64Array.from([1n, 0n]));
    expect(flags?.data).toEqual(Uint8Array.from([1]));
  });

  it("regression: keeps the model's dtype and NaN, +Infinity and -Infinity of outputs sent as bytes", () => {
    const [scores, counts, flags, halves] = outputTensors([
      {
        name: "s",
        datatype: "FP32",
        shape: [3],
        raw: bytesOf(Float32Array.from([Infinity, -Infinity, NaN])),
      },
      { name: "c", datatype: "INT32", shape: [1, 2], raw: bytesOf(Int32Array.from([-7, 2 ** 31 - 1])) },
      { name: "f", datatype: "BOOL", shape: [2], raw: bytesOf(Uint8Array.from([0, 1])) },
      { name: "h", datatype: "FP16", shape: [1], raw: bytesOf(Uint16Array.from([0xfc00])) },
    ]);
    expect(scores?.datatype).toBe("FP32");
    expect(scores?.data).toBeInstanceOf(Float32Array);
    expect(Array.from(scores?.data as Float32Array)).toEqual([Infinity, -Infinity, NaN]);
    expect(counts).toMatchObject({
      datatype: "INT32",
      shape: [1, 2],
      data: Int32Array.from([-7, 2 ** 31 - 1]),
    });
    expect(flags).toMatchObject({ datatype: "BOOL", data: Uint8Array.from([0, 1]) });
    expect(halves).toMatchObject({ datatype: "FP16", data: Uint16Array.from([0xfc00]) });
  });

  it("rejects output bytes that do not fill the shape exactly", () => {
    expect(() =>
      outputTensors([{ name: "p", datatype: "FP32", shape: [3], raw: bytesOf(new Float32Array(2)) }]),
    ).toThrow("Python model output 0 'p': FP32 shape of 3 elements needs 12 bytes but 8 came");
  });

  it("rejects output bytes for a BYTES tensor, whose text has no byte form on the wire", () => {
    expect(() => outputTensors([{ name: "t", datatype: "BYTES", shape: [1], raw: "YQ==" }])).toThrow(
      /Python model output 0 't': not a tensor/,
    );
  });

  it("rejects an output whose data does not fill its shape", () => {
    expect(() => outputTensors([{ name: "p", datatype: "FP64", shape: [2, 2], data: [1] }])).toThrow(
      "Python model output 0 'p': shape [2,2] holds 4 elements but data has 1",
    );
  });
});

describe("worker messages and errors", () => {
  it("rejects a frame that is not a worker message", () => {
    expect(() => parseWorkerMessage({ id: "1" })).toThrow(/unexpected message/);
  });

  it("keeps MLflow's error code for a prediction error and defaults to BAD_REQUEST, as MLflow does", () => {
    expect(predictionError({ type: "MlflowException", message: "bad", error_code: "BAD_REQUEST" }).code).toBe(
      "BAD_REQUEST",
    );
    // `mlflow models serve` 3.17.2 answers a model's own ValueError with error_code BAD_REQUEST (400).
    const error = predictionError({ type: "ValueError", message: "X has 2 features" });
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe(
      "Encountered an error while evaluating the model: ValueError: X has 2 features",
    );
  });

  it("answers an MlflowException from the model's predict with MLflow's own message", () => {
    // The worker words it as mlflow 3.17.2's scoring server: "Failed to predict data '<data>'. \nError: <message>".
    const error = predictionError({
      type: "MlflowException",
      message: "Model is missing inputs ['a'].",
      error_code: "INVALID_PARAMETER_VALUE",
      mlflow_message: "Failed to predict data '{}'. \nError: Model is missing inputs ['a'].",
    });
    expect([error.code, error.message]).toEqual([
      "INVALID_PARAMETER_VALUE",
      "Failed to predict data '{}'. \nError: Model is missing inputs ['a'].",
    ]);
  });

  it("answers a module missing at prediction time as the server's fault, naming what to install", () => {
    const error = predictionError({
      type: "ModuleNotFoundError",
      message: "No module named 'lightgbm'",
      missing_module: "lightgbm",
    });
    expect(error.code).toBe("INTERNAL_ERROR");
    expect(error.message).toContain("python -m pip install lightgbm");
  });

  it("names mlflow and the model's requirements when mlflow cannot be imported", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-pyreq-"));
    try {
      await writeFile(
        join(dir, "requirements.txt"),
        "-r base.txt\n# pinned by mlflow\nmlflow==2.22.5\nscikit-learn==1.9.1  # learner\n\ncloudpickle>=3\n",
      );
      expect(modelRequirements(dir)).toEqual(["mlflow==2.22.5", "scikit-learn==1.9.1", "cloudpickle>=3"]);
      const error = workerStartupError(
        "import_mlflow",
        { type: "ModuleNotFoundError", message: "No module named 'mlflow'", missing_module: "mlflow" },
        { python: "/usr/bin/python3", modelDir: dir },
      );
      expect(error.message).toContain(
        "`/usr/bin/python3 -m pip install mlflow==2.22.5 scikit-learn==1.9.1 'cloudpickle>=3'`",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names the model's requirements when loading the model misses a module", () => {
    const error = workerStartupError(
      "load_model",
      { type: "ModuleNotFoundError", message: "No module named 'xgboost'", missing_module: "xgboost" },
      { python: "python3", modelDir: "/no/such/model" },
    );
    expect(error.message).toContain("install the model's packages with `python3 -m pip install xgboost`");
  });
});
