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
import { loadPythonModel, type PythonLoadedModel } from "../../serving/runtimes/python.js";
import {
  comparableMlflowAnswer,
  describeModelPython,
  flowopsScoringAnswer,
  mlflowScoringAnswers,
  type ScoringAnswer,
} from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 180_000;
const TYPES = ["string", "double", "float", "long", "integer", "boolean"] as const;
type ModelName = (typeof TYPES)[number] | "pair";

const DESCRIBE = describeModelPython({ frameDtypes: true });

const SAVE_MODELS = `
import json, sys
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import ColSpec, DataType, Schema

${DESCRIBE}
for name in json.loads(sys.argv[2]):
    signature = ModelSignature(inputs=Schema([ColSpec(getattr(DataType, name), "a")]))
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=signature)
pair = ModelSignature(inputs=Schema([ColSpec(DataType.string, "a"), ColSpec(DataType.double, "b")]))
mlflow.pyfunc.save_model(sys.argv[1] + "/pair", python_model=Describe(), signature=pair)
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
    let expected: ScoringAnswer[] = [];

    beforeAll(async () => {
      if (PY === undefined)
        throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
      dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-scalar-object-cells-"));
      execFileSync(PY, ["-c", SAVE_MODELS, dir, JSON.stringify(TYPES)], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      expected = mlflowScoringAnswers(
        PY,
        Object.values(CASES).map(([name, body]) => [join(dir, name), body]),
      );
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

    Object.entries(CASES).forEach(([label, body], index) =>
      it(
        `answers ${label} as mlflow's scoring server does`,
        async () => {
          const [name, text] = body;
          const model = models.get(name) as PythonLoadedModel;
          expect(await flowopsScoringAnswer(model, text)).toEqual(comparableMlflowAnswer(expected[index]));
        },
        TIMEOUT,
      ),
    );
  },
);
