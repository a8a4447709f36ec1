/**
 * `/invocations` with real Python models, from body to answer (mlflowRequest -> predict -> mlflowResponse), held
 * to what `mlflow models serve` 3.17.2 answered for the same models and bodies: what a model without a
 * signature is handed, how non-tensor answers (scalars, mixed lists) come back, and the error code of a model
 * that raises.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { DynamicBatcher } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { mlflowRequest, mlflowResponse } from "../../serving/payloads/modelInput.js";
import { loadPythonModel, type PythonLoadedModel } from "../../serving/runtimes/python.js";
import { predict } from "./prediction.js";
import { MLFLOW_PYTHON } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;

const SAVE_MODELS = `
import sys
import numpy as np, pandas as pd
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema

class Forms(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        if isinstance(model_input, dict):
            return {"dict:" + name: np.asarray(value) for name, value in model_input.items()}
        if isinstance(model_input, pd.DataFrame):
            return ["DataFrame:" + ",".join(str(c) for c in model_input.columns)]
        return ["ndarray" + str(list(np.shape(model_input)))]

class Answers(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        mode = (params or {}).get("mode")
        if mode == "raise":
            raise ValueError("boom from the model")
        if mode == "str":
            return "hello"
        if mode == "dict":
            return {"x": [1, 2], "y": "s"}
        return [1, "a", None, 2.5, True]

class Typed(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [repr(sorted((params or {}).items()))]

mlflow.pyfunc.save_model(sys.argv[1] + "/forms", python_model=Forms())
typed = ModelSignature(
    inputs=Schema([ColSpec("double", "a")]),
    params=ParamSchema(
        [ParamSpec("k", "long", 3), ParamSpec("ks", "long", [1], shape=(-1,)), ParamSpec("d", "double", 1.5)]
    ),
)
mlflow.pyfunc.save_model(sys.argv[1] + "/typed", python_model=Typed(), signature=typed)
signature = ModelSignature(
    inputs=Schema([ColSpec("double", "a")]), params=ParamSchema([ParamSpec("mode", "string", "mixed")])
)
mlflow.pyfunc.save_model(sys.argv[1] + "/answers", python_model=Answers(), signature=signature)
`;

describe.skipIf(PY === undefined)("/invocations with Python models, as mlflow models serve", () => {
  let dir = "";
  const models: PythonLoadedModel[] = [];
  let forms: ServedModel;
  let answers: ServedModel;
  let typed: ServedModel;
  const load = async (name: string): Promise<ServedModel> => {
    const model = await loadPythonModel(join(dir, name), { name, version: "1", python: PY!, log: () => {} });
    models.push(model);
    return { model, runner: new DynamicBatcher(model), labels: {} } as unknown as ServedModel;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-py-"));
    execFileSync(PY!, ["-c", SAVE_MODELS, dir], { stdio: ["ignore", "ignore", "pipe"] });
    [forms, answers, typed] = await Promise.all([load("forms"), load("answers"), load("typed")]);
  }, TIMEOUT);
  afterAll(async () => {
    await Promise.all(models.map((model) => model.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const invoke = async (served: ServedModel, body: unknown): Promise<unknown> =>
    invokeText(served, JSON.stringify(body));
  const invokeText = async (served: ServedModel, body: string): Promise<unknown> => {
    const request = mlflowRequest(body, "application/json");
    const outputs = await predict(served, request);
    return mlflowResponse(outputs, served.model.signature, { platform: served.model.platform, request })
      .predictions;
  };

  it(
    "hands a model without a signature numpy arrays for instances/inputs and a DataFrame for dataframe_*",
    async () => {
      // FlowOps used to turn every 1-D input into a DataFrame: `inputs: [1, 2, 3]` reached the model as a
      // DataFrame with a column named "" and came back as [{"": 1}, ...].
      expect(await invoke(forms, { inputs: [1, 2, 3] })).toEqual(["ndarray[3]"]);
      expect(await invoke(forms, { instances: ["a", "b"] })).toEqual(["ndarray[2]"]);
      // Rows of instances are one 2-D array in MLflow; FlowOps used to hand the model a dict of columns '0', '1'.
      expect(
        await invoke(forms, {
          instances: [
            [1, 2],
            [3, 4],
          ],
        }),
      ).toEqual(["ndarray[2, 2]"]);
      expect(await invoke(forms, { inputs: { a: [1, 2], b: ["x", "y"] } })).toEqual({
        "dict:a": [1, 2],
        "dict:b": ["x", "y"],
      });
      expect(await invoke(forms, { inputs: { a: [1, 2] } })).toEqual({ "dict:a": [1, 2] });
      expect(await invoke(forms, { dataframe_records: [{ a: 1 }, { a: 2 }] })).toEqual(["DataFrame:a"]);
      expect(await invoke(forms, { dataframe_split: { columns: ["p", "q"], data: [[1, 2]] } })).toEqual([
        "DataFrame:p,q",
      ]);
    },
    TIMEOUT,
  );

  it(
    "answers a scalar as the bare value and a list mixing numbers and text with each element's own type",
    async () => {
      const body = (mode: string) => ({ dataframe_records: [{ a: 1.0 }], params: { mode } });
      // MLflow: [1, "a", null, 2.5, true]; FlowOps used to answer ["1", "a", null, "2.5", "True"].
      expect(await invoke(answers, body("mixed"))).toEqual([1, "a", null, 2.5, true]);
      expect(await invoke(answers, body("str"))).toBe("hello");
      expect(await invoke(answers, body("dict"))).toEqual({ x: [1, 2], y: "s" });
    },
    TIMEOUT,
  );

  it(
    "answers an exception the model raises with error_code BAD_REQUEST (400)",
    async () => {
      const error = await invoke(answers, {
        dataframe_records: [{ a: 1.0 }],
        params: { mode: "raise" },
      }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(FlowOpsError);
      expect((error as FlowOpsError).code).toBe("BAD_REQUEST");
      expect((error as FlowOpsError).httpStatus).toBe(400);
      expect((error as FlowOpsError).message).toContain("boom from the model");
    },
    TIMEOUT,
  );

  it(
    "hands a Python model its params as json.loads reads the body, so MLflow refuses 5.0 for a long param",
    async () => {
      const records = '"dataframe_records": [{"a": 1.0}]';
      const refusal = (body: string) =>
        invokeText(typed, body).then(
          () => undefined,
          (thrown: unknown) => thrown as FlowOpsError,
        );
      // JSON.parse reads 5.0 as 5, so FlowOps used to pass an int where MLflow's server passes a float.
      const single = await refusal(`{${records}, "params": {"k": 5.0}}`);
      expect(single?.httpStatus).toBe(400);
      expect(single?.message).toContain(
        "Can not safely convert `<class 'float'>` to `DataType.long` for value `5.0`",
      );
      const listed = await refusal(`{"params": {"ks": [1, 2e0]}, ${records}}`);
      expect(listed?.message).toContain("Failed to validate type and shape for 'ks'");
      expect(await invokeText(typed, `{${records}, "params": {"k": 5, "d": 2, "ks": [4]}}`)).toEqual([
        "[('d', 2.0), ('k', 5), ('ks', [4])]",
      ]);
      expect(
        await invokeText(typed, `{"params": {"k": 1.0}, ${records}, "params": {"k": 6, "d": 2.50}}`),
      ).toEqual(["[('d', 2.5), ('k', 6), ('ks', [1])]"]);
    },
    TIMEOUT,
  );
});
