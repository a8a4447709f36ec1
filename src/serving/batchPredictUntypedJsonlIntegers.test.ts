/**
 * Regression: `flowops predict` handed a Python model without a signature a JSON Lines column of integers
 * between 2^63 and 2^64 - 1 as float64 (rounded), where pandas.read_json(lines=True) makes it uint64 with every
 * digit, and read a file holding an integer beyond that range, which read_json refuses ("Value is too big!").
 * read_json keeps uint64 only for whole-number literals, none negative or missing, and makes float64 of the
 * rest (a negative, a null, a missing key, 1.0, true, "2"). The reference is the venv's own pandas and mlflow:
 * the model describes every cell it is given, and FlowOps' answers must equal
 * `model.predict(pandas.read_json(path, lines=True))`.
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { blockTempDir } from "../../test/support/blockTempDir.js";
import { MLFLOW_PYTHON } from "../../test/support/mlflowPython.js";
import {
  PYTHON_TIMEOUT_MS,
  rowCellsPythonModel,
  WITHOUT_MLFLOW_PYTHON,
} from "../../test/support/rowCellsPythonModel.js";
import { rejection } from "../../test/support/thrownError.js";
import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import { recordedCalls, recordingModel } from "./batchPredictFixtures.js";
import type { Tensor } from "./tensor.js";

const BIG = "9223372036854775808"; // 2^63
const MAX = "18446744073709551615"; // 2^64 - 1

/** One column per case, three rows; each column's first row holds a value beyond int64. */
const LINES = [
  `{"big":${BIG},"max":${MAX},"neg":${BIG},"nul":${BIG},"whole":${BIG},"flag":${BIG},"text":${BIG},"zero":${BIG}}`,
  `{"big":1,"max":0,"neg":-1,"nul":null,"whole":1.0,"flag":true,"text":"2","zero":-0}`,
  `{"big":2,"max":${MAX},"neg":3,"nul":4,"whole":5,"flag":6,"text":7,"zero":8}`,
  `{"big":3,"max":1,"neg":4,"whole":5,"flag":6,"text":7,"zero":8}`,
];

describe("batchPredict for a model without a signature, JSON Lines integers beyond int64, without Python", () => {
  const dir = blockTempDir("flowops-batch-untyped-uint64-");

  it("hands a column of whole numbers up to 2^64 - 1 as uint64 in every batch, the rest as float64", async () => {
    const input = join(dir(), "uint64.jsonl");
    await writeFile(input, `{"u":${BIG},"f":${BIG}}\n{"u":1,"f":-1}\n{"u":${MAX},"f":2}\n{"u":2,"f":3}\n`);
    // Batches of two rows: the second's values alone fit int64.
    const calls = await recordedCalls(input, 2);
    const described = calls.map((tensors) =>
      tensors.map((t) => [t.name, t.datatype, Array.from(t.data as ArrayLike<unknown>), t.keepDtype]),
    );
    expect(described).toEqual([
      [
        ["u", "UINT64", [2n ** 63n, 1n], true],
        ["f", "FP64", [2 ** 63, -1], undefined],
      ],
      [
        ["u", "UINT64", [2n ** 64n - 1n, 2n], true],
        ["f", "FP64", [2, 3], undefined],
      ],
    ]);
  });

  it("refuses a file holding an integer beyond 2^64 - 1 or below -2^63 anywhere, as read_json does", async () => {
    const cases = [
      `{"a":18446744073709551616}`,
      `{"a":-9223372036854775809}`,
      `{"a":1,"b":[18446744073709551616]}`,
    ];
    for (const [i, line] of cases.entries()) {
      const input = join(dir(), `beyond${i}.jsonl`);
      await writeFile(input, `{"a":1,"b":[1]}\n${line}\n`);
      const error = await rejection(
        batchPredict(recordingModel([]), {
          input: openTable(input),
          output: `${input}.out.csv`,
          batchSize: 2,
        }),
      );
      expect([error.code, error.message]).toEqual([
        "INVALID_PARAMETER_VALUE",
        expect.stringMatching(/row 2: integer -?\d+ is beyond .*pandas\.read_json refuses the file/),
      ]);
    }
  });

  it("leaves such integers to a model that declares its input, whose signature casts them", async () => {
    const input = join(dir(), "typed.jsonl");
    await writeFile(input, `{"x":18446744073709551616.5}\n{"x":18446744073709551616}\n`);
    const calls: Tensor[][] = [];
    const typed = {
      ...recordingModel(calls),
      inputs: [{ name: "x", datatype: "FP64" as const, shape: [-1] }],
    };
    await batchPredict(typed, { input: openTable(input), output: `${input}.out.csv`, batchSize: 2 });
    expect(calls.map(([t]) => [t?.datatype, Array.from(t?.data as Float64Array)])).toEqual([
      ["FP64", [2 ** 64, 2 ** 64]],
    ]);
  });
});

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, JSON Lines integers beyond int64 against read_json",
  () => {
    const cells = rowCellsPythonModel("flowops-batch-untyped-uint64-py-");

    it(
      "hands each column the dtype and values pandas.read_json(lines=True) gives it",
      async () => {
        const input = join(cells.dir(), "uint64.jsonl");
        await writeFile(input, LINES.join("\n") + "\n");
        // Batches of two rows: every batch must keep its column's dtype.
        const answers = await cells.flowopsAnswers(input, 2);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
        expect(answers[1]).toContain("big:uint64:np.uint64(1)");
      },
      PYTHON_TIMEOUT_MS,
    );

    it(
      "refuses the file where read_json refuses it for an integer beyond 2^64 - 1",
      async () => {
        const input = join(cells.dir(), "beyond.jsonl");
        await writeFile(input, `{"a":1}\n{"a":18446744073709551616}\n`);
        const read = `import sys, pandas as pd\npd.read_json(sys.argv[1], lines=True)`;
        expect(() =>
          execFileSync(MLFLOW_PYTHON as string, ["-c", read, input], { stdio: ["ignore", "ignore", "pipe"] }),
        ).toThrow(/Value is too big!/);
        await expect(cells.flowopsAnswers(input, 2)).rejects.toThrow(/pandas\.read_json refuses the file/);
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);
