/**
 * A Python model's own values (lists, dicts, object columns) answered on /invocations byte for byte as MLflow's
 * scoring server writes them (`json.dump` with its NumpyEncoder): each element keeps its Python type, so `7.0`
 * stays a float and `3` beside floats an int, ints beyond 2^53 keep every digit, lists of dicts are objects and
 * ragged lists are lists. Expected bodies observed from `mlflow models serve` 3.17.2 for the same predictions,
 * with MLflow's `, ` and `: ` separators made compact, as FlowOps writes them.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowResponse, mlflowResponseBody } from "../payloads/mlflowResponse.js";
import { tensorToJson, type Tensor } from "../tensor.js";
import { loadPythonModel, type PythonLoadedModel } from "./python.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;

/** What the model returns for `{"ret": key}`, and MLflow's answer body for it. */
const ANSWERS: Record<string, [string, string]> = {
  frameObject: [
    "pd.DataFrame({'a': pd.Series([1e16, 7.0, 1.2345678901234568e+20, 3, 'x', None, float('nan')], dtype=object)})",
    '[{"a":1e+16},{"a":7.0},{"a":1.2345678901234568e+20},{"a":3},{"a":"x"},{"a":null},{"a":NaN}]',
  ],
  seriesObject: ["pd.Series([1e16, 7, 'x'], dtype=object)", '[{"0":1e+16},{"0":7},{"0":"x"}]'],
  bigInts: ["[9007199254740993, -9007199254740995, 2.0]", "[9007199254740993,-9007199254740995,2.0]"],
  hugeInt: ["[2**70, 1.5]", "[1180591620717411303424,1.5]"],
  mixedList: ["[1e16, 1e-05, 7.0, 3]", "[1e+16,1e-05,7.0,3]"],
  numpyScalars: ["[np.float64(7.0), np.int64(3), np.float32(0.1), True]", "[7.0,3,0.10000000149011612,true]"],
  nonFinite: ["[float('nan'), float('-inf'), 1]", "[NaN,-Infinity,1]"],
  dict: ["{'b': [1e16, 2]}", '{"b":[1e+16,2]}'],
  listOfDicts: [
    "[{'a': 1.0, 'b': 'x'}, {'a': 2, 2.5: [1, 2.5], None: np.float32(0.5)}]",
    '[{"a":1.0,"b":"x"},{"a":2,"2.5":[1,2.5],"null":0.5}]',
  ],
  ragged: ["[[1e16, 1e-05, 7.0], [1e-07]]", "[[1e+16,1e-05,7.0],[1e-07]]"],
  raggedArrays: ["[np.array([1.0, 2.0]), np.array([3.0])]", "[[1.0,2.0],[3.0]]"],
  nested: ["[[1.0, 2], [3, 4.5]]", "[[1.0,2],[3,4.5]]"],
  textAndNumbers: ["[1.0, 'a', 2]", '[1.0,"a",2]'],
  frameLists: ["pd.DataFrame({'a': [[1.0, 2], [3]]})", '[{"a":[1.0,2]},{"a":[3]}]'],
  floats: ["np.array([1e16, 7.0, 1e-05])", "[1e+16,7.0,1e-05]"],
  ints: ["np.array([9007199254740993, 3])", "[9007199254740993,3]"],
};

const SAVE_MODEL = `
import sys
import numpy as np, pandas as pd
import mlflow.pyfunc

class Values(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return {${Object.entries(ANSWERS)
          .map(([key, [value]]) => `${JSON.stringify(key)}: lambda: ${value}`)
          .join(", ")}}[params["ret"]]()

from mlflow.models import infer_signature
signature = infer_signature(pd.DataFrame({"x": [1.0]}), params={"ret": "floats"})
mlflow.pyfunc.save_model(sys.argv[1], python_model=Values(), signature=signature)
`;

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)("Python model values on /invocations", () => {
  let dir = "";
  let model: PythonLoadedModel;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-pyvalues-"));
    execFileSync(PY!, ["-c", SAVE_MODEL, join(dir, "values")], { stdio: ["ignore", "ignore", "pipe"] });
    model = await loadPythonModel(join(dir, "values"), {
      name: "values",
      version: "1",
      python: PY!,
      log: () => {},
    });
  }, TIMEOUT);
  afterAll(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const input: Tensor = { name: "x", datatype: "FP64", shape: [1], data: Float64Array.of(1) };
  const infer = (ret: string) => model.infer([input], { params: { ret } });
  const body = async (ret: string) => {
    const answer = mlflowResponse(await infer(ret), model.signature, {
      platform: model.platform,
      floats: "marked",
    });
    return mlflowResponseBody(answer).toString("utf8");
  };

  it(
    "writes each answer as MLflow's scoring server does",
    async () => {
      for (const [key, [, expected]] of Object.entries(ANSWERS)) {
        expect({ key, body: await body(key) }).toEqual({ key, body: `{"predictions":${expected}}` });
      }
    },
    TIMEOUT,
  );

  it(
    "answers V2 with the same outputs: numbers as their array, ragged lists as JSON text per item",
    async () => {
      expect((await infer("mixedList")).map((t) => tensorToJson(t))).toEqual([
        { name: "predictions", datatype: "FP64", shape: [4], data: [1e16, 1e-5, 7, 3] },
      ]);
      expect((await infer("ragged")).map((t) => tensorToJson(t))).toEqual([
        { name: "predictions", datatype: "BYTES", shape: [2], data: ["[1e+16, 1e-05, 7.0]", "[1e-07]"] },
      ]);
    },
    TIMEOUT,
  );
});
