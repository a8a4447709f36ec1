/**
 * Regression: a JSON object or list in a cell of a scalar column (string, double, float, long, integer, boolean) of
 * a Python model's signature was refused before the model ("row 0 column 'a' is {"k":1}, expected a string"),
 * where MLflow's scoring server casts the parsed JSON to the signature: a string column keeps the dict (or, for
 * `instances` and `inputs`, its Python text), a boolean one makes it True, and a numeric one refuses it with
 * Python's own TypeError. Each body goes through FlowOps (readMlflowRequest with the /invocations route's options
 * -> predict -> mlflowResponse, or the error it throws) and through the installed mlflow's
 * `scoring_server.invocations` with the model's input schema, and a model that describes what it is handed must
 * answer both alike.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { DynamicBatcher } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { castsObjectCells, mlflowResponse, readMlflowRequest } from "../../serving/payloads/modelInput.js";
import { loadPythonModel, type PythonLoadedModel } from "../../serving/runtimes/python.js";
import { predict } from "./prediction.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 180_000;
const TYPES = ["string", "double", "float", "long", "integer", "boolean"] as const;
type ModelName = (typeof TYPES)[number] | "pair";

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
pair = ModelSignature(inputs=Schema([ColSpec(DataType.string, "a"), ColSpec(DataType.double, "b")]))
mlflow.pyfunc.save_model(sys.argv[1] + "/pair", python_model=Describe(), signature=pair)
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
    model = models.get(path) or models.setdefault(path, mlflow.pyfunc.load_model(path))
    try:
        answer = scoring_server.invocations(body, "application/json", model, model.metadata.get_input_schema())
        answers.append({"status": answer.status, "body": json.loads(answer.response)})
    except MlflowException as error:
        answers.append({"status": error.get_http_status_code(), "body": json.loads(error.serialize_as_json())})
sys.__stdout__.write(json.dumps(answers))
`;

type Case = [model: ModelName, body: string];

/** Each format with `cell` in column a of its first row, beside an ordinary whole float where it has rows. */
const FORMATS: Record<string, (cell: string) => string> = {
  dataframe_records: (cell) => `{"dataframe_records": [{"a": ${cell}}, {"a": 1.0}]}`,
  dataframe_split: (cell) => `{"dataframe_split": {"columns": ["a"], "data": [[${cell}], [1.0]]}}`,
  "instances records": (cell) => `{"instances": [{"a": ${cell}}]}`,
  "inputs columns": (cell) => `{"inputs": {"a": [${cell}]}}`,
  "inputs records": (cell) => `{"inputs": [{"a": ${cell}}]}`,
};
const CELLS = { object: '{"k": 1}', list: "[1, 2]" };

const CASES: Record<string, Case> = {};
for (const type of TYPES) {
  for (const [format, body] of Object.entries(FORMATS)) {
    for (const [kind, cell] of Object.entries(CELLS))
      CASES[`${type}, ${format}, ${kind}`] = [type, body(cell)];
  }
}
// A column's one value: a list there is the column itself, not a cell.
for (const type of TYPES)
  CASES[`${type}, inputs of one value, object`] = [type, `{"inputs": {"a": ${CELLS.object}}}`];
Object.assign(CASES, {
  "string, dataframe_records, an object of a whole float then text": [
    "string",
    '{"dataframe_records": [{"a": {"k": 1.0}}, {"a": "x"}]}',
  ],
  "long, dataframe_records, a number then an object": [
    "long",
    '{"dataframe_records": [{"a": 1}, {"a": {"k": 1}}]}',
  ],
  "two columns, dataframe_records, an object beside a whole number": [
    "pair",
    '{"dataframe_records": [{"a": {"k": 1}, "b": 1}]}',
  ],
  "two columns, inputs columns, a list beside a whole number": [
    "pair",
    '{"inputs": {"a": [[1.0]], "b": [2]}}',
  ],
  "two columns, dataframe_split, an index": [
    "pair",
    '{"dataframe_split": {"index": [5], "columns": ["a", "b"], "data": [[[1], 2.5]]}}',
  ],
} satisfies Record<string, Case>);

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "JSON objects and lists in a Python model's scalar columns as MLflow serves them",
  () => {
    let dir = "";
    const models = new Map<ModelName, PythonLoadedModel>();
    let expected: { status: number; body: unknown }[] = [];

    beforeAll(async () => {
      if (PY === undefined)
        throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
      dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-scalar-object-cells-"));
      execFileSync(PY, ["-c", SAVE_MODELS, dir, JSON.stringify(TYPES)], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      const cases = Object.values(CASES).map(([name, body]) => [join(dir, name), body]);
      const out = execFileSync(PY, ["-c", MLFLOW_ANSWERS], {
        input: JSON.stringify({ cases }),
        stdio: ["pipe", "pipe", "pipe"],
      });
      expected = JSON.parse(out.toString("utf8")) as { status: number; body: unknown }[];
      for (const name of [...TYPES, "pair"] as const) {
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
          castsObjectCells: castsObjectCells(model),
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
        `answers ${label} as mlflow's scoring server does`,
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
