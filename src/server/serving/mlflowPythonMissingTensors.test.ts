/**
 * Regression: a request lacking an input of a Python model's tensor signature was refused with FlowOps' own
 * "missing input 'b'; the model's inputs are: a, b" (an `inputs` dict) or "missing column 'b' (...)" (records,
 * dataframe_split), where MLflow's pyfunc schema enforcement answers 400 INVALID_PARAMETER_VALUE "Failed to
 * predict data '{'a': array([1.])}'. \nError: Failed to enforce schema of data '{'a': array([1.])}' with schema
 * '['a': Tensor('float64', (-1,)), 'b': Tensor('float64', (-1,))]'. Error: Model is missing inputs ['b']." Each
 * body goes through FlowOps and through the installed mlflow's `scoring_server.invocations`.
 */
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const TIMEOUT = 120_000;
const NAMES = ["one", "two", "matrix", "text"] as const;
type ModelName = (typeof NAMES)[number];

const SAVE_MODELS = `
import sys
import numpy as np
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import Schema, TensorSpec

${describeModelPython({ frameDtypes: true })}
schemas = {
    "one": Schema([TensorSpec(np.dtype("float64"), (-1,), "a")]),
    "two": Schema([TensorSpec(np.dtype("float64"), (-1,), "a"), TensorSpec(np.dtype("float64"), (-1,), "b")]),
    "matrix": Schema([TensorSpec(np.dtype("float32"), (-1, 3), "a"), TensorSpec(np.dtype("int64"), (-1,), "b")]),
    "text": Schema([TensorSpec(np.dtype("str"), (-1,), "a"), TensorSpec(np.dtype("object"), (-1,), "b")]),
}
for name, schema in schemas.items():
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=ModelSignature(inputs=schema))
`;

type Case = [model: ModelName, body: string];

const CASES: Record<string, Case> = {
  "inputs dict of an unknown tensor": ["one", '{"inputs": {"k": [1]}}'],
  "inputs dict of fractions": ["one", '{"inputs": {"k": [1.5, 2]}}'],
  // A whole float prints as numpy's float (`array([1., 2.])`), not as an int.
  "inputs dict of whole floats": ["one", '{"inputs": {"k": [1.0, 2.0]}}'],
  "inputs dict of a whole float beside an int": ["one", '{"inputs": {"k": [1.0, 2]}}'],
  "instances object of whole floats": ["one", '{"instances": {"k": [1.0, 2.0]}}'],
  "inputs dict of whole floats for a str tensor": ["text", '{"inputs": {"a": [1.0, 2.5]}}'],
  "inputs dict of whole floats for an object tensor": ["text", '{"inputs": {"b": [2.0]}}'],
  "inputs dict lacking one of two": ["two", '{"inputs": {"a": [1]}}'],
  "inputs dict lacking one, with an extra": ["two", '{"inputs": {"a": [1], "k": [2]}}'],
  "inputs dict lacking both": ["two", '{"inputs": {"k": [2]}}'],
  "instances records lacking one": ["two", '{"instances": [{"a": 1}]}'],
  "instances records lacking both": ["two", '{"instances": [{"k": 1}]}'],
  "dataframe_split lacking one": ["two", '{"dataframe_split": {"columns": ["a"], "data": [[1]]}}'],
  dataframe_records: ["two", '{"dataframe_records": [{"a": 1}]}'],
  "inputs dict lacking a matrix": ["matrix", '{"inputs": {"b": [1]}}'],
  "inputs dict of a float32 matrix": ["matrix", '{"inputs": {"a": [[1, 2, 3], [4.5, 5, 6]]}}'],
  "instances records of matrix rows": ["matrix", '{"instances": [{"a": [1, 2, 3]}]}'],
  "dataframe_split lacking a matrix": ["matrix", '{"dataframe_split": {"columns": ["b"], "data": [[1]]}}'],
  "inputs dict of str for object tensors": ["text", '{"inputs": {"a": ["x", "yy"]}}'],
  "inputs dict of object text": ["text", '{"inputs": {"b": ["x"]}}'],
};

describe.skipIf(MLFLOW_PYTHON === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "a request missing a tensor signature's input, for a Python model as MLflow serves it",
  () => {
    declareScoringParity({
      python: MLFLOW_PYTHON,
      folder: "flowops-mlflow-missing-tensors-",
      saveModels: SAVE_MODELS,
      names: NAMES,
      cases: CASES,
      title: (label) => `answers a request missing a tensor, ${label}, as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
