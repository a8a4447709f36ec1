/**
 * Regression: a Python model without a signature got JSON values MLflow's scoring server keeps as Python objects
 * in another form: all-null `inputs` as float NaN (MLflow: object None), booleans with nulls as 1.0/NaN (MLflow:
 * object True/None), numbers with nulls in `instances`/`inputs` as float (numpy: object 1/None), a column mixing
 * text with numbers refused with a 400 (MLflow: an object column of str and int, or numpy's str array); CSV
 * booleans as text (read_csv: bool), JSON numeric strings as numbers (pandas: str), `instances` records as a
 * DataFrame's columns (MLflow: np.array of each value's np.array, 0-d arrays beside a null), a record's missing
 * key as None (pandas: NaN), and whole floats (`1.0`) among such values as ints (Python: float). Each
 * body goes through FlowOps and through the installed mlflow's `scoring_server.invocations`, and a model that
 * prints what it is handed (dtype, Python type and repr of every element) must answer both alike.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamicBatcher } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { mlflowRequest, mlflowResponse } from "../../serving/payloads/modelInput.js";
import { loadPythonModel, type PythonLoadedModel } from "../../serving/runtimes/python.js";
import { predict } from "./prediction.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;

const SAVE_MODEL = `
import sys
import numpy as np, pandas as pd
import mlflow.pyfunc

class Cells(mlflow.pyfunc.PythonModel):
    """Each input as 'name|dtype|shape|type:repr of every element': tells None from NaN, 1 from '1' and True."""
    def predict(self, context, model_input, params=None):
        if isinstance(model_input, pd.DataFrame):
            inputs = {str(c): model_input[c] for c in model_input.columns}
        elif isinstance(model_input, dict):
            inputs = model_input
        else:
            inputs = {"array": model_input}
        return [
            f"{name}|{values.dtype}|{np.shape(values)}|"
            + ",".join(f"{type(v).__name__}:{v!r}" for v in np.asarray(values, dtype=object).ravel().tolist())
            for name, values in inputs.items()
        ]

mlflow.pyfunc.save_model(sys.argv[1], python_model=Cells())
`;

const MLFLOW_ANSWERS = `
import json, sys
import mlflow.pyfunc
from mlflow.pyfunc import scoring_server
request = json.load(sys.stdin)
model = mlflow.pyfunc.load_model(request["model"])
answers = []
for content_type, body in request["cases"]:
    answer = scoring_server.invocations(body, content_type, model, None)
    answers.append({"status": answer.status, "body": answer.response})
sys.__stdout__.write(json.dumps(answers))
`;

type Case = [contentType: string, body: string];
const json = (body: unknown): Case => ["application/json", JSON.stringify(body)];
const csv = (body: string): Case => ["text/csv", body];

const CASES: Record<string, Case> = {
  // only nulls: numpy and pandas make them an object array of None
  "inputs naming a column of only nulls": json({ inputs: { a: [null, null] } }),
  "inputs naming a column of only nulls beside numbers": json({ inputs: { a: [null, null], b: [1, 2] } }),
  "inputs as one list of only nulls": json({ inputs: [null, null] }),
  "instances of only nulls": json({ instances: [null, null] }),
  "dataframe_split with a column of only nulls": json({
    dataframe_split: { columns: ["a"], data: [[null], [null]] },
  }),
  // numbers with nulls: numpy keeps them objects, pandas makes them float64
  "inputs naming numbers with a null": json({ inputs: { a: [1, null] } }),
  "instances of numbers with a null": json({ instances: [1.5, null] }),
  "dataframe_split of numbers with a null": json({
    dataframe_split: { columns: ["a"], data: [[1], [null]] },
  }),
  // text mixed with numbers: pandas an object column of str and int, numpy a str array
  "dataframe_split mixing text and a number": json({
    dataframe_split: { columns: ["a"], data: [["x"], [1]] },
  }),
  "dataframe_records mixing text and a number": json({ dataframe_records: [{ a: "x" }, { a: 2 }] }),
  "dataframe_records mixing text, float, null and boolean": json({
    dataframe_records: [{ a: "x" }, { a: 2.5 }, { a: null }, { a: true }],
  }),
  "instances mixing text and a number": json({ instances: ["x", 1] }),
  "instances rows mixing text and numbers": json({
    instances: [
      ["x", 1],
      ["y", 2],
    ],
  }),
  "inputs naming text mixed with a number": json({ inputs: { a: ["x", 1] } }),
  "inputs as one list of text, a number and a null": json({ inputs: ["x", 1, null] }),
  "CSV with text and a number in one column": csv("a\nx\n1\n"),
  // booleans with nulls: an object array of True and None
  "dataframe_split of booleans with a null": json({
    dataframe_split: { columns: ["a"], data: [[true], [null]] },
  }),
  "dataframe_records of booleans with a null": json({ dataframe_records: [{ a: true }, { a: null }] }),
  "instances of booleans with a null": json({ instances: [true, null] }),
  "instances rows of booleans with a null": json({
    instances: [
      [true, null],
      [false, true],
    ],
  }),
  "inputs naming booleans with a null": json({ inputs: { a: [true, null] } }),
  "inputs as one list of booleans with a null": json({ inputs: [true, null] }),
  // JSON text stays text, though CSV text "True" would be a boolean
  "dataframe_split of boolean text": json({
    dataframe_split: { columns: ["a"], data: [["True"], ["False"]] },
  }),
  "CSV of a boolean and a number": csv("a\nTrue\n1\n"),
  "CSV of a boolean and text": csv("a\nTrue\nx\n"),
  "instances records mixing text and a number": json({ instances: [{ a: "x" }, { a: 1 }] }),
  "inputs rows mixing numeric text and numbers": json({
    inputs: [
      ["1", 2],
      ["3", 4],
    ],
  }),
  // CSV text as pandas.read_csv types it: true/false in any case booleans (with a gap, object True and NaN)
  "CSV of booleans": csv("a\nTrue\nFalse\n"),
  "CSV of booleans in other cases": csv("a,b\ntrue,TRUE\nFALSE,TrUe\n"),
  "CSV of a boolean and an empty field": csv("a,b\nTrue,1\n,2\n"),
  "CSV of a boolean and an NA marker": csv("a\nfalse\nNA\n"),
  "CSV of booleans with spaces, which stay text": csv("a\n True\nFalse\n"),
  "CSV of quoted booleans": csv('a\n"True"\n"False"\n'),
  // JSON strings stay text, numeric ones too
  "dataframe_split of numeric text": json({ dataframe_split: { columns: ["a"], data: [["1"], ["2.5"]] } }),
  "dataframe_split of numeric text with a null": json({
    dataframe_split: { columns: ["a"], data: [["1"], [null]] },
  }),
  "dataframe_records of numeric text": json({ dataframe_records: [{ a: "1.5" }, { a: "2" }] }),
  "instances records of numeric text": json({ instances: [{ a: "1" }, { a: "2" }] }),
  // instances records: a dict of np.array([np.array(v) for v in values]), 0-d arrays in an object column
  "instances records of text": json({ instances: [{ a: "x" }, { a: "yy" }] }),
  "instances records of text with a null": json({
    instances: [
      { a: "x", b: "p" },
      { a: null, b: "q" },
    ],
  }),
  "instances records of numbers with a null": json({ instances: [{ a: 1 }, { a: null }] }),
  "instances records of a float and a null": json({ instances: [{ a: 1.5 }, { a: null }] }),
  "instances records of booleans with a null": json({ instances: [{ a: true }, { a: null }] }),
  "instances records of only nulls": json({ instances: [{ a: null }, { a: null }] }),
  "instances records of numbers": json({ instances: [{ a: 1 }, { a: 2 }] }),
  "instances records of booleans": json({ instances: [{ a: true }, { a: false }] }),
  // dataframe_records without a key: pandas fills NaN, where a null is None
  "dataframe_records of a boolean and a missing key": json({ dataframe_records: [{ a: true }, {}] }),
  "dataframe_records of a boolean, a null and a missing key": json({
    dataframe_records: [{ a: true }, { a: null }, {}],
  }),
  "dataframe_records of text and a missing key": json({ dataframe_records: [{ a: "x" }, { a: null }, {}] }),
  "dataframe_records of a number and a missing key": json({ dataframe_records: [{ a: 1 }, {}] }),
  "dataframe_records of mixed values and a missing key": json({
    dataframe_records: [{ a: "x" }, { a: 1 }, {}],
  }),
  "dataframe_records whose first record lacks a boolean column": json({
    dataframe_records: [{ b: 1 }, { a: true, b: 2 }],
  }),
  "dataframe_records of a null and a missing key": json({ dataframe_records: [{ a: null }, {}] }),
};

/** Bodies whose whole floats (`1.0`) JSON.stringify would write as integers, written out as MLflow gets them. */
const FLOAT_CASES: Record<string, Case> = {
  "instances of text and a whole float": ["application/json", '{"instances": ["x", 1.0]}'],
  "instances of a whole float and a null": ["application/json", '{"instances": [1.0, null]}'],
  "inputs as one list of a whole float and a null": ["application/json", '{"inputs": [1.0, 2, null]}'],
  "inputs naming text and a whole float": ["application/json", '{"inputs": {"a": ["x", 1.0]}}'],
  "inputs naming a whole float, a boolean and a null": [
    "application/json",
    '{"inputs": {"a": [2.0, true, null]}}',
  ],
  "instances rows of text and whole floats": ["application/json", '{"instances": [["x", 1.0], ["y", 2]]}'],
  "dataframe_split of text and a whole float": [
    "application/json",
    '{"dataframe_split": {"columns": ["a"], "data": [["x"], [1.0]]}}',
  ],
  "dataframe_records of a boolean, a whole float and a null": [
    "application/json",
    '{"dataframe_records": [{"a": true}, {"a": 1.0}, {"a": null}]}',
  ],
  "instances records of a whole float and a null": [
    "application/json",
    '{"instances": [{"a": 1.0}, {"a": null}]}',
  ],
  "instances records of text and a whole float": [
    "application/json",
    '{"instances": [{"a": "x"}, {"a": 1.0}]}',
  ],
};

const ALL_CASES = [...Object.entries(CASES), ...Object.entries(FLOAT_CASES)];

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "untyped Python model inputs as MLflow gives them",
  () => {
    let dir = "";
    let model: PythonLoadedModel | undefined;
    let served: ServedModel | undefined;
    let expected: { status: number; body: string }[] = [];

    beforeAll(async () => {
      if (PY === undefined)
        throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
      dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-untyped-"));
      const modelDir = join(dir, "cells");
      execFileSync(PY, ["-c", SAVE_MODEL, modelDir], { stdio: ["ignore", "ignore", "pipe"] });
      const input = JSON.stringify({ model: modelDir, cases: ALL_CASES.map(([, c]) => c) });
      const out = execFileSync(PY, ["-c", MLFLOW_ANSWERS], { input, stdio: ["pipe", "pipe", "pipe"] });
      expected = JSON.parse(out.toString("utf8")) as { status: number; body: string }[];
      model = await loadPythonModel(modelDir, { name: "cells", version: "1", python: PY, log: () => {} });
      served = { model, runner: new DynamicBatcher(model), labels: {} } as unknown as ServedModel;
    }, TIMEOUT);
    afterAll(async () => {
      await model?.close();
      if (dir !== "") await rm(dir, { recursive: true, force: true });
    });

    ALL_CASES.forEach(([label, [contentType, body]], index) =>
      it(
        `answers ${label} as mlflow's scoring server does`,
        async () => {
          const answer = expected[index];
          expect(answer?.status, answer?.body).toBe(200);
          const request = mlflowRequest(body, contentType);
          const target = served as ServedModel;
          const outputs = await predict(target, request);
          const flowops = mlflowResponse(outputs, target.model.signature, {
            platform: "mlflow_pyfunc",
            request,
          });
          expect(flowops).toEqual(JSON.parse(answer?.body ?? "null"));
        },
        TIMEOUT,
      ),
    );
  },
);
