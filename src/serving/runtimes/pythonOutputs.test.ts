/**
 * What a Python model returns, as MLflow's scoring server answers it on /invocations
 * (`predictions_to_json` -> `_get_jsonable_obj(..., pandas_orient="records")`): a DataFrame or a Series as
 * records, and a missing value in a text column as null, never the text "None".
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowResponse } from "../payloads/mlflowResponse.js";
import { tensorToJson, type Tensor } from "../tensor.js";
import { loadPythonModel, type PythonLoadedModel } from "./python.js";
import { MLFLOW_PYTHON } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;

const SAVE_MODEL = `
import sys
import numpy as np, pandas as pd
import mlflow.pyfunc

class Shapes(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        kind = (params or {}).get("ret", "df")
        n = len(model_input)
        if kind == "df":
            return pd.DataFrame({"i": np.arange(n), "t": ["q"] * n})
        if kind == "series":
            return pd.Series(np.arange(n) * 1.5, name="score")
        if kind == "unnamed":
            return pd.Series(np.arange(n))
        if kind == "index":
            return pd.DataFrame({"idx": [str(i) for i in model_input.index]})
        if kind == "none":
            return pd.DataFrame({"v": [float("nan")] * n, "w": [None] * n, "s": ["x"] * n})
        return np.arange(n)

from mlflow.models import infer_signature
signature = infer_signature(pd.DataFrame({"x": [1.0]}), params={"ret": "df"})
mlflow.pyfunc.save_model(sys.argv[1], python_model=Shapes(), signature=signature)
`;

describe.skipIf(PY === undefined)("Python model outputs on /invocations", () => {
  let dir = "";
  let model: PythonLoadedModel;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-pyout-"));
    execFileSync(PY!, ["-c", SAVE_MODEL, join(dir, "shapes")], { stdio: ["ignore", "ignore", "pipe"] });
    model = await loadPythonModel(join(dir, "shapes"), {
      name: "shapes",
      version: "1",
      python: PY!,
      log: () => {},
    });
  }, TIMEOUT);
  afterAll(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const input: Tensor = { name: "x", datatype: "FP64", shape: [2], data: Float64Array.of(1, 2) };
  const predictions = async (ret: string) =>
    mlflowResponse(await model.infer([input], { params: { ret } }), model.signature, {
      platform: model.platform,
    }).predictions;

  it(
    "answers a DataFrame and a Series as records, an unnamed Series under column 0",
    async () => {
      // Observed from `mlflow models serve` 3.17.2 for the same model.
      expect(await predictions("df")).toEqual([
        { i: 0, t: "q" },
        { i: 1, t: "q" },
      ]);
      expect(await predictions("series")).toEqual([{ score: 0 }, { score: 1.5 }]);
      expect(await predictions("unnamed")).toEqual([{ "0": 0 }, { "0": 1 }]);
      expect(await predictions("array")).toEqual([0, 1]);
    },
    TIMEOUT,
  );

  it(
    "gives the model the rows' dataframe_split index, as MLflow builds the frame with orient='split'",
    async () => {
      const outputs = await model.infer([input], { params: { ret: "index" }, index: [10, 20] });
      expect(mlflowResponse(outputs, model.signature, { platform: model.platform }).predictions).toEqual([
        { idx: "10" },
        { idx: "20" },
      ]);
      expect(await predictions("index")).toEqual([{ idx: "0" }, { idx: "1" }]);
    },
    TIMEOUT,
  );

  it("knows the MLflow version its worker runs, for the scoring server's /version", () => {
    expect(model.mlflowVersion).toMatch(/^[23]\.\d+\.\d+/);
  });

  it(
    "answers a missing text value as null, in V2 JSON too",
    async () => {
      expect(await predictions("none")).toEqual([
        { v: NaN, w: null, s: "x" },
        { v: NaN, w: null, s: "x" },
      ]);
      const outputs = await model.infer([input], { params: { ret: "none" } });
      expect(outputs.map((t) => t.name)).toEqual(["v", "w", "s"]);
      expect(tensorToJson(outputs[1]!).data).toEqual([null, null]);
      expect(tensorToJson(outputs[2]!).data).toEqual(["x", "x"]);
    },
    TIMEOUT,
  );
});
