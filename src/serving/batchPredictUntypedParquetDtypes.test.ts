/**
 * Regression: a Python model without a signature got a Parquet file's FLOAT column as float64 and its INT(8),
 * INT(16), INT32 and UINT(8..32) columns as int64 from `flowops predict` (pandas.read_parquet keeps each dtype),
 * and UINT(64) as uint64 or int64 depending on the batch's values. The reference is the venv's own pandas and
 * mlflow: the model describes every cell it is given (dtype and repr), and FlowOps' answers must equal
 * `model.predict(pandas.read_parquet(path))`.
 * Also: FLOAT16 came as float64 (read_parquet: float16), and an integer column with a null in one part of the
 * file only was float64 in that part alone (read_parquet: float64 in every row, as the footer's counts tell),
 * and a BOOLEAN column with a null in one part only was bool in the other parts (read_parquet: object in all).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { SchemaElement } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { blockTempDir } from "../../test/support/blockTempDir.js";
import {
  PYTHON_TIMEOUT_MS,
  rowCellsPythonModel,
  WITHOUT_MLFLOW_PYTHON,
} from "../../test/support/rowCellsPythonModel.js";
import { MLFLOW_PYTHON } from "../../test/support/mlflowPython.js";
import { loadPythonModel, type PythonLoadedModel } from "./runtimes/python.js";
import { StoredParquetColumn } from "../tables/parquetStoredColumns.js";
import { ParquetTableWriter } from "../tables/parquetWriter.js";
import { openTable } from "../tables/openTable.js";
import type { Tensor } from "./tensor.js";
import { batchPredict } from "./batchPredict.js";
import { recordedCalls, recordingModel } from "./batchPredictFixtures.js";

/** pyarrow's narrow and unsigned types, and all-null numeric columns, which read_parquet types by the schema. */
const NARROW_PARQUET = `
import sys
import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({
    "f32": pa.array([0.1, 2.0, 3.5], pa.float32()),
    "f32_null": pa.array([0.1, None, 3.0], pa.float32()),
    "i8": pa.array([1, -128, 127], pa.int8()),
    "i16": pa.array([1, -300, 3], pa.int16()),
    "i32": pa.array([1, 2, 3], pa.int32()),
    "u8": pa.array([1, 255, 3], pa.uint8()),
    "u16": pa.array([1, 65535, 3], pa.uint16()),
    "u32": pa.array([1, 4294967295, 3], pa.uint32()),
    "u64": pa.array([1, 18446744073709551615, 3], pa.uint64()),
    "u8_null": pa.array([1, None, 3], pa.uint8()),
    "nulls_i64": pa.array([None, None, None], pa.int64()),
    "nulls_f32": pa.array([None, None, None], pa.float32()),
    "nulls_f64": pa.array([None, None, None], pa.float64()),
    "nulls_bool": pa.array([None, None, None], pa.bool_()),
}), sys.argv[1])
`;

/**
 * More rows than one part (65,536): "i" holds its null in the second part only, "u8" in the first only, "req" is
 * REQUIRED, "h" is FLOAT16 with a null. read_parquet decides each column's dtype on the whole file.
 */
const PARTS_PARQUET = `
import sys
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
n = 65540
i = pa.array([None if r == n - 1 else r for r in range(n)], pa.int64())
u8 = pa.array([None if r == 0 else r % 256 for r in range(n)], pa.uint8())
h = pa.array([None if r == 3 else np.float16(r / 7) for r in range(n)], pa.float16())
schema = pa.schema([("i", pa.int64()), ("u8", pa.uint8()), pa.field("req", pa.int32(), nullable=False),
                    ("k", pa.int16()), ("h", pa.float16())])
pq.write_table(pa.table({"i": i, "u8": u8, "req": pa.array(range(n), pa.int32()),
                         "k": pa.array([r % 300 for r in range(n)], pa.int16()), "h": h}, schema=schema),
               sys.argv[1], row_group_size=30000)
`;

describe("batchPredict for a model without a signature, Parquet numeric dtypes, without Python", () => {
  const dir = blockTempDir("flowops-batch-untyped-dtypes-");

  it("hands FLOAT, annotated integers and all-null columns in read_parquet's numpy dtypes, kept", async () => {
    const input = join(dir(), "narrow.parquet");
    const optional = { repetition_type: "OPTIONAL" } as const;
    const elements: SchemaElement[] = [
      { name: "f", ...optional, type: "FLOAT" },
      { name: "i8", ...optional, type: "INT32", converted_type: "INT_8" },
      { name: "u64", ...optional, type: "INT64", converted_type: "UINT_64" },
      { name: "i16_null", ...optional, type: "INT32", converted_type: "INT_16" },
      { name: "nulls", ...optional, type: "INT64" },
    ];
    const values: Record<string, unknown[]> = {
      f: [0.5, 2, 3],
      i8: [1, -128, 3],
      u64: [1n, 2n ** 64n - 1n, 3n],
      i16_null: [1, null, 3],
      nulls: [null, null, null],
    };
    const writer = new ParquetTableWriter(
      input,
      elements.map((element) => element.name),
    );
    await writer.write(
      Object.fromEntries(elements.map((e) => [e.name, new StoredParquetColumn(e, values[e.name] as never)])),
    );
    await writer.close();
    const calls = await recordedCalls(input, 2);
    const described = calls.map((tensors) =>
      tensors.map((t) => [t.name, t.datatype, Array.from(t.data as ArrayLike<unknown>), t.keepDtype]),
    );
    expect(described).toEqual([
      [
        ["f", "FP32", [0.5, 2], true],
        ["i8", "INT8", [1, -128], true],
        ["u64", "UINT64", [1n, 2n ** 64n - 1n], true],
        ["i16_null", "FP64", [1, NaN], true],
        ["nulls", "FP64", [NaN, NaN], true],
      ],
      [
        ["f", "FP32", [3], true],
        ["i8", "INT8", [3], true],
        ["u64", "UINT64", [3n], true],
        ["i16_null", "FP64", [3], true],
        ["nulls", "FP64", [NaN], true],
      ],
    ]);
  });

  it("makes an integer column float64 in every part where the footer counts a null in one part only", async () => {
    const input = join(dir(), "parts.parquet");
    const element: SchemaElement = { name: "i", repetition_type: "OPTIONAL", type: "INT32" };
    const writer = new ParquetTableWriter(input, ["i"]);
    // Two row groups, the null in the second only.
    await writer.write({ i: new StoredParquetColumn(element, [1, 2]) });
    await writer.write({ i: new StoredParquetColumn(element, [3, null]) });
    await writer.close();
    const calls: Tensor[][] = [];
    await batchPredict(recordingModel(calls), {
      input: openTable(input),
      output: `${input}.out.csv`,
      batchSize: 2,
      partRows: 2,
    });
    expect(calls.map(([t]) => [t?.datatype, Array.from(t?.data as ArrayLike<unknown>)])).toEqual([
      ["FP64", [1, 2]],
      ["FP64", [3, NaN]],
    ]);
  });

  it("makes a BOOLEAN column object in every part where the footer counts a null in one part only", async () => {
    const input = join(dir(), "flags.parquet");
    const element: SchemaElement = { name: "b", repetition_type: "OPTIONAL", type: "BOOLEAN" };
    const writer = new ParquetTableWriter(input, ["b"]);
    // Two row groups, the null in the second only.
    await writer.write({ b: new StoredParquetColumn(element, [true, false]) });
    await writer.write({ b: new StoredParquetColumn(element, [false, null]) });
    await writer.close();
    const calls: Tensor[][] = [];
    await batchPredict(recordingModel(calls), {
      input: openTable(input),
      output: `${input}.out.csv`,
      batchSize: 2,
      partRows: 2,
    });
    expect(calls.map(([t]) => [t?.pandasDtype, t?.jsonData])).toEqual([
      [{ kind: "object" }, [true, false]],
      [{ kind: "object" }, [false, null]],
    ]);
  });

  it("hands a FLOAT16 column as FP16 bits, kept", async () => {
    const input = join(dir(), "half.parquet");
    const element: SchemaElement = {
      name: "h",
      repetition_type: "OPTIONAL",
      type: "FIXED_LEN_BYTE_ARRAY",
      type_length: 2,
      logical_type: { type: "FLOAT16" },
    };
    const writer = new ParquetTableWriter(input, ["h"]);
    await writer.write({ h: new StoredParquetColumn(element, [1.5, null, -0]) });
    await writer.close();
    const [call] = await recordedCalls(input, 3);
    const [tensor] = call ?? [];
    expect([tensor?.datatype, tensor?.keepDtype]).toEqual(["FP16", true]);
    // 1.5, NaN, -0 as IEEE half bits.
    expect(Array.from(tensor?.data as Uint16Array)).toEqual([0x3e00, 0x7e00, 0x8000]);
  });
});

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, Parquet numeric dtypes against pandas.read_parquet",
  () => {
    const cells = rowCellsPythonModel("flowops-batch-untyped-dtypes-py-");

    it(
      "hands float32, int8 to uint64 and all-null columns with the dtypes pandas.read_parquet gives them",
      async () => {
        const input = join(cells.dir(), "narrow.parquet");
        cells.python(NARROW_PARQUET, input);
        // Batches of two rows: every batch must keep its column's dtype.
        const answers = await cells.flowopsAnswers(input, 2);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
      },
      PYTHON_TIMEOUT_MS,
    );

    it(
      "hands text columns as pandas' str, NaN for null, in a batch of nulls only and when all are null",
      async () => {
        const input = join(cells.dir(), "text.parquet");
        cells.python(
          `
import sys
import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({
    "s": pa.array(["x", None, None, None], pa.string()),
    "none": pa.array([None, None, None, None], pa.string()),
    "large": pa.array([None, "y", None, None], pa.large_string()),
}), sys.argv[1])
`,
          input,
        );
        // Batches of two rows: the second batch of "s" holds nulls only.
        const answers = await cells.flowopsAnswers(input, 2);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);

/**
 * BOOLEAN columns over two parts: "b" holds its null in the second part only, "b0" in the first only, "bn" none.
 * read_parquet makes "b" and "b0" object (True, False, None) in every row and keeps "bn" bool.
 */
const BOOL_PARTS_PARQUET = `
import sys
import pyarrow as pa, pyarrow.parquet as pq
n = 65540
pq.write_table(pa.table({
    "b": pa.array([None if r == n - 1 else r % 3 == 0 for r in range(n)], pa.bool_()),
    "b0": pa.array([None if r == 0 else r % 2 == 0 for r in range(n)], pa.bool_()),
    "bn": pa.array([r % 2 == 0 for r in range(n)], pa.bool_()),
}), sys.argv[1], row_group_size=30000)
`;

/**
 * Per row: every column's dtype, then the row's values as Python holds them. Cheap per row, unlike iloc, so a
 * file of more rows than one part is answered in seconds.
 */
const SAVE_DTYPES_MODEL = `
import sys
import mlflow.pyfunc

class Dtypes(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        dtypes = " ".join(f"{c}:{model_input[c].dtype}" for c in model_input.columns)
        columns = [model_input[c].tolist() for c in model_input.columns]
        return [f"{dtypes} {[column[r] for column in columns]!r}" for r in range(len(model_input))]

mlflow.pyfunc.save_model(sys.argv[1], python_model=Dtypes())
`;

const PANDAS_PREDICT = `
import json, sys
import mlflow.pyfunc, pandas as pd
answers = mlflow.pyfunc.load_model(sys.argv[1]).predict(pd.read_parquet(sys.argv[2]))
sys.__stdout__.write(json.dumps([str(answer) for answer in answers]))
`;

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, a file of several parts against pandas.read_parquet",
  () => {
    let dir = "";
    let model: PythonLoadedModel | undefined;
    const python = (): string => {
      if (MLFLOW_PYTHON === undefined) throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no venv python");
      return MLFLOW_PYTHON;
    };
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "flowops-batch-untyped-parts-"));
      execFileSync(python(), ["-c", SAVE_DTYPES_MODEL, join(dir, "model")], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      model = await loadPythonModel(join(dir, "model"), {
        name: "dtypes",
        version: "1",
        python: python(),
        log: () => {},
      });
    }, PYTHON_TIMEOUT_MS);
    afterAll(async () => {
      await model?.close();
      if (dir !== "") await rm(dir, { recursive: true, force: true });
    });
    /** The model's answers through `flowops predict` and to read_parquet, for the file `script` writes. */
    const partsAnswers = async (name: string, script: string): Promise<[string[], string[]]> => {
      const input = join(dir, `${name}.parquet`);
      execFileSync(python(), ["-c", script, input], { stdio: ["ignore", "ignore", "pipe"] });
      const output = join(dir, `${name}.out.jsonl`);
      await batchPredict(model as PythonLoadedModel, { input: openTable(input), output, batchSize: 8192 });
      const lines = (await readFile(output, "utf8")).trimEnd().split("\n");
      const answers = lines.map((line) => (JSON.parse(line) as { predictions: string }).predictions);
      const expected = JSON.parse(
        execFileSync(python(), ["-c", PANDAS_PREDICT, join(dir, "model"), input], {
          maxBuffer: 1 << 28,
        }).toString("utf8"),
      ) as string[];
      return [answers, expected];
    };

    it(
      "decides integer columns on the whole file, keeps REQUIRED and null-free ones and FLOAT16, in every part",
      async () => {
        const [answers, expected] = await partsAnswers("parts", PARTS_PARQUET);
        expect(answers.length).toBe(65540);
        // Rows of both parts (65,536 rows each), the nulls' rows included; then all of them.
        for (const row of [0, 3, 65535, 65536, 65539]) expect(answers[row]).toBe(expected[row]);
        expect(answers.join("\n") === expected.join("\n")).toBe(true);
      },
      PYTHON_TIMEOUT_MS,
    );

    it(
      "makes a BOOLEAN column with a null in one part object (True, False, None) in every part",
      async () => {
        const [answers, expected] = await partsAnswers("flags", BOOL_PARTS_PARQUET);
        expect(answers.length).toBe(65540);
        for (const row of [0, 1, 65535, 65536, 65539]) expect(answers[row]).toBe(expected[row]);
        expect(answers.join("\n") === expected.join("\n")).toBe(true);
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);
