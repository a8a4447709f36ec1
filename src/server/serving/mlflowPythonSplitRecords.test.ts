/**
 * Regression: a `dataframe_split` whose flat `data` list opens with a JSON object was refused ("send each row of
 * 'data' as a list"), where pandas' DataFrame(data=..., columns=...) in MLflow's dataframe_from_parsed_json reads
 * the list as records: the named `columns` (NaN for a key no record has) or every key in first-seen order, and
 * `dict(item)`'s error for a later item that is not an object. Each body goes through FlowOps (readMlflowRequest
 * -> predict -> mlflowResponse, or the error it throws) and through the installed mlflow's
 * `scoring_server.invocations` with the model's input schema, and a model that describes what it is handed must
 * answer both alike, for a model without a signature and for typed ones.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { DynamicBatcher } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { mlflowResponse, readMlflowRequest } from "../../serving/payloads/modelInput.js";
import { loadPythonModel, type PythonLoadedModel } from "../../serving/runtimes/python.js";
import { predict } from "./prediction.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;
const TYPES = ["double", "long"] as const;
type ModelName = (typeof TYPES)[number] | "untyped";

const SAVE_MODELS = `
import json, sys
import numpy as np, pandas as pd
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import ColSpec, DataType, Schema

def describe(value):
    """Containers by kind, arrays by dtype and shape, leaves by Python type and repr: tells 0-d arrays apart."""
    if isinstance(value, pd.DataFrame):
        return {"frame": {str(c): [str(value[c].dtype), describe(value[c].to_numpy())] for c in value.columns}}
    if isinstance(value, np.ndarray):
        return {"ndarray": [str(value.dtype), list(value.shape), [describe(v) for v in value.ravel().tolist()]]
                if value.dtype == object else [str(value.dtype), list(value.shape), repr(value.tolist())]}
    if isinstance(value, dict):
        return {"dict": {str(k): describe(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"list": [describe(v) for v in value]}
    return f"{type(value).__name__}:{value!r}"

class Describe(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [json.dumps(describe(model_input))]

for name in json.loads(sys.argv[2]):
    signature = ModelSignature(inputs=Schema([ColSpec(getattr(DataType, name), "a")]))
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=signature)
mlflow.pyfunc.save_model(sys.argv[1] + "/untyped", python_model=Describe())
`;

/** MLflow's answers, with the model's input schema as its scoring server passes it; errors as its handler answers. */
const MLFLOW_ANSWERS = `
import json, sys
import mlflow.pyfunc
from mlflow.exceptions import MlflowException
from mlflow.pyfunc import scoring_server
request = json.load(sys.stdin)
models = {}
answers = []
for path, body in request["cases"]:
    model = models.setdefault(path, mlflow.pyfunc.load_model(path))
    try:
        answer = scoring_server.invocations(body, "application/json", model, model.metadata.get_input_schema())
        answers.append({"status": answer.status, "body": json.loads(answer.response)})
    except MlflowException as error:
        answers.append({"status": error.get_http_status_code(), "body": json.loads(error.serialize_as_json())})
sys.__stdout__.write(json.dumps(answers))
`;

type Case = [model: ModelName, body: string];

const split = (data: string, more = ""): string => `{"dataframe_split": {${more}"data": ${data}}}`;

const CASES: Record<string, Case> = {
  "a column no record holds": ["untyped", split('[{"x": 1}]', '"columns": ["a"], ')],
  "named columns of records with unequal keys": [
    "untyped",
    split('[{"x": 1, "y": 2.0}, {"x": "s"}]', '"columns": ["x", "y"], '),
  ],
  "no columns": ["untyped", split('[{"x": 1}]')],
  "no columns, unequal keys, whole floats and an index": [
    "untyped",
    split('[{"x": 1.0}, {"y": 2}]', '"index": [7, 8], '),
  ],
  "a subset of the keys": ["untyped", split('[{"x": 1, "y": [1, 2]}, {"x": 3}]', '"columns": ["x"], ')],
  "an object then a number": ["untyped", split('[{"x": 1}, 2]', '"columns": ["a"], ')],
  "an object then a null": ["untyped", split('[{"x": 1}, null]', '"columns": ["a"], ')],
  "an object then text": ["untyped", split('[{"x": 1}, "s"]', '"columns": ["a"], ')],
  "an object then a list of a number": ["untyped", split('[{"x": 1}, [1]]', '"columns": ["a"], ')],
  "an object then a list of a pair of three": ["untyped", split('[{"x": 1}, ["abc"]]', '"columns": ["a"], ')],
  "an object then an index too short": ["untyped", split('[{"x": 1}, {"x": 2}]', '"index": [0], ')],
  "a double column": ["double", split('[{"a": 1}]', '"columns": ["a"], ')],
  "a double column, no columns": ["double", split('[{"a": 1}, {"a": 2.5}]')],
  "a long column": ["long", split('[{"a": 1}, {"a": 2, "b": "x"}]')],
};

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "dataframe_split of records for a Python model as MLflow serves it",
  () => {
    let dir = "";
    const models = new Map<ModelName, PythonLoadedModel>();
    let expected: { status: number; body: unknown }[] = [];

    beforeAll(async () => {
      if (PY === undefined)
        throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
      dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-split-records-"));
      execFileSync(PY, ["-c", SAVE_MODELS, dir, JSON.stringify(TYPES)], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      const cases = Object.values(CASES).map(([name, body]) => [join(dir, name), body]);
      const out = execFileSync(PY, ["-c", MLFLOW_ANSWERS], {
        input: JSON.stringify({ cases }),
        stdio: ["pipe", "pipe", "pipe"],
      });
      expected = JSON.parse(out.toString("utf8")) as { status: number; body: unknown }[];
      for (const name of [...TYPES, "untyped"] as const) {
        models.set(
          name,
          await loadPythonModel(join(dir, name), { name, version: "1", python: PY, log: () => {} }),
        );
      }
    }, TIMEOUT);
    afterAll(async () => {
      for (const model of models.values()) await model.close();
      if (dir !== "") await rm(dir, { recursive: true, force: true });
    });

    /** FlowOps' answer as the /invocations route gives it: status and body, or the error's status and JSON. */
    async function flowopsAnswer([name, body]: Case): Promise<{ status: number; body: unknown }> {
      const model = models.get(name) as PythonLoadedModel;
      const served = { model, runner: new DynamicBatcher(model), labels: {} } as unknown as ServedModel;
      try {
        const request = await readMlflowRequest(Buffer.from(body, "utf8"), "application/json", {
          typedInputs: model.inputs.length > 0,
        });
        const outputs = await predict(served, request);
        const answer = mlflowResponse(outputs, model.signature, { platform: "mlflow_pyfunc", request });
        return { status: 200, body: { predictions: answer.predictions } };
      } catch (error) {
        if (!(error instanceof FlowOpsError)) throw error;
        return { status: error.httpStatus, body: { error_code: error.code, message: error.message } };
      }
    }

    Object.entries(CASES).forEach(([label, body], index) =>
      it(
        `answers a flat dataframe_split of records, ${label}, as mlflow's scoring server does`,
        async () => {
          const answer = expected[index];
          const mlflow =
            answer === undefined || answer.status === 200
              ? answer
              : { status: answer.status, body: errorFields(answer.body) };
          expect(await flowopsAnswer(body)).toEqual(mlflow);
        },
        TIMEOUT,
      ),
    );
  },
);

/** The fields of MLflow's error JSON that FlowOps' MLflow errors carry too (it adds sqlstate and error_class). */
function errorFields(body: unknown): unknown {
  const { error_code: code, message } = body as { error_code: unknown; message: unknown };
  return { error_code: code, message };
}
