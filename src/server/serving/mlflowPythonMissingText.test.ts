/**
 * Regression: a model without a signature was refused any text column holding a null ("column 'text' mixes
 * strings with numbers or booleans"), on every /invocations form and in `flowops predict`, where MLflow hands
 * the model str and None (NaN from CSV). Each body goes through FlowOps (mlflowRequest -> predict ->
 * mlflowResponse) and through the installed mlflow's own scoring code (`scoring_server.invocations`, what
 * `mlflow models serve` runs per request; `_predict`, what `mlflow models predict` runs), and the two answers
 * must be equal, so the expectations follow whichever pandas the venv has (pandas 2 keeps None in an object
 * column, pandas 3 makes it NaN in a str column).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchPredict } from "../../serving/batchPredict.js";
import { DynamicBatcher } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { mlflowRequest, mlflowResponse } from "../../serving/payloads/modelInput.js";
import { loadPythonModel, type PythonLoadedModel } from "../../serving/runtimes/python.js";
import { openTable } from "../../tables/openTable.js";
import { predict } from "./prediction.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;
const REQUIRED = MLFLOW_PYTHON_REQUIRED;

const SAVE_MODELS = `
import sys
import numpy as np, pandas as pd
import mlflow.pyfunc, mlflow.sklearn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

class Cells(mlflow.pyfunc.PythonModel):
    """Each input as 'name|dtype|repr of every element': tells None from NaN and object from float64."""
    def predict(self, context, model_input, params=None):
        if isinstance(model_input, pd.DataFrame):
            inputs = {str(c): model_input[c] for c in model_input.columns}
        elif isinstance(model_input, dict):
            inputs = model_input
        else:
            inputs = {"array": model_input}
        return [
            f"{name}|{values.dtype}|" + ",".join(repr(v) for v in np.asarray(values, dtype=object).ravel().tolist())
            for name, values in inputs.items()
        ]

def text_length(frame):
    return frame["text"].fillna("").str.len().to_numpy(dtype=float).reshape(-1, 1)

mlflow.pyfunc.save_model(sys.argv[1] + "/cells", python_model=Cells())
pipeline = Pipeline([
    ("features", ColumnTransformer([("length", FunctionTransformer(text_length), ["text"])])),
    ("regression", LinearRegression()),
])
pipeline.fit(pd.DataFrame({"text": ["a", "bb", None, "dddd"]}), [1.0, 2.0, 0.5, 4.0])
# cloudpickle, as mlflow 2 saves by default: skops (mlflow 3's default) refuses a function defined here.
mlflow.sklearn.save_model(pipeline, sys.argv[1] + "/sklearn", serialization_format="cloudpickle")
`;

/** MLflow's answers to {model, cases: [[content type, body]]}, by the scoring server's own request handler. */
const MLFLOW_ANSWERS = `
import json, sys
import mlflow.pyfunc
from mlflow.pyfunc import scoring_server
request = json.load(sys.stdin)
model = mlflow.pyfunc.load_model(request["model"])
schema = model.metadata.get_input_schema()
answers = []
for content_type, body in request["cases"]:
    answer = scoring_server.invocations(body, content_type, model, schema)
    answers.append({"status": answer.status, "body": answer.response})
sys.__stdout__.write(json.dumps(answers))
`;

/** What `mlflow models predict -t csv` writes for a file: {"predictions": [...]}. */
const MLFLOW_PREDICT = `
import sys
from mlflow.pyfunc import scoring_server
scoring_server._predict(sys.argv[1], sys.argv[2], sys.argv[3], "csv")
`;

type Case = [contentType: string, body: string];
const JSON_TYPE = "application/json";
const json = (body: unknown): Case => [JSON_TYPE, JSON.stringify(body)];

/**
 * Bodies for the Cells model: each form MLflow turns into a frame, an array or a dict holding missing text.
 * Left out: `instances` records, which MLflow 3.17 turns into arrays of 0-d arrays (`np.array(v)` per value) once
 * a null makes them object arrays; FlowOps hands the model the values ('a', None) instead.
 */
const CELLS_CASES: Record<string, Case> = {
  "dataframe_split with a null text cell": json({
    dataframe_split: {
      columns: ["text", "n"],
      data: [
        ["a", 1],
        [null, 2],
        ["ccc", 3],
      ],
    },
  }),
  "dataframe_records with a null text cell": json({
    dataframe_records: [
      { text: null, n: 1 },
      { text: "bb", n: 2 },
    ],
  }),
  "dataframe_records with a column of only nulls": json({ dataframe_records: [{ t: null }, { t: null }] }),
  "dataframe_split with numbers and a null": json({
    dataframe_split: { columns: ["x"], data: [[1], [null]] },
  }),
  "instances with a null string": json({ instances: ["a", null] }),
  "instances rows with a null string": json({
    instances: [
      ["a", null],
      ["b", "c"],
    ],
  }),
  "inputs as a dict with a null string": json({ inputs: { text: ["a", null], n: [1, 2] } }),
  "inputs as one list with a null string": json({ inputs: [null, "b"] }),
  "CSV with an empty text field": ["text/csv", "text,n\na,1\n,2\nccc,3\n"],
  "CSV with a column of only empty fields": ["text/csv", "t,n\n,1\n,2\n"],
};

/** Bodies for the scikit-learn pipeline; a record without the key is NaN in pandas, where a null is None. */
const SKLEARN_CASES: Record<string, Case> = {
  "dataframe_records missing a key": json({ dataframe_records: [{ text: "abc" }, {}, { text: "a" }] }),
  "dataframe_split with a null text cell": json({
    dataframe_split: { columns: ["text"], data: [["abc"], [null]] },
  }),
  "CSV with an empty text field": ["text/csv", 'text\n"abc"\n\n""\nab\n'],
};

describe.skipIf(PY === undefined && !REQUIRED)("missing text for a Python model without a signature", () => {
  let dir = "";
  const models: PythonLoadedModel[] = [];
  const served: Record<string, ServedModel> = {};
  const expected: Record<string, { status: number; body: string }[]> = {};
  const load = async (name: string): Promise<PythonLoadedModel> => {
    const model = await loadPythonModel(join(dir, name), { name, version: "1", python: PY!, log: () => {} });
    models.push(model);
    served[name] = { model, runner: new DynamicBatcher(model), labels: {} } as unknown as ServedModel;
    return model;
  };
  const mlflowAnswers = (name: string, cases: Record<string, Case>) => {
    const input = JSON.stringify({ model: join(dir, name), cases: Object.values(cases) });
    const out = execFileSync(PY!, ["-c", MLFLOW_ANSWERS], { input, stdio: ["pipe", "pipe", "pipe"] });
    return JSON.parse(out.toString("utf8")) as { status: number; body: string }[];
  };

  beforeAll(async () => {
    if (PY === undefined)
      throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
    dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-missing-text-"));
    execFileSync(PY, ["-c", SAVE_MODELS, dir], { stdio: ["ignore", "ignore", "pipe"] });
    expected.cells = mlflowAnswers("cells", CELLS_CASES);
    expected.sklearn = mlflowAnswers("sklearn", SKLEARN_CASES);
    await Promise.all([load("cells"), load("sklearn")]);
  }, TIMEOUT);
  afterAll(async () => {
    await Promise.all(models.map((model) => model.close()));
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  const invoke = async (name: string, [contentType, body]: Case): Promise<unknown> => {
    const model = served[name] as ServedModel;
    const request = mlflowRequest(body, contentType);
    const outputs = await predict(model, request);
    return mlflowResponse(outputs, model.model.signature, { platform: model.model.platform, request });
  };

  const compare = (name: string, cases: Record<string, Case>) =>
    Object.keys(cases).forEach((label, index) =>
      it(
        `answers ${label} as mlflow's scoring server does`,
        async () => {
          const answer = expected[name]?.[index];
          expect(answer?.status, answer?.body).toBe(200);
          expect(await invoke(name, cases[label] as Case)).toEqual(JSON.parse(answer?.body ?? "null"));
        },
        TIMEOUT,
      ),
    );

  describe("a pyfunc model that shows what it is handed", () => compare("cells", CELLS_CASES));
  describe("a scikit-learn pipeline with a text-length feature", () => compare("sklearn", SKLEARN_CASES));

  it(
    "predicts a CSV file with empty text fields as mlflow models predict does",
    async () => {
      const input = join(dir, "texts.csv");
      await writeFile(input, "text,n\nabc,1\n,2\nab,3\n,4\nabcd,5\n");
      const mlflowOutput = join(dir, "mlflow.json");
      execFileSync(PY!, ["-c", MLFLOW_PREDICT, join(dir, "sklearn"), input, mlflowOutput], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      const { predictions } = JSON.parse(await readFile(mlflowOutput, "utf8")) as { predictions: number[] };
      const output = join(dir, "flowops.csv");
      const model = models.find((candidate) => candidate.name === "sklearn") as PythonLoadedModel;
      await batchPredict(model, { input: openTable(input), output, batchSize: 2 });
      const lines = (await readFile(output, "utf8")).trimEnd().split("\n").slice(1);
      expect(lines.map((line) => Number(line.split(",").at(-1)))).toEqual(predictions);
    },
    TIMEOUT,
  );
});
