/**
 * Regression: a DataFrame (dataframe_records, dataframe_split, `instances` records) sent to a Python model whose
 * signature names no input was refused with FlowOps' own "missing column 'input'" (or '0'), where mlflow 3.17.2's
 * schema enforcement takes the frame by position: an un-named 1-D tensor takes its one column as the array (and
 * refuses several, or `instances` records' dict of arrays, in its own words), an un-named column signature casts
 * the columns in order and hands the model the frame under its own names (refusing fewer columns than it
 * declares). Each body goes through FlowOps and through the installed mlflow's `scoring_server.invocations`.
 */
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const TIMEOUT = 120_000;
const NAMES = ["tensor", "matrix", "column", "columns"] as const;
type ModelName = (typeof NAMES)[number];

const SAVE_MODELS = `
import sys
import numpy as np
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import ColSpec, DataType, Schema, TensorSpec

${describeModelPython({ frameDtypes: true })}
schemas = {
    "tensor": Schema([TensorSpec(np.dtype("float64"), (-1,))]),
    "matrix": Schema([TensorSpec(np.dtype("float64"), (-1, 2))]),
    "column": Schema([ColSpec(DataType.double)]),
    "columns": Schema([ColSpec(DataType.double), ColSpec(DataType.double)]),
}
for name, schema in schemas.items():
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=ModelSignature(inputs=schema))
`;

type Case = [model: ModelName, body: string];

const CASES: Record<string, Case> = {
  "dataframe_records of one column to a tensor": ["tensor", '{"dataframe_records": [{"a": 1}]}'],
  "dataframe_records of two rows to a tensor": ["tensor", '{"dataframe_records": [{"a": 1}, {"a": 2}]}'],
  "dataframe_records with a null to a tensor": ["tensor", '{"dataframe_records": [{"a": 1.5}, {"a": null}]}'],
  "dataframe_records of two columns to a tensor": ["tensor", '{"dataframe_records": [{"a": 1, "b": 2}]}'],
  "dataframe_split of one column to a tensor": [
    "tensor",
    '{"dataframe_split": {"columns": ["a"], "data": [[1]]}}',
  ],
  "dataframe_split of two columns to a tensor": [
    "tensor",
    '{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}}',
  ],
  "dataframe_records of two columns to a 2-D tensor": ["matrix", '{"dataframe_records": [{"a": 1, "b": 2}]}'],
  "instances records to a tensor": ["tensor", '{"instances": [{"a": 1}, {"a": 2}]}'],
  "instances records to a 2-D tensor": ["matrix", '{"instances": [{"a": 1, "b": 2}]}'],
  "a bare list to a tensor": ["tensor", '{"inputs": [1, 2]}'],
  "dataframe_records to a column": ["column", '{"dataframe_records": [{"a": 1}]}'],
  "dataframe_records of more columns than declared": ["column", '{"dataframe_records": [{"a": 1, "b": 2}]}'],
  "dataframe_split to a column": ["column", '{"dataframe_split": {"columns": ["x"], "data": [[1], [2.5]]}}'],
  "dataframe_records to two columns": ["columns", '{"dataframe_records": [{"a": 1, "b": 2}]}'],
  "dataframe_records of fewer columns than declared": ["columns", '{"dataframe_records": [{"a": 1}]}'],
  "instances records to a column": ["column", '{"instances": [{"a": 1}]}'],
  "instances records of a fraction to a column": ["column", '{"instances": [{"a": 1}, {"a": 2.5}]}'],
  "a bare list to a column": ["column", '{"inputs": [1, 2]}'],
};

describe.skipIf(MLFLOW_PYTHON === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "a DataFrame for an un-named signature, for a Python model as MLflow serves it",
  () => {
    declareScoringParity({
      python: MLFLOW_PYTHON,
      folder: "flowops-mlflow-unnamed-frames-",
      saveModels: SAVE_MODELS,
      names: NAMES,
      cases: CASES,
      title: (label) => `answers ${label} as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
