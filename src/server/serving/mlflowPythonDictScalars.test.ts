/**
 * Regression: an `inputs` (or `instances`) dict whose member is one value rather than a list, sent to a Python
 * model with a column signature, was refused with FlowOps' own "input 'a': shape [] does not match [-1]", where
 * mlflow 3.17.2's scoring server casts it to a numpy scalar and builds the DataFrame of the dict (one row, or the
 * value repeated beside a list), answering 200; an undeclared one stays a 0-d array, which pandas refuses with
 * "If using all scalar values, you must pass an index". And a string column's numbers sent in such a dict
 * reached the model as FlowOps' float64 text ('1.0' for `[1, 2.5]`, 9007199254740992.0 for 2^53 + 1), where
 * MLflow's np.array(value, str) writes each Python number as sent ('1', '2.5', every digit). Each body goes
 * through FlowOps and through the installed mlflow's `scoring_server.invocations`.
 */
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const TIMEOUT = 120_000;
const NAMES = ["col", "cols", "long", "text", "textAndDouble", "tensor"] as const;
type ModelName = (typeof NAMES)[number];

const SAVE_MODELS = `
import sys
import numpy as np
import mlflow.pyfunc
from mlflow.models import ModelSignature
from mlflow.types.schema import ColSpec, DataType, Schema, TensorSpec

${describeModelPython({ frameDtypes: true })}
schemas = {
    "col": Schema([ColSpec(DataType.double, "a")]),
    "cols": Schema([ColSpec(DataType.double, "a"), ColSpec(DataType.long, "b")]),
    "long": Schema([ColSpec(DataType.long, "a")]),
    "text": Schema([ColSpec(DataType.string, "s")]),
    "textAndDouble": Schema([ColSpec(DataType.string, "s"), ColSpec(DataType.double, "a")]),
    "tensor": Schema([TensorSpec(np.dtype("float64"), (-1,), "a")]),
}
for name, schema in schemas.items():
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=ModelSignature(inputs=schema))
`;

type Case = [model: ModelName, body: string];

const CASES: Record<string, Case> = {
  "one whole number": ["col", '{"inputs": {"a": 1}}'],
  "one fraction": ["col", '{"inputs": {"a": 1.5}}'],
  "one boolean for a double column": ["col", '{"inputs": {"a": true}}'],
  "one text value for a double column": ["col", '{"inputs": {"a": "x"}}'],
  "one fraction for a long column": ["long", '{"inputs": {"a": 1.5}}'],
  "one value per column": ["cols", '{"inputs": {"a": 1, "b": 2}}'],
  "one value beside a list of one": ["cols", '{"inputs": {"a": 1, "b": [2]}}'],
  "one value beside a longer list": ["cols", '{"inputs": {"a": 1, "b": [2, 3]}}'],
  "one value beside an undeclared one": ["col", '{"inputs": {"a": 1, "k": 2}}'],
  "one value beside an undeclared list": ["col", '{"inputs": {"a": 1, "k": [2]}}'],
  "one text value": ["text", '{"inputs": {"s": "x"}}'],
  "one null for a text column": ["text", '{"inputs": {"s": null}}'],
  "instances as an object of one value": ["col", '{"instances": {"a": 1}}'],
  "instances as an object of one value beside a longer list": ["col", '{"instances": {"a": 1, "k": [1, 2]}}'],
  "instances as an object of declared lists of unequal lengths": [
    "cols",
    '{"instances": {"a": [1], "b": [1, 2]}}',
  ],
  "instances as an object of one value for a tensor": ["tensor", '{"instances": {"a": 1}}'],
  "instances as an object with an undeclared value for a tensor": [
    "tensor",
    '{"instances": {"a": [1], "k": 1}}',
  ],
  "whole numbers and fractions for a text column": ["text", '{"inputs": {"s": [1, 2.5]}}'],
  "a whole float and a whole number for a text column": ["text", '{"inputs": {"s": [1.0, 2]}}'],
  "whole numbers, a fraction and a null for a text column": ["text", '{"inputs": {"s": [1, 2.5, null]}}'],
  "a number past 2^53 for a text column": ["text", '{"inputs": {"s": [9007199254740993, 1]}}'],
  "a number past 2^53 and a fraction for a text column": [
    "text",
    '{"inputs": {"s": [9007199254740993, 2.5]}}',
  ],
  "a number past 2^63 for a text column": ["text", '{"inputs": {"s": [12345678901234567890, 1]}}'],
  "a nested list of numbers for a text column": ["text", '{"inputs": {"s": [[1, 2.5]]}}'],
  "one whole float for a text column": ["text", '{"inputs": {"s": 2.0}}'],
  "a bare list of numbers for a text column": ["text", '{"inputs": [1, 2.5]}'],
  "instances as an object of numbers for a text column": ["text", '{"instances": {"s": [1, 2.5]}}'],
  "numbers for a text column beside a double one": [
    "textAndDouble",
    '{"inputs": {"s": [1, 2.5], "a": [9007199254740993, 2]}}',
  ],
  "text beside a double column past 2^53": [
    "textAndDouble",
    '{"inputs": {"s": ["x", "y"], "a": [9007199254740993, 2.5]}}',
  ],
};

describe.skipIf(MLFLOW_PYTHON === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "single values and numbers for text in a dict of inputs, for a Python model as MLflow serves it",
  () => {
    declareScoringParity({
      python: MLFLOW_PYTHON,
      folder: "flowops-mlflow-dict-scalars-",
      saveModels: SAVE_MODELS,
      names: NAMES,
      cases: CASES,
      title: (label) => `answers ${label} as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
