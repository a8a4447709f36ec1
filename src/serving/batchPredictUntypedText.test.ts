/**
 * Regression: `flowops predict` handed a Python model without a signature a Parquet string column's numeric text
 * as numbers (pandas.read_parquet keeps "1.5" a str), a DOUBLE column's whole values as int64 and int64 values
 * beyond 2^53 rounded; and a JSON Lines column of booleans with nulls, or of nulls only, as objects where
 * pandas.read_json(lines=True) makes both float64. The reference is the venv's own pandas and mlflow: the model
 * below describes every cell it is given (dtype and repr), and FlowOps' answers must equal
 * `model.predict(pandas.read_json(path, lines=True))` and `model.predict(pandas.read_parquet(path))` for the same
 * file, whichever pandas the venv has.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";

import { blockTempDir } from "../../test/support/blockTempDir.js";
import {
  PYTHON_TIMEOUT_MS,
  rowCellsPythonModel,
  WITHOUT_MLFLOW_PYTHON,
} from "../../test/support/rowCellsPythonModel.js";
import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import { FlowOpsError } from "../errors.js";
import { recordedCalls, recordingModel, untypedModel } from "./batchPredictFixtures.js";
import type { Tensor } from "./tensor.js";

const PARQUET = `
import sys
import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({
    "numeric_text": pa.array(["1.5", "2", "-3e2"]),
    "integer_text": pa.array(["1", "2", "3"]),
    "numeric_text_null": pa.array(["1.5", None, "2"]),
    "boolean_text": pa.array(["true", "False", "TRUE"]),
    "large_text": pa.array(["1", "2.5", "inf"], pa.large_string()),
    "words": pa.array(["x", "1", None]),
    "integers_null": pa.array([1, None, 3], pa.int64()),
    "booleans_null": pa.array([True, None, False]),
    "whole_doubles": pa.array([1.0, 2.0, 3.0]),
    "big": pa.array([9007199254740993, 1, -2], pa.int64()),
}), sys.argv[1])
`;

const JSON_LINES = [
  {
    numeric_text: "1.5",
    integer_text: "1",
    text_null: "1.5",
    text_number: "1.5",
    number_text: 1,
    words: "x",
    empty: "",
    flags: true,
    flags_null: true,
    flag_number: true,
    flag_text: true,
    nulls: null,
    ints_null: 1,
    whole_floats: 1,
    mixed_floats: 1,
    special_text: "inf",
  },
  {
    numeric_text: "2",
    integer_text: "2",
    text_null: null,
    text_number: 2,
    number_text: "2.5",
    words: "1",
    empty: "1",
    flags: false,
    flags_null: null,
    flag_number: 2,
    flag_text: "x",
    nulls: null,
    ints_null: null,
    whole_floats: 2,
    mixed_floats: 2.5,
    special_text: "nan",
  },
  {
    numeric_text: " 3e2 ",
    integer_text: "-3",
    text_null: "4",
    text_number: 3,
    number_text: 4,
    words: null,
    empty: "2",
    flags: true,
    flags_null: false,
    flag_number: 3,
    flag_text: false,
    nulls: null,
    ints_null: 3,
    whole_floats: 3,
    mixed_floats: 3,
    special_text: "-Infinity",
  },
];

/** The tensors of each batch, by input name, as datatype and values. */
async function recordedBatches(input: string, batchSize: number): Promise<Record<string, unknown>[]> {
  return (await recordedCalls(input, batchSize)).map((tensors) =>
    Object.fromEntries(tensors.map((t) => [t.name, [t.datatype, Array.from(t.data as ArrayLike<unknown>)]])),
  );
}

describe("batchPredict for a model without a signature, without Python", () => {
  const dir = blockTempDir("flowops-batch-untyped-cells-");

  it("hands a Parquet string column's numeric text as text, and DOUBLE and INT64 columns as pandas types them", async () => {
    const input = join(dir(), "cells.parquet");
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "text", data: ["1.5", "2", "3"], type: "STRING" },
        { name: "whole", data: Float64Array.from([1, 2, 3]), type: "DOUBLE", nullable: false },
        {
          name: "big",
          data: BigInt64Array.from([9007199254740993n, 1n, 2n]),
          type: "INT64",
          nullable: false,
        },
        { name: "ints", data: [1n, null, 3n], type: "INT64" },
      ],
    });
    await writeFile(input, new Uint8Array(buffer));
    // Batches of one row: each must get its column's type, which its own value alone would not tell.
    expect(await recordedBatches(input, 1)).toEqual([
      {
        text: ["BYTES", ["1.5"]],
        whole: ["FP64", [1]],
        big: ["INT64", [9007199254740993n]],
        ints: ["FP64", [1]],
      },
      { text: ["BYTES", ["2"]], whole: ["FP64", [2]], big: ["INT64", [1n]], ints: ["FP64", [NaN]] },
      { text: ["BYTES", ["3"]], whole: ["FP64", [3]], big: ["INT64", [2n]], ints: ["FP64", [3]] },
    ]);
  });

  it("leaves a JSON Lines column's text as it is for a model that declares its input, whose signature casts it", async () => {
    const input = join(dir(), "typed.jsonl");
    await writeFile(input, '{"x":"1.50"}\n{"x":"007"}\n');
    const calls: Tensor[][] = [];
    const typed = {
      ...recordingModel(calls),
      inputs: [{ name: "x", datatype: "BYTES" as const, shape: [-1] }],
    };
    await batchPredict(typed, { input: openTable(input), output: `${input}.out.csv`, batchSize: 2 });
    expect(calls[0]?.map((t) => [t.name, t.datatype, t.data])).toEqual([["x", "BYTES", ["1.50", "007"]]]);
  });

  it("hands JSON Lines numeric text as numbers and booleans with nulls as float64, as read_json does", async () => {
    const input = join(dir(), "cells.jsonl");
    await writeFile(
      input,
      '{"text":"1.5","ints":"1","flags":true,"floats":1}\n' +
        '{"text":"2","ints":"2","flags":null,"floats":2.5}\n' +
        '{"text":"x","ints":"3","flags":false,"floats":3}\n',
    );
    expect(await recordedBatches(input, 2)).toEqual([
      {
        text: ["BYTES", ["1.5", "2"]],
        ints: ["INT64", [1n, 2n]],
        flags: ["FP64", [1, NaN]],
        floats: ["FP64", [1, 2.5]],
      },
      { text: ["BYTES", ["x"]], ints: ["INT64", [3n]], flags: ["FP64", [0]], floats: ["FP64", [3]] },
    ]);
  });
});

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, against pandas' readers",
  () => {
    const cells = rowCellsPythonModel("flowops-batch-untyped-text-");

    it(
      "hands the model a Parquet file's columns as pandas.read_parquet gives them, numeric text as text",
      async () => {
        const input = join(cells.dir(), "cells.parquet");
        cells.python(PARQUET, input);
        const answers = await cells.flowopsAnswers(input, 64);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
      },
      PYTHON_TIMEOUT_MS,
    );

    it(
      "hands the model a JSON Lines file's columns as pandas.read_json(lines=True) types them",
      async () => {
        const input = join(cells.dir(), "cells.jsonl");
        await writeFile(input, JSON_LINES.map((row) => JSON.stringify(row)).join("\n") + "\n");
        const answers = await cells.flowopsAnswers(input, 64);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);

/**
 * JSON Lines columns whose dtype one batch's values cannot tell: an object column (mixed kinds), a str column's
 * batch of nulls, and columns read_json converts to datetime64 for their names. Batches of one row each.
 */
const JSON_LINES_PART_TYPED = [
  { mixed: true, text: "x", created_at: "2020-01-02T03:04:05Z", timestamp: 1577836800000, date: null },
  { mixed: "x", text: null, created_at: null, timestamp: 1577836800001, date: "2021-06-07 08:09:10.1234567" },
  { mixed: 2, text: "y", created_at: "2021-06-07T08:09:10+00:00", timestamp: null, date: "2020-02-29" },
];

describe("batchPredict for a model without a signature, JSON Lines dtypes decided on the whole part", () => {
  const dir = blockTempDir("flowops-batch-untyped-jsonl-");

  it("tags every batch's column with the part's str, object or datetime64 dtype, even one of booleans only", async () => {
    const input = join(dir(), "part.jsonl");
    await writeFile(input, JSON_LINES_PART_TYPED.map((row) => JSON.stringify(row)).join("\n") + "\n");
    const calls = await recordedCalls(input, 1);
    const first = Object.fromEntries(
      (calls[0] ?? []).map((t) => [t.name, [t.pandasDtype, t.jsonData ?? t.data]]),
    );
    const us = { kind: "datetime", unit: "us" };
    expect(first).toEqual({
      mixed: [{ kind: "object" }, [true]],
      text: [{ kind: "str" }, ["x"]],
      created_at: [{ ...us, utcOffsetMinutes: 0 }, ["2020-01-02T03:04:05.000000000+00:00"]],
      timestamp: [{ ...us, utcOffsetMinutes: null }, ["2020-01-01T00:00:00.000000000"]],
      date: [{ kind: "datetime", unit: "ns", utcOffsetMinutes: null }, [""]],
    });
  });

  it("refuses a date column pandas would read with dateutil, naming the column and row", async () => {
    const input = join(dir(), "dateutil.jsonl");
    await writeFile(input, '{"date":"2020-01-02"}\n{"date":"Jan 5 2020"}\n');
    await expect(
      batchPredict(recordingModel([]), { input: openTable(input), output: `${input}.out.csv`, batchSize: 1 }),
    ).rejects.toThrow(`column 'date' row 2: "Jan 5 2020" is not ISO 8601`);
  });
});

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, JSON Lines in batches of one row, against read_json",
  () => {
    const cells = rowCellsPythonModel("flowops-batch-untyped-jsonl-py-");

    it(
      "hands each one-row batch its column's dtype over the file: object, str and datetime64 as read_json has them",
      async () => {
        const input = join(cells.dir(), "part.jsonl");
        await writeFile(input, JSON_LINES_PART_TYPED.map((row) => JSON.stringify(row)).join("\n") + "\n");
        const answers = await cells.flowopsAnswers(input, 1);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);

/**
 * A JSON Lines file of several parts, whose columns' dtype only a later part's rows decide: read_json types each
 * column on the whole file, so every part's batches must get that dtype, not one its own rows would give.
 */
const JSON_LINES_LATE_KINDS = [
  '{"ints":1,"flags":true,"late_text":null,"mixed":1,"floats":"a","created_at":"2020-01-02"}',
  '{"ints":2,"flags":false,"late_text":null,"mixed":2,"floats":1.0,"created_at":"2020-01-03"}',
  '{"ints":null,"flags":null,"late_text":"x","mixed":"y","floats":2.50,"created_at":"n/a"}',
];

describe("batchPredict for a model without a signature, JSON Lines dtypes decided on the whole file", () => {
  const dir = blockTempDir("flowops-batch-untyped-file-");

  it("gives every part the dtype a later part's null, text or label decides", async () => {
    const input = join(dir(), "late.jsonl");
    await writeFile(input, JSON_LINES_LATE_KINDS.join("\n") + "\n");
    const calls: Tensor[][] = [];
    await batchPredict(recordingModel(calls), {
      input: openTable(input),
      output: `${input}.out.csv`,
      batchSize: 1,
      partRows: 1,
    });
    const described = calls.map((tensors) =>
      Object.fromEntries(
        tensors.map((t) => [
          t.name,
          [t.pandasDtype?.kind ?? t.datatype, t.jsonData ?? Array.from(t.data as ArrayLike<unknown>)],
        ]),
      ),
    );
    expect(described[0]).toEqual({
      ints: ["FP64", [1]],
      flags: ["FP64", [1]],
      late_text: ["str", [""]],
      mixed: ["object", [1]],
      floats: ["object", ["a"]],
      created_at: ["str", ["2020-01-02"]],
    });
    expect(described[1]).toMatchObject({ floats: ["object", [{ float: 1 }]], mixed: ["object", [2]] });
  });

  it("decides the same dtypes when an interrupted run resumes at a later part", async () => {
    const input = join(dir(), "resumed.jsonl");
    await writeFile(input, JSON_LINES_LATE_KINDS.join("\n") + "\n");
    const options = { input: openTable(input), output: `${input}.out.csv`, batchSize: 1, partRows: 1 };
    let call = 0;
    const failing = untypedModel(() => {
      if (++call === 2) throw new FlowOpsError("INTERNAL_ERROR", "the worker crashed");
    });
    await expect(batchPredict(failing, options)).rejects.toThrow(/the worker crashed/);
    const calls: Tensor[][] = [];
    const result = await batchPredict(recordingModel(calls), options);
    expect(result).toMatchObject({ resumedChunks: 1, chunks: 3 });
    // Row 2 alone holds integers, booleans and ISO dates; the file's row 3 makes them float64 and text.
    expect(
      Object.fromEntries((calls[0] ?? []).map((t) => [t.name, t.pandasDtype?.kind ?? t.datatype])),
    ).toEqual({
      ints: "FP64",
      flags: "FP64",
      late_text: "str",
      mixed: "object",
      floats: "object",
      created_at: "str",
    });
  });

  it("spares a model with a signature the first pass, which refuses a date column pandas reads with dateutil", async () => {
    const input = join(dir(), "typed-dates.jsonl");
    await writeFile(
      input,
      '{"x":1,"date":"2020-01-02"}\n{"x":2,"date":"2020-01-03"}\n{"x":3,"date":"Jan 5 2020"}\n',
    );
    const options = { input: openTable(input), output: `${input}.out.csv`, batchSize: 1, partRows: 1 };
    // Untyped: the first pass reads row 3 before the first part is predicted, and no part is left to resume.
    const untypedCalls: Tensor[][] = [];
    await expect(batchPredict(recordingModel(untypedCalls), options)).rejects.toThrow(
      `${input}: column 'date' row 3: "Jan 5 2020" is not ISO 8601`,
    );
    expect(untypedCalls).toEqual([]);
    const calls: Tensor[][] = [];
    const typed = {
      ...recordingModel(calls),
      inputs: [{ name: "x", datatype: "FP64" as const, shape: [-1] }],
    };
    await batchPredict(typed, { ...options, columns: ["x"] });
    expect(calls).toHaveLength(3);
  });
});

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, JSON Lines decided on the whole file, against read_json",
  () => {
    const cells = rowCellsPythonModel("flowops-batch-untyped-file-py-");

    it(
      "hands one-row batches the file's dtypes, and a whole number written as a float among text as a float",
      async () => {
        const input = join(cells.dir(), "late.jsonl");
        await writeFile(
          input,
          [
            ...JSON_LINES_LATE_KINDS,
            '{"ints":4,"flags":true,"late_text":"z","mixed":3.0,"floats":1e2,"created_at":null}',
          ].join("\n") + "\n",
        );
        const answers = await cells.flowopsAnswers(input, 1);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);
