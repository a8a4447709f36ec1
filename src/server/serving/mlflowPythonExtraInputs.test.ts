/**
 * Regression: a dict of inputs (`inputs`, or `instances` as an object) naming an input the signature does not
 * declare was refused with FlowOps' own 400 "unknown input 'k'; the model's inputs are: a", where mlflow 3.17.2's
 * schema enforcement ignores the extra member and the model gets the declared ones alone (200); a column
 * signature first makes the whole dict a DataFrame, whose refusal (members of unequal lengths) it answers. And a
 * dict sent to a signature without input names got the same "unknown input", where MLflow answers 400
 * BAD_REQUEST "Invalid input. Failed to parse input data. This model contains an un-named  model signature ...",
 * an empty one included (FlowOps said "'inputs' is an empty dictionary"). `instances` given as an object with an
 * undeclared member that is no list of the declared length was refused with Python's "len() of unsized object",
 * where MLflow compares only the lengths of the required inputs.
 * Each body goes through FlowOps and through the installed mlflow's `scoring_server.invocations`.
 */
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const TIMEOUT = 120_000;
const NAMES = ["col", "cols", "tensor", "tensors", "unnamed", "matrix", "unnamedCol"] as const;
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
    "tensor": Schema([TensorSpec(np.dtype("float64"), (-1,), "a")]),
    "tensors": Schema([TensorSpec(np.dtype("float64"), (-1,), "a"), TensorSpec(np.dtype("float64"), (-1,), "b")]),
    "unnamed": Schema([TensorSpec(np.dtype("float64"), (-1,))]),
    "matrix": Schema([TensorSpec(np.dtype("float64"), (-1, 2))]),
    "unnamedCol": Schema([ColSpec(DataType.double)]),
}
for name, schema in schemas.items():
    mlflow.pyfunc.save_model(sys.argv[1] + "/" + name, python_model=Describe(), signature=ModelSignature(inputs=schema))
`;

type Case = [model: ModelName, body: string];

const CASES: Record<string, Case> = {
  "an extra member beside a column": ["col", '{"inputs": {"a": [1], "k": [2]}}'],
  "an extra text member beside a column": ["col", '{"inputs": {"a": [1.5, 2], "k": ["x", "y"]}}'],
  "an extra member before the columns": ["cols", '{"inputs": {"k": [1], "b": [2], "a": [3]}}'],
  "an extra 2-D member beside a column": ["col", '{"inputs": {"a": [1], "k": [[1, 2]]}}'],
  "an extra scalar beside a column": ["col", '{"inputs": {"a": [1, 2], "k": 5}}'],
  "an extra object beside a column": ["col", '{"inputs": {"a": [1], "k": {"x": 1}}}'],
  "an extra list of objects beside a column": ["col", '{"inputs": {"a": [1], "k": [{"x": 1}]}}'],
  "an extra mixed list beside a column": ["col", '{"inputs": {"a": [1, 2, 3], "k": [1, "x", null]}}'],
  "an extra member longer than the column": ["col", '{"inputs": {"a": [1], "k": [1, 2]}}'],
  "an extra mixed list longer than the column": ["col", '{"inputs": {"a": [1], "k": [1, "x", null]}}'],
  "an extra 2-D member longer than the column": ["col", '{"inputs": {"a": [1], "k": [[1, 2], [3, 4]]}}'],
  "declared columns of unequal lengths": ["cols", '{"inputs": {"a": [1], "b": [1, 2]}}'],
  "instances as an object with an extra member": ["col", '{"instances": {"a": [1], "k": ["x"]}}'],
  "an extra member beside a tensor": ["tensor", '{"inputs": {"a": [1], "k": [2]}}'],
  "an extra text member beside a tensor": ["tensor", '{"inputs": {"a": [1], "k": ["x"]}}'],
  "an extra member of another length beside a tensor": ["tensor", '{"inputs": {"a": [1], "k": [1, 2]}}'],
  "an extra object beside a tensor": ["tensor", '{"inputs": {"a": [1], "k": {"x": 1}}}'],
  "an extra mixed list beside a tensor": ["tensor", '{"inputs": {"a": [1], "k": [1, "x", null]}}'],
  "an extra member beside two tensors": ["tensors", '{"inputs": {"k": [1], "b": [2], "a": [3]}}'],
  "an extra member with params": ["tensor", '{"inputs": {"a": [1], "k": [1.0, 2.0]}, "params": {}}'],
  "instances as an object with an extra member for a tensor": [
    "tensor",
    '{"instances": {"a": [1], "k": [2]}}',
  ],
  "records with an extra key": ["tensor", '{"instances": [{"a": 1, "k": 2}]}'],
  "dataframe_records with an extra column": ["cols", '{"dataframe_records": [{"k": 3, "b": 2, "a": 1}]}'],
  "dataframe_split with an extra column": [
    "tensor",
    '{"dataframe_split": {"columns": ["a", "k"], "data": [[1, 2]]}}',
  ],
  "a dict to an un-named tensor signature": ["unnamed", '{"inputs": {"a": [1]}}'],
  "a dict of two to an un-named tensor signature": ["unnamed", '{"inputs": {"a": [1], "b": [2]}}'],
  "a dict to an un-named 2-D tensor signature": ["matrix", '{"inputs": {"a": [[1, 2]]}}'],
  "a dict to an un-named column signature": ["unnamedCol", '{"inputs": {"a": [1]}}'],
  "instances as an object to an un-named signature": ["unnamed", '{"instances": {"a": [1]}}'],
  // mlflow's parse_instances_data compares lengths of the declared members only, after its cast.
  "instances as an object with an extra object": ["col", '{"instances": {"a": [1], "k": {"x": 1}}}'],
  "instances as an object with an extra object for a tensor": [
    "tensor",
    '{"instances": {"a": [1], "k": {"x": 1}}}',
  ],
  "instances as an object with an extra longer member": ["col", '{"instances": {"a": [1], "k": [1, 2]}}'],
  "an extra object beside a tensor, and params": [
    "tensor",
    '{"inputs": {"a": [1], "k": {"x": 1}}, "params": {}}',
  ],
  "an empty dict to an un-named tensor signature": ["unnamed", '{"inputs": {}}'],
  "an empty dict to an un-named 2-D tensor signature": ["matrix", '{"inputs": {}}'],
  "an empty dict to an un-named column signature": ["unnamedCol", '{"inputs": {}}'],
  "instances as an empty object to an un-named signature": ["unnamed", '{"instances": {}}'],
  "instances as an object of one value to an un-named signature": ["unnamed", '{"instances": {"a": 1}}'],
  "an empty dict to a column signature": ["col", '{"inputs": {}}'],
  "an empty dict to a tensor signature": ["tensor", '{"inputs": {}}'],
  "instances as an empty object to a column signature": ["col", '{"instances": {}}'],
};

describe.skipIf(MLFLOW_PYTHON === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "a dict of inputs the signature does not declare, for a Python model as MLflow serves it",
  () => {
    declareScoringParity({
      python: MLFLOW_PYTHON,
      folder: "flowops-mlflow-extra-inputs-",
      saveModels: SAVE_MODELS,
      names: NAMES,
      cases: CASES,
      title: (label) => `answers ${label} as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
