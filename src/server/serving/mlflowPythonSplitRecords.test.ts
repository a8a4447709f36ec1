/**
 * Regression: a `dataframe_split` whose flat `data` list opens with a JSON object was refused ("send each row of
 * 'data' as a list"), where pandas' DataFrame(data=..., columns=...) in MLflow's dataframe_from_parsed_json reads
 * the list as records: the named `columns` (NaN for a key no record has) or every key in first-seen order, and
 * `dict(item)`'s error for a later item that is not an object. Each body goes through FlowOps (readMlflowRequest
 * -> predict -> mlflowResponse, or the error it throws) and through the installed mlflow's
 * `scoring_server.invocations` with the model's input schema, and a model that describes what it is handed must
 * answer both alike, for a model without a signature and for typed ones.
 */
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;
const TYPES = ["double", "long", "string"] as const;
type ModelName = (typeof TYPES)[number] | "untyped";

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
mlflow.pyfunc.save_model(sys.argv[1] + "/untyped", python_model=Describe())
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
  // Regression: a named column no record holds reached a typed model as None in an object column, where pandas
  // fills it with NaN before MLflow's cast; a text column beside it stayed "object" where pandas 3 keeps "str".
  "a string column no record holds": ["string", split('[{"x": 1}]', '"columns": ["a"], ')],
  "a string column no record holds, of text records": [
    "string",
    split('[{"x": "s"}, {"x": "t"}]', '"columns": ["a"], '),
  ],
  "a double column no record holds": ["double", split('[{"x": 1}]', '"columns": ["a"], ')],
  "a string column one record lacks": ["string", split('[{"a": "x"}, {"b": 1}]', '"columns": ["a"], ')],
  "a string column of text": ["string", split('[{"a": "x"}]', '"columns": ["a"], ')],
  // Regression: dict(item) of a pair list keeps 2.0 a float, which FlowOps made the integer 2.
  "a pair list after an object, in a string column": ["string", split('[{"a": {"k": 1}}, [["a", 2.0]]]')],
};

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "dataframe_split of records for a Python model as MLflow serves it",
  () => {
    declareScoringParity({
      python: PY,
      folder: "flowops-mlflow-split-records-",
      saveModels: SAVE_MODELS,
      scriptArgument: JSON.stringify(TYPES),
      names: [...TYPES, "untyped"] as const,
      cases: CASES,
      title: (label) =>
        `answers a flat dataframe_split of records, ${label}, as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
