/**
 * The harness of the tests that hold FlowOps' `/invocations` to MLflow's own scoring server, case by case: a
 * Python model that describes what it is handed, MLflow's answers from `scoring_server.invocations` (or the
 * MlflowException its HTTP handler turns into a status and JSON), and FlowOps' answer for the same body as the
 * route gives it. Comparing against the installed mlflow, not against recorded answers, keeps the tests true
 * when the pinned mlflow moves.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FlowOpsError } from "../../src/errors.js";
import { DynamicBatcher } from "../../src/serving/dynamicBatcher.js";
import type { ServedModel } from "../../src/serving/modelSet.js";
import {
  castsObjectCells,
  mlflowResponse,
  readMlflowRequest,
} from "../../src/serving/payloads/modelInput.js";
import { loadPythonModel, type PythonLoadedModel } from "../../src/serving/runtimes/python.js";
import { predict } from "../../src/server/serving/prediction.js";

/** A status and a JSON body, as the `/invocations` route answers. */
export interface ScoringAnswer {
  status: number;
  body: unknown;
}

/**
 * Python source defining `describe(value)` and the pyfunc `Describe`, whose prediction is that description:
 * containers by kind, arrays by dtype and shape, leaves by Python type and repr, so 0-d arrays and object columns
 * are told apart. `frameDtypes` adds each DataFrame column's pandas dtype.
 */
export function describeModelPython({ frameDtypes }: { frameDtypes: boolean }): string {
  const column = frameDtypes
    ? "[str(value[c].dtype), describe(value[c].to_numpy())]"
    : "describe(value[c].to_numpy())";
  return `
import json
import numpy as np, pandas as pd
import mlflow.pyfunc

def describe(value):
    if isinstance(value, pd.DataFrame):
        return {"frame": {str(c): ${column} for c in value.columns}}
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
`;
}

/** MLflow's answers to JSON bodies, each for the model saved at its path, with that model's input schema. */
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

/** MLflow's answer to each `[model path, JSON body]` case, in order. */
export function mlflowScoringAnswers(python: string, cases: [string, string][]): ScoringAnswer[] {
  const out = execFileSync(python, ["-c", MLFLOW_ANSWERS], {
    input: JSON.stringify({ cases }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  return JSON.parse(out.toString("utf8")) as ScoringAnswer[];
}

/**
 * MLflow's answer in the fields FlowOps' answer carries: an error keeps its status, error_code and message
 * (FlowOps adds sqlstate and error_class to its MLflow errors).
 */
export function comparableMlflowAnswer(answer: ScoringAnswer | undefined): ScoringAnswer | undefined {
  if (answer === undefined || answer.status === 200) return answer;
  const { error_code: code, message } = answer.body as { error_code: unknown; message: unknown };
  return { status: answer.status, body: { error_code: code, message } };
}

/**
 * FlowOps' answer as the `/invocations` route gives it for a JSON (or other `contentType`) body: status and
 * body, unwrapped where the route unwraps (MLflow's unified LLM body), or the error's status and JSON.
 */
export async function flowopsScoringAnswer(
  model: PythonLoadedModel,
  body: Buffer | string,
  contentType = "application/json",
): Promise<ScoringAnswer> {
  const served = { model, runner: new DynamicBatcher(model), labels: {} } as unknown as ServedModel;
  try {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const request = await readMlflowRequest(bytes, contentType, {
      typedInputs: model.inputs.length > 0,
      castsObjectCells: castsObjectCells(model),
    });
    const outputs = await predict(served, request);
    const answer = mlflowResponse(outputs, model.signature, { platform: "mlflow_pyfunc", request });
    return {
      status: 200,
      body: answer.unwrapped === true ? answer.predictions : { predictions: answer.predictions },
    };
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    return { status: error.httpStatus, body: { error_code: error.code, message: error.message } };
  }
}

/** One parity suite: models saved by a Python script, and JSON bodies each sent to one of them. */
export interface ScoringParitySuite<Name extends string> {
  /** The mlflow venv's python; the suite is declared only where it is present (or required). */
  python: string | undefined;
  /** Prefix of the temporary folder the models are saved in. */
  folder: string;
  /** Python that saves each model under `sys.argv[1] + "/" + name`; `sys.argv[2]` is `scriptArgument`. */
  saveModels: string;
  scriptArgument?: string;
  names: readonly Name[];
  /** Test label -> [model name, JSON body]. */
  cases: Record<string, [Name, string]>;
  title: (label: string) => string;
  timeout: number;
}

/**
 * Declares, inside a `describe`, the set-up that saves the models and asks mlflow for its answers, and one test
 * per case requiring FlowOps' answer to equal mlflow's. Returns the loaded models for the suite's other tests.
 */
export function declareScoringParity<Name extends string>(
  suite: ScoringParitySuite<Name>,
): ReadonlyMap<Name, PythonLoadedModel> {
  let dir = "";
  const models = new Map<Name, PythonLoadedModel>();
  let expected: ScoringAnswer[] = [];
  beforeAll(async () => {
    const python = suite.python;
    if (python === undefined)
      throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
    dir = await mkdtemp(join(tmpdir(), suite.folder));
    const args = suite.scriptArgument === undefined ? [] : [suite.scriptArgument];
    execFileSync(python, ["-c", suite.saveModels, dir, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    const cases = Object.values(suite.cases).map(([name, body]): [string, string] => [join(dir, name), body]);
    expected = mlflowScoringAnswers(python, cases);
    for (const name of suite.names) {
      const model = await loadPythonModel(join(dir, name), { name, version: "1", python, log: () => {} });
      models.set(name, model);
    }
  }, suite.timeout);
  afterAll(async () => {
    for (const model of models.values()) await model.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });
  Object.entries(suite.cases).forEach(([label, [name, body]], index) =>
    it(
      suite.title(label),
      async () => {
        const model = models.get(name) as PythonLoadedModel;
        expect(await flowopsScoringAnswer(model, body)).toEqual(comparableMlflowAnswer(expected[index]));
      },
      suite.timeout,
    ),
  );
  return models;
}
