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
import { describe } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
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

// Regression: a number, boolean or null in a string column was refused ("datatype INT64 cannot be converted to
// the model's BYTES") or typed as FlowOps reads it, where MLflow's convert_data_type writes each as Python text
// for `inputs` and `instances` (np.array(data, str): '1', '2.0', 'True', 'None') and a DataFrame's astype(object)
// keeps the number json.loads made; text pandas 3 holds as "str" stayed "object".
const TEXT_CELLS: Record<string, string> = {
  integers: "[1, 2]",
  floats: "[1.5, 2.0]",
  booleans: "[true, false]",
  "a null and text": '[null, "x"]',
  "a number and text": '[1, "x"]',
  "a boolean and a number": "[true, 1]",
  "only nulls": "[null, null]",
  text: '["x", "y"]',
};
for (const [kind, cells] of Object.entries(TEXT_CELLS)) {
  // Spelled from the cells' own text, which JSON.stringify would not keep (2.0 as 2).
  const each = cells.slice(1, -1).split(", ");
  const recordsText = `[${each.map((cell) => `{"a": ${cell}}`).join(", ")}]`;
  const rowsText = `[${each.map((cell) => `[${cell}]`).join(", ")}]`;
  Object.assign(CASES, {
    [`string, inputs columns of ${kind}`]: ["string", `{"inputs": {"a": ${cells}}}`],
    [`string, inputs records of ${kind}`]: ["string", `{"inputs": ${recordsText}}`],
    [`string, a bare inputs list of ${kind}`]: ["string", `{"inputs": ${cells}}`],
    [`string, instances records of ${kind}`]: ["string", `{"instances": ${recordsText}}`],
    [`string, instances columns of ${kind}`]: ["string", `{"instances": {"a": ${cells}}}`],
    [`string, dataframe_records of ${kind}`]: ["string", `{"dataframe_records": ${recordsText}}`],
    [`string, dataframe_split of ${kind}`]: [
      "string",
      `{"dataframe_split": {"columns": ["a"], "data": ${rowsText}}}`,
    ],
  } satisfies Record<string, Case>);
}
Object.assign(CASES, {
  "string, inputs of one number": ["string", '{"inputs": {"a": 1}}'],
  "two columns, inputs columns, a number in the string one": ["pair", '{"inputs": {"a": [1], "b": [2]}}'],
  "two columns, dataframe_records, text beside a number": [
    "pair",
    '{"dataframe_records": [{"a": "x", "b": 1}]}',
  ],
  // Regression: a pair list after an object lost 2.0's float (json.loads' dict(item) keeps it).
  "two columns, dataframe_split, a pair list after an object": [
    "pair",
    '{"dataframe_split": {"columns": ["a", "b"], "data": [{"a": {"k": 1}, "b": 1}, [["a", 2.0], ["b", 2.0]]]}}',
  ],
  "two columns, dataframe_split, a pair list after an object, no columns": [
    "pair",
    '{"dataframe_split": {"data": [{"a": [1], "b": 1.5}, [["a", 2.0], ["b", 2]]]}}',
  ],
  "two columns, dataframe_split, a pair list after text": [
    "pair",
    '{"dataframe_split": {"data": [{"a": "x", "b": 1.5}, [["a", 2.0], ["b", 2]]]}}',
  ],
} satisfies Record<string, Case>);

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "JSON objects and lists in a Python model's scalar columns as MLflow serves them",
  () => {
    declareScoringParity({
      python: PY,
      folder: "flowops-mlflow-scalar-object-cells-",
      saveModels: SAVE_MODELS,
      scriptArgument: JSON.stringify(TYPES),
      names: [...TYPES, "pair"] as const,
      cases: CASES,
      title: (label) => `answers ${label} as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });
  },
);
