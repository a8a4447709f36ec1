/**
 * What crosses the wire to and from the real Python worker keeps its values and its numpy dtype: NaN and both
 * infinities (JSON has none of them), float32 as FP32 rather than FP64, every integer width, and a CSV body's
 * missing text cell as NaN, as pandas.read_csv reads it for MLflow.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonValues, type Tensor } from "../tensor.js";
import { loadPythonModel, workerScriptPath, type PythonLoadedModel } from "./python.js";
import { outputTensors, workerRequest } from "./pythonWire.js";
import { PythonWorkerPool } from "./pythonWorkerPool.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;
const REQUIRED = MLFLOW_PYTHON_REQUIRED;

const SAVE_MODELS = `
import sys
import numpy as np, pandas as pd
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import Schema, TensorSpec, ColSpec

class Sum(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return np.asarray(model_input, dtype=np.float32).sum(axis=-1)

mlflow.pyfunc.save_model(sys.argv[1] + "/sum32", python_model=Sum(), signature=ModelSignature(
    inputs=Schema([TensorSpec(np.dtype(np.float32), (-1, 2))]),
    outputs=Schema([TensorSpec(np.dtype(np.float32), (-1,))])))

class Kinds(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return {
            "i8": np.array([-128, 127], dtype=np.int8),
            "u16": np.array([0, 65535], dtype=np.uint16),
            "i32": np.array([-7, 2**31 - 1], dtype=np.int32),
            "u64": np.array([2**64 - 1, 0], dtype=np.uint64),
            "b": np.array([True, False]),
            "f16": np.array([np.inf, 0.5], dtype=np.float16),
            "f64": np.array([-np.inf, 0.1]),
            "big_endian": np.array([1.5, -np.inf], dtype=">f4"),
        }

mlflow.pyfunc.save_model(sys.argv[1] + "/kinds", python_model=Kinds())

class Cells(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return pd.DataFrame({c: [repr(v) for v in model_input[c]] for c in model_input.columns})

mlflow.pyfunc.save_model(sys.argv[1] + "/cells", python_model=Cells(), signature=ModelSignature(
    inputs=Schema([ColSpec("double", "x"), ColSpec("string", "city")])))
`;

describe.skipIf(PY === undefined && !REQUIRED)("values and dtypes through the real Python worker", () => {
  let dir = "";
  const opened: { close(): Promise<void> }[] = [];
  const load = async (name: string): Promise<PythonLoadedModel> => {
    const model = await loadPythonModel(join(dir, name), { name, version: "1", python: PY!, log: () => {} });
    opened.push(model);
    return model;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-pydtypes-"));
    if (PY === undefined)
      throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
    execFileSync(PY, ["-c", SAVE_MODELS, dir], { stdio: ["ignore", "ignore", "pipe"] });
  }, TIMEOUT);
  afterAll(async () => {
    await Promise.all(opened.map((model) => model.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it(
    "regression: carries +Infinity, -Infinity and NaN both ways, where all three came back as NaN",
    async () => {
      const model = await load("sum32");
      const input: Tensor = {
        name: "input",
        datatype: "FP32",
        shape: [3, 2],
        data: Float32Array.from([1e39, 1, -1e39, 1, Number.NaN, 1]),
      };
      const [output] = await model.infer([input]);
      expect(output).toMatchObject({ name: "predictions", shape: [3] });
      expect(Array.from(output?.data as Float32Array)).toEqual([Infinity, -Infinity, NaN]);
    },
    TIMEOUT,
  );

  it(
    "regression: answers a float32 output as FP32, as the model's signature says, not FP64",
    async () => {
      const model = await load("sum32");
      expect(model.outputs.map((spec) => spec.datatype)).toEqual(["FP32"]);
      const input: Tensor = {
        name: "input",
        datatype: "FP32",
        shape: [1, 2],
        data: Float32Array.from([1, 2]),
      };
      const [output] = await model.infer([input]);
      expect(output?.datatype).toBe("FP32");
      expect(output?.data).toEqual(Float32Array.from([3]));
    },
    TIMEOUT,
  );

  it(
    "keeps every numpy dtype of the outputs, with their values exact",
    async () => {
      const model = await load("kinds");
      const outputs = await model.infer([
        { name: "x", datatype: "FP64", shape: [1], data: new Float64Array(1) },
      ]);
      const byName = Object.fromEntries(outputs.map((out) => [out.name, out]));
      expect(Object.fromEntries(outputs.map((out) => [out.name, out.datatype]))).toEqual({
        i8: "INT8",
        u16: "UINT16",
        i32: "INT32",
        u64: "UINT64",
        b: "BOOL",
        f16: "FP16",
        f64: "FP64",
        big_endian: "FP32",
      });
      expect(byName.i8?.data).toEqual(Int8Array.from([-128, 127]));
      expect(byName.u16?.data).toEqual(Uint16Array.from([0, 65535]));
      expect(byName.i32?.data).toEqual(Int32Array.from([-7, 2 ** 31 - 1]));
      // 2**64 - 1 is not a JS number: only the bytes could bring it over exactly.
      expect(byName.u64?.data).toEqual(BigUint64Array.from([2n ** 64n - 1n, 0n]));
      expect(byName.b?.data).toEqual(Uint8Array.from([1, 0]));
      expect(byName.f16 && jsonValues(byName.f16)).toEqual([Infinity, 0.5]);
      expect(byName.f64?.data).toEqual(Float64Array.from([-Infinity, 0.1]));
      expect(byName.big_endian?.data).toEqual(Float32Array.from([1.5, -Infinity]));
    },
    TIMEOUT,
  );

  it(
    "hands a column model its non-finite numbers, and NaN for a missing text cell of a CSV body",
    async () => {
      const pool = await PythonWorkerPool.start(
        {
          python: PY!,
          script: workerScriptPath(),
          modelDir: join(dir, "cells"),
          startupTimeoutMs: TIMEOUT,
          log: () => {},
        },
        1,
      );
      opened.push(pool);
      const inputs: Tensor[] = [
        { name: "x", datatype: "FP64", shape: [1], data: Float64Array.from([-Infinity]) },
        { name: "city", datatype: "BYTES", shape: [1], data: [""], nulls: [0] },
      ];
      const cells = async (missingAsNaN: boolean): Promise<unknown[]> => {
        const answer = await pool.request((id) => workerRequest(id, inputs, true, { missingAsNaN }), TIMEOUT);
        if (!answer.ok) throw new Error(answer.error.message);
        return outputTensors(answer.outputs).map((out) => jsonValues(out)[0]);
      };
      // pandas.read_csv reads an empty field as NaN; dataframe_split's null stays None (MLflow 3.17.2).
      expect(await cells(true)).toEqual(["-inf", "nan"]);
      expect(await cells(false)).toEqual(["-inf", "None"]);
    },
    TIMEOUT,
  );
});
