/**
 * Regression: a Python model without a signature got a Parquet file's FLOAT column as float64 and its INT(8),
 * INT(16), INT32 and UINT(8..32) columns as int64 from `flowops predict` (pandas.read_parquet keeps each dtype),
 * and UINT(64) as uint64 or int64 depending on the batch's values. The reference is the venv's own pandas and
 * mlflow: the model describes every cell it is given (dtype and repr), and FlowOps' answers must equal
 * `model.predict(pandas.read_parquet(path))`.
 */
import { join } from "node:path";

import type { SchemaElement } from "hyparquet-writer";
import { describe, expect, it } from "vitest";

import { blockTempDir } from "../../test/support/blockTempDir.js";
import {
  PYTHON_TIMEOUT_MS,
  rowCellsPythonModel,
  WITHOUT_MLFLOW_PYTHON,
} from "../../test/support/rowCellsPythonModel.js";
import { StoredParquetColumn } from "../tables/parquetStoredColumns.js";
import { ParquetTableWriter } from "../tables/parquetWriter.js";
import { recordedCalls } from "./batchPredictFixtures.js";

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
  },
);
