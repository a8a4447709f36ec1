/**
 * Regression: a request whose columns lack one the model's signature requires was refused with FlowOps' own
 * "missing column 'a' (the model's columns are: a)", where MLflow's pyfunc schema enforcement
 * (`_enforce_schema`) answers 400 INVALID_PARAMETER_VALUE "Failed to predict data '<data>'. \nError: Failed to
 * enforce schema of data '<data>' with schema '<schema>'. Error: Model is missing inputs ['a']. Note that there
 * were extra inputs: ['k']." Each body goes through FlowOps and through the installed mlflow's
 * `scoring_server.invocations`, and both must answer alike, in every body form.
 */
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const TIMEOUT = 120_000;
const NAMES = ["one", "three", "optional"] as const;
type ModelName = (typeof NAMES)[number];

const SAVE_MODELS = `
import sys
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import ColSpec, DataType, Schema

${describeModelPython({ frameDtypes: true })}
schemas = {
    "one": Schema([ColSpec(DataType.double, "a")]),
    "three": Schema([ColSpec(DataType.double, "a"), ColSpec(DataType.long, "b"), ColSpec(DataType.string, "c")]),
    "optional": Schema([ColSpec(DataType.double, "a"), ColSpec(DataType.double, "o", required=False)]),
}
for name, schema in schemas.items():
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=ModelSignature(inputs=schema))
`;

type Case = [model: ModelName, body: string];

const CASES: Record<string, Case> = {
  "instances records": ["one", '{"instances": [{"k": 1}]}'],
  dataframe_records: ["one", '{"dataframe_records": [{"k": 1}]}'],
  dataframe_split: ["one", '{"dataframe_split": {"columns": ["k"], "data": [[1]]}}'],
  "records with whole and fractional numbers": ["one", '{"dataframe_records": [{"k": 1}, {"k": 2.5}]}'],
  "records of text": ["one", '{"dataframe_records": [{"k": "x"}, {"k": "long text"}]}'],
  "records with a negative number and an index": [
    "one",
    '{"dataframe_split": {"columns": ["k"], "index": [7, 10], "data": [[1], [-20]]}}',
  ],
  "instances of text and floats": ["three", '{"instances": [{"a": 1, "k": "x"}, {"a": 2.5, "k": "yy"}]}'],
  "many rows": [
    "one",
    `{"dataframe_records": [${Array.from({ length: 61 }, (_, i) => `{"k": ${i / 4}}`).join(", ")}]}`,
  ],
  "several columns missing": ["three", '{"dataframe_records": [{"k": 1}]}'],
  "missing columns and no extra one": ["three", '{"dataframe_records": [{"b": 1}]}'],
  "missing and extra columns beside a present one": ["three", '{"dataframe_records": [{"a": 1, "z": 3}]}'],
  "missing with an optional column": ["optional", '{"dataframe_records": [{"k": 1}]}'],
  "only the optional column": ["optional", '{"dataframe_records": [{"o": 1}]}'],
  // An `inputs` dict is a dict of numpy arrays to MLflow, each cast to its column's type where declared.
  "inputs dict": ["one", '{"inputs": {"k": [1]}}'],
  // At most one extra key each: MLflow lists extras in a Python set's order, which differs between runs.
  "inputs dict of several keys": ["three", '{"inputs": {"a": [1, 2], "k": ["s", "long"]}}'],
  "inputs dict of floats": ["one", '{"inputs": {"k": [1.5, 2, -0.125]}}'],
  "inputs dict of whole floats": ["one", '{"inputs": {"k": [1.0, 2.0]}}'],
  "inputs dict of whole floats for a long column": ["three", '{"inputs": {"b": [1.0], "k": [1.0]}}'],
  "records of whole floats": ["one", '{"dataframe_records": [{"k": 1.0}, {"k": 2.0}]}'],
  "instances records of whole floats": ["one", '{"instances": [{"k": 1.0}]}'],
  "inputs dict of booleans": ["three", '{"inputs": {"a": [1.25, 2], "z": [true, false]}}'],
  "inputs dict of 2-D lists": ["one", '{"inputs": {"k": [[1, 2], [3, 4]]}}'],
  "inputs dict with nulls": ["three", '{"inputs": {"a": [1, null], "k": ["x", null]}}'],
  "inputs dict of text for a text column": ["three", '{"inputs": {"c": ["x", "yz"], "k": [0.5]}}'],
  "inputs dict of a long list": [
    "one",
    `{"inputs": {"k": [${Array.from({ length: 40 }, (_, i) => i * 7).join(", ")}]}}`,
  ],
  "inputs dict with declared columns present": ["three", '{"inputs": {"a": [1], "k": [2], "c": ["x"]}}'],
  "inputs dict of declared columns only": ["three", '{"inputs": {"b": [1]}}'],
  "inputs dict with the optional column only": ["optional", '{"inputs": {"o": [1]}}'],
  "inputs dict of scalars": ["one", '{"inputs": {"k": 1}}'],
  "inputs dict of unequal lengths": ["three", '{"inputs": {"a": [1], "k": [1, 2]}}'],
  "instances records with a null": ["one", '{"instances": [{"k": 1}, {"k": null}]}'],
  "instances records of a fraction for a long column": ["three", '{"instances": [{"b": 1.5, "c": "x"}]}'],
};

describe.skipIf(MLFLOW_PYTHON === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "a request missing a signature's column, for a Python model as MLflow serves it",
  () => {
    declareScoringParity({
      python: MLFLOW_PYTHON,
      folder: "flowops-mlflow-missing-columns-",
      saveModels: SAVE_MODELS,
      names: NAMES,
      cases: CASES,
      title: (label) => `answers a request missing a column, ${label}, as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
