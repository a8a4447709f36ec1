/**
 * Regression: a Python model without a signature got, where MLflow 3's scoring server hands it something else,
 * `inputs` records as DataFrame-like columns (MLflow: the list of dicts itself, each value `np.array(value)`),
 * `instances` records of unequal keys padded with nulls (MLflow: each key's values alone, and a 400 when the
 * counts differ), a Parquet body's numeric text as numbers (pandas.read_parquet: str), and a 400 for `inputs`
 * holding JSON objects beside other values or inside records (MLflow: np.array's object array of dicts, or the
 * records with each such value a 0-d object array of its dict), and a 400 for JSON objects or lists in
 * `dataframe_records` / `dataframe_split` cells (pandas: an object column of the dicts and lists) and objects in
 * `instances` records or rows (np.array's object arrays; whole floats in nested `instances` lists were ints too).
 * Each body goes through
 * FlowOps (readMlflowRequest -> predict -> mlflowResponse, or the error it throws) and through the installed
 * mlflow's `scoring_server.invocations` (or the MlflowException it raises, as its HTTP handler answers it), and a
 * model that describes what it is handed, containers and 0-d arrays included, must answer both alike.
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
  type ScoringAnswer,
} from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;

const SAVE_MODEL = `
import sys

${describeModelPython({ frameDtypes: false })}
mlflow.pyfunc.save_model(sys.argv[1], python_model=Describe())
`;

/** Parquet files as pandas (or pyarrow) writes the frame (table) each Python expression builds, base64 in order. */
const WRITE_PARQUET = `
import base64, io, json, sys
import numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
files = []
for expression in json.load(sys.stdin):
    out = io.BytesIO()
    table = eval(expression)
    table.to_parquet(out) if isinstance(table, pd.DataFrame) else pq.write_table(table, out)
    files.append(base64.b64encode(out.getvalue()).decode("ascii"))
sys.__stdout__.write(json.dumps(files))
`;

/** MLflow's answers; an MlflowException as the scoring server's HTTP handler answers it (status and JSON). */
const MLFLOW_ANSWERS = `
import base64, json, sys
import mlflow.pyfunc
from mlflow.exceptions import MlflowException
from mlflow.pyfunc import scoring_server
request = json.load(sys.stdin)
model = mlflow.pyfunc.load_model(request["model"])
answers = []
for content_type, body in request["cases"]:
    data = base64.b64decode(body) if content_type == "${"application/vnd.apache.parquet"}" else body
    try:
        answer = scoring_server.invocations(data, content_type, model, None)
        answers.append({"status": answer.status, "body": json.loads(answer.response)})
    except MlflowException as error:
        answers.append({"status": error.get_http_status_code(), "body": json.loads(error.serialize_as_json())})
sys.__stdout__.write(json.dumps(answers))
`;

const PARQUET = "application/vnd.apache.parquet";

/**
 * Refused by both, numpy's message ("setting an array element with a sequence ... inhomogeneous shape") against
 * FlowOps' own one naming the ragged list, as for any ragged `inputs`: status and error code must agree.
 */
const REFUSED_ALIKE = new Set([
  "inputs a record then a list",
  "inputs a list then a record",
  "instances records of a list then an object",
  "instances records of an object then a list",
]);

type Case = [contentType: string, body: string];
const json = (body: string): Case => ["application/json", body];

/** JSON bodies, written out as sent: whole floats (`1.0`) must reach both servers as floats. */
const JSON_CASES: Record<string, Case> = {
  // inputs records: MLflow's _cast_schema_type keeps the list and makes each value np.array(value)
  "inputs records of numbers and text": json('{"inputs": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}'),
  "inputs records of a whole float, a null, a boolean and unequal keys": json(
    '{"inputs": [{"a": 1.0, "b": null}, {"a": true}]}',
  ),
  "inputs records mixing numeric text and numbers": json('{"inputs": [{"a": "1"}, {"a": 2.5}]}'),
  "inputs records of lists": json('{"inputs": [{"a": [1, 2]}, {"a": [[1.5], [2.0]]}, {"a": []}]}'),
  "inputs records of lists with a null or text": json('{"inputs": [{"a": [1, null]}, {"a": ["x", 1]}]}'),
  "inputs records of whole floats and text in lists": json(
    '{"inputs": [{"a": [1.0, 2], "b": ["x", "yy"]}, {"a": [3, 4], "b": ["z", null]}]}',
  ),
  "inputs records whose keys come in different orders": json(
    '{"inputs": [{"b": 1, "a": 2}, {"a": 3, "b": 4}]}',
  ),
  "inputs records of only nulls": json('{"inputs": [{"a": null}, {"b": null}]}'),
  "inputs records, one of them empty": json('{"inputs": [{"a": 1}, {}]}'),
  // JSON objects: json.loads' dicts (whole floats and huge integers kept) in numpy's object arrays
  "inputs records holding an object": json('{"inputs": [{"a": {"k": 1}, "b": 2}]}'),
  "inputs records holding objects of whole floats and text": json(
    '{"inputs": [{"a": {"k": 1}, "b": 2}, {"a": {"k": 2.0, "j": "x"}, "b": 3}]}',
  ),
  "inputs records holding an empty object": json('{"inputs": [{"a": {}}]}'),
  "inputs records holding lists with objects": json(
    '{"inputs": [{"a": [{"k": 1}]}, {"a": [1, {"k": [1.0]}]}]}',
  ),
  "inputs records holding nested objects with a __proto__ key": json(
    '{"inputs": [{"a": {"__proto__": 1, "b": [1.0, {"c": 2.0}]}}, {"a": null}]}',
  ),
  "inputs a record then a number": json('{"inputs": [{"a": 1}, 3]}'),
  "inputs a record then text, then null": json('{"inputs": [{"a": 1}, "x", null]}'),
  "inputs a number then a record": json('{"inputs": [3, {"a": 1}]}'),
  "inputs an object among whole floats, booleans and huge integers": json(
    '{"inputs": [{"a": {"k": 123456789012345678901}}, 3.0, true, null, 18446744073709551615]}',
  ),
  "inputs rows holding an object": json('{"inputs": [[{"k": 1}, 2], ["x", {}]]}'),
  "inputs named tensors holding objects": json('{"inputs": {"a": {"k": 1.0}, "b": [{"k": 1}, 2]}}'),
  "instances a number then a record": json('{"instances": [3, {"a": 1}]}'),
  // numpy cannot shape a list mixing records with lists: both refuse (messages differ, see REFUSED_ALIKE)
  "inputs a record then a list": json('{"inputs": [{"a": 1}, [1, 2]]}'),
  "inputs a list then a record": json('{"inputs": [[1, 2], {"a": 1}]}'),
  "instances records of a list then an object": json('{"instances": [{"a": [1, 2]}, {"a": {"k": 1}}]}'),
  "instances records of an object then a list": json('{"instances": [{"a": {"k": 1}}, {"a": [1, 2]}]}'),
  // instances records: MLflow collects each key's values alone and refuses columns of different lengths
  "instances records of unequal keys": json('{"instances": [{"a": 1, "b": 2}, {"a": 3}]}'),
  "instances records whose later record adds a key": json('{"instances": [{"a": 1}, {"a": 3, "b": 4}]}'),
  "instances records of three with one short": json(
    '{"instances": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3}]}',
  ),
  "instances records of disjoint keys, one each": json('{"instances": [{"a": 1}, {"b": 3.0}]}'),
  "instances records of disjoint keys with whole floats": json(
    '{"instances": [{"a": 1.0, "b": 2}, {"a": 3}, {"b": 4.0}]}',
  ),
  "instances records of disjoint keys with a null": json('{"instances": [{"a": "x"}, {"b": null}]}'),
  // JSON objects and lists in instances records and DataFrame cells: np.array's object arrays, pandas' object cells
  "instances a record holding an object": json('{"instances": [{"a": {"k": 1}}]}'),
  "instances a record of a number and an object of a list": json(
    '{"instances": [{"a": 1, "b": {"x": [1, 2]}}]}',
  ),
  "instances records of objects with whole floats": json(
    '{"instances": [{"a": {"k": 1}}, {"a": {"k": 2.0}}]}',
  ),
  "instances records of an object then a null": json('{"instances": [{"a": {"k": 1}}, {"a": null}]}'),
  "instances records of an object then a number": json('{"instances": [{"a": {"k": 1}}, {"a": 3}]}'),
  "instances records of an object then text": json('{"instances": [{"a": {"k": 1}}, {"a": "x"}]}'),
  "instances records of lists holding objects": json('{"instances": [{"a": [{"k": 1}]}, {"a": [2]}]}'),
  "instances records of an empty object, disjoint keys": json('{"instances": [{"a": {}}, {"b": 2}]}'),
  "instances rows holding an object": json('{"instances": [[{"k": 1}, 2], [3, {"j": 1.0}]]}'),
  "dataframe_records holding an object": json('{"dataframe_records": [{"a": {"k": 1}, "b": 2}]}'),
  "dataframe_records holding lists of different lengths": json(
    '{"dataframe_records": [{"a": [1, 2], "b": 2}, {"a": [3.0], "b": 3}]}',
  ),
  "dataframe_records holding objects, a null and a missing key": json(
    '{"dataframe_records": [{"a": {"k": 1.0}}, {"a": null}, {"b": 1}]}',
  ),
  "dataframe_records holding a list with an object beside text": json(
    '{"dataframe_records": [{"a": [1.0, {"k": 2}]}, {"a": "x"}]}',
  ),
  "dataframe_records rows holding an object": json('{"dataframe_records": [[{"k": 1}, 2], [{}, 3]]}'),
  "dataframe_split holding an object and a list": json(
    '{"dataframe_split": {"columns": ["a", "b"], "data": [[{"k": 1}, [1, 2]], [null, []]]}}',
  ),
  "dataframe_records holding lists of equal lengths": json(
    '{"dataframe_records": [{"a": [1, 2]}, {"a": [3, 4]}]}',
  ),
  "dataframe_records holding an object beside a whole float, a boolean and text": json(
    '{"dataframe_records": [{"a": {"k": 1}}, {"a": 2.0}, {"a": true}, {"a": "x"}]}',
  ),
  "dataframe_records holding huge integers, NaN and infinities beside objects": json(
    '{"dataframe_records": [{"a": [1, 18446744073709551616, NaN, -Infinity, -0.0, 1e300]}, {"a": Infinity},' +
      ' {"a": 18446744073709551616}, {"a": {"__proto__": [2.0, {"k": -0}]}}]}',
  ),
  "dataframe_split holding a list after a number in a flat data list": json(
    '{"dataframe_split": {"data": [1, {"k": 2}]}}',
  ),
  "instances records of lists of whole floats": json('{"instances": [{"a": [1.0, 2]}, {"a": [3, 4]}]}'),
  // instances as one object: np.array per member, and numpy's len() of a 0-d array fails for a scalar member
  "instances an object of a number": json('{"instances": {"a": 5}}'),
  "instances an object of a list": json('{"instances": {"a": [1, 2]}}'),
  "instances an object of an object": json('{"instances": {"a": {"k": 1}}}'),
  "instances an object of a number and a list": json('{"instances": {"a": 5, "b": [1, 2]}}'),
  "instances a number": json('{"instances": 5}'),
  "instances an object of lists of different lengths": json('{"instances": {"a": [1, 2], "b": [1]}}'),
  "instances an object whose mismatch comes before a number": json(
    '{"instances": {"a": [1, 2], "b": [3], "c": 5}}',
  ),
  "instances an object whose number comes before a mismatch": json(
    '{"instances": {"a": [1], "b": 5, "c": [1, 2]}}',
  ),
  "instances an object of a null": json('{"instances": {"a": null}}'),
  "instances an object of an empty list": json('{"instances": {"a": []}}'),
  "instances records of a whole float then an object": json(
    '{"instances": [{"a": 2.0}, {"a": {"k": [1.0]}}]}',
  ),
  "instances 3-D rows holding objects": json('{"instances": [[[{"k": 1.0}], [2.0]]]}'),
  "instances 3-D rows of whole floats": json('{"instances": [[[1.0, 2], [3, 4]]]}'),
};

/** Parquet bodies, each from the frame (pandas.to_parquet) or table (pyarrow) a Python expression builds. */
const PARQUET_FRAMES: Record<string, string> = {
  "Parquet text holding numbers": 'pd.DataFrame({"a": ["1.5", "2"], "b": ["3", "x"]})',
  "Parquet numeric text with a null": 'pd.DataFrame({"a": ["1", None]})',
  "Parquet boolean text": 'pd.DataFrame({"a": ["True", "false"]})',
  "Parquet whole doubles": 'pd.DataFrame({"a": [1.0, 2.0]})',
  "Parquet doubles with a NaN": 'pd.DataFrame({"a": [1.0, np.nan]})',
  "Parquet int64, booleans and text": 'pd.DataFrame({"n": [1, 2], "t": [True, False], "s": ["x", "y"]})',
  "Parquet booleans with a null": 'pd.DataFrame({"a": [True, None]})',
  "Parquet text with a null beside numbers": 'pd.DataFrame({"a": ["x", None], "b": [1, 2]})',
  "Parquet int32 with a null, not from pandas": 'pa.table({"i": pa.array([1, None], pa.int32())})',
  // Narrow dtypes: read_parquet keeps float32 and each integer width, which pandas would widen from values.
  "Parquet float32 and narrow integers, not from pandas":
    'pa.table({"f": pa.array([1.5, 2.0], pa.float32()), "i8": pa.array([1, -128], pa.int8()),' +
    ' "i16": pa.array([1, -300], pa.int16()), "i32": pa.array([1, 2], pa.int32()),' +
    ' "u8": pa.array([1, 255], pa.uint8()), "u16": pa.array([1, 65535], pa.uint16()),' +
    ' "u32": pa.array([1, 4294967295], pa.uint32()), "u64": pa.array([1, 18446744073709551615], pa.uint64())})',
  "Parquet float32 with a null and uint8 with a null, not from pandas":
    'pa.table({"f": pa.array([0.1, None], pa.float32()), "u": pa.array([None, 7], pa.uint8())})',
  "Parquet narrow dtypes from pandas":
    'pd.DataFrame({"f": np.array([0.1, 2.0], "float32"), "i": np.array([1, 2], "int8"),' +
    ' "u": np.array([1, 2**64 - 1], "uint64")})',
  "Parquet int64 beyond 2^53": 'pd.DataFrame({"i": [9007199254740993, -9223372036854775808]})',
  "Parquet all-null numeric columns, not from pandas":
    'pa.table({"i64": pa.array([None, None], pa.int64()), "i32": pa.array([None, None], pa.int32()),' +
    ' "f": pa.array([None, None], pa.float32()), "d": pa.array([None, None], pa.float64())})',
  "Parquet all-null boolean and null-typed columns, not from pandas":
    'pa.table({"b": pa.array([None, None], pa.bool_()), "n": pa.array([None, None], pa.null())})',
  // FLOAT16 (FIXED_LEN_BYTE_ARRAY(2)): read_parquet gives float16, not float64.
  "Parquet float16 with a null and a negative zero, not from pandas":
    'pa.table({"h": pa.array(np.array([1.5, 0.1, -0.0], "float16")),' +
    ' "n": pa.array([np.float16(65504), None, np.float16(6e-08)], pa.float16())})',
  // Text of only nulls: read_parquet gives pandas' str (NaN), not the object None pandas makes of the values.
  "Parquet all-null text columns, not from pandas":
    'pa.table({"s": pa.array([None, None], pa.string()), "l": pa.array([None, None], pa.large_string()),' +
    ' "x": pa.array(["x", None], pa.string())})',
  "Parquet all-null str column from pandas": 'pd.DataFrame({"s": pd.Series([None, None], dtype="str")})',
};

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "untyped Python model records and Parquet inputs as MLflow gives them",
  () => {
    let dir = "";
    let model: PythonLoadedModel | undefined;
    const cases: [label: string, Case][] = Object.entries(JSON_CASES);
    let expected: ScoringAnswer[] = [];

    beforeAll(async () => {
      if (PY === undefined)
        throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
      dir = await mkdtemp(join(tmpdir(), "flowops-mlflow-untyped-records-"));
      const modelDir = join(dir, "describe");
      execFileSync(PY, ["-c", SAVE_MODEL, modelDir], { stdio: ["ignore", "ignore", "pipe"] });
      const frames = Object.entries(PARQUET_FRAMES);
      const written = execFileSync(PY, ["-c", WRITE_PARQUET], {
        input: JSON.stringify(frames.map(([, expression]) => expression)),
      });
      const files = JSON.parse(written.toString("utf8")) as string[];
      frames.forEach(([label], i) => cases.push([label, [PARQUET, files[i] as string]]));
      const input = JSON.stringify({ model: modelDir, cases: cases.map(([, c]) => c) });
      const out = execFileSync(PY, ["-c", MLFLOW_ANSWERS], { input, stdio: ["pipe", "pipe", "pipe"] });
      expected = JSON.parse(out.toString("utf8")) as ScoringAnswer[];
      model = await loadPythonModel(modelDir, { name: "describe", version: "1", python: PY, log: () => {} });
    }, TIMEOUT);
    afterAll(async () => {
      await model?.close();
      if (dir !== "") await rm(dir, { recursive: true, force: true });
    });

    // Labels are known before beforeAll adds the Parquet bodies, so the cases are declared from both lists.
    [...Object.keys(JSON_CASES), ...Object.keys(PARQUET_FRAMES)].forEach((label, index) =>
      it(
        `answers ${label} as mlflow's scoring server does`,
        async () => {
          const mlflow = comparableMlflowAnswer(expected[index]);
          const [contentType, body] = (cases[index] as [string, Case])[1];
          const bytes = contentType === PARQUET ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
          const flowops = await flowopsScoringAnswer(model as PythonLoadedModel, bytes, contentType);
          if (REFUSED_ALIKE.has(label)) {
            expect(mlflow?.status).toBe(400);
            expect([flowops.status, errorCode(flowops.body)]).toEqual([400, errorCode(mlflow?.body)]);
          } else expect(flowops).toEqual(mlflow);
        },
        TIMEOUT,
      ),
    );
  },
);

function errorCode(body: unknown): unknown {
  return (body as { error_code?: unknown } | undefined)?.error_code;
}
