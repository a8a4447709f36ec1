/**
 * Regression: `flowops predict` handed a Python model without a signature a JSON Lines column of nested values
 * (arrays, objects) as their JSON text, where pandas.read_json(lines=True) gives Python lists and dicts in an
 * object column (ints int, floats float, 1.0 a float, -0.0 its sign, keys in the file's order); a column of
 * nested values and nulls was even str. And -0.0 among text reached the model as 0.0, where pandas keeps the
 * float's sign, and a column named like a date holding a nested value was refused, where read_json keeps it as
 * it is. The reference is the venv's own pandas and mlflow: the model describes every cell it is given,
 * and FlowOps' answers must equal `model.predict(pandas.read_json(path, lines=True))`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import {
  PYTHON_TIMEOUT_MS,
  rowCellsPythonModel,
  WITHOUT_MLFLOW_PYTHON,
} from "../../test/support/rowCellsPythonModel.js";

/** One column per case, four rows, read in batches of two: each batch must get its column as pandas types it. */
const LINES = [
  `{"lists":[1, 2.0, -0.0, "x", null, true, {"k": 1.5}],"dicts":{"k": [1.0, 2]},"mixed":[1, 2],` +
    `"nested_null":[1],"nested_text":"x","late":1,"zeros":"a","neg_float":-0.0,"date":"2020-01-01"}`,
  `{"lists":[],"dicts":{},"mixed":3,"nested_null":null,"nested_text":[1],"late":2,"zeros":-0.0,"neg_float":null,"date":[1]}`,
  `{"lists":[[1], {"b": 1, "1": 2, "b": 3}],"dicts":{"z": 1E400, "u": "\\u00e9\\/"},"mixed":1.5,` +
    `"nested_null":{"k": null},"nested_text":"[1]","late":[3],"zeros":-0,"neg_float":2.5,"date":1577836800}`,
  `{"lists":[1E2, 1e-400, -1e-400, 12345678901234567.0, 9223372036854775808, -0],"dicts":{"a": {"b": []}},` +
    `"mixed":true,"nested_null":null,"nested_text":"2","late":4,"zeros":0.0,"neg_float":-0.0,"date":null}`,
];

describe.skipIf(WITHOUT_MLFLOW_PYTHON)(
  "batchPredict for a Python model without a signature, JSON Lines nested values and -0.0 against read_json",
  () => {
    const cells = rowCellsPythonModel("flowops-batch-untyped-nested-py-");

    it(
      "hands each column the dtype and values pandas.read_json(lines=True) gives it",
      async () => {
        const input = join(cells.dir(), "nested.jsonl");
        await writeFile(input, LINES.join("\n") + "\n");
        const answers = await cells.flowopsAnswers(input, 2);
        expect(answers.join("\n")).toBe(cells.pandasAnswers(input).join("\n"));
        expect(answers[0]).toContain("lists:object:[1, 2.0, -0.0, 'x', None, True, {'k': 1.5}]");
        expect(answers[1]).toContain("zeros:object:-0.0");
      },
      PYTHON_TIMEOUT_MS,
    );

    it(
      "writes the nested values into the output as their JSON text, whole floats and -0.0 as the file wrote them",
      async () => {
        const input = join(cells.dir(), "copied.jsonl");
        await writeFile(input, `{"a":[1.0, -0.0, 2],"b":{"k": "x"}}\n{"a":null,"b":"[1]"}\n`);
        await cells.flowopsAnswers(input, 2);
        const rows = (await readFile(`${input}.out.jsonl`, "utf8"))
          .trimEnd()
          .split("\n")
          .map((line) => {
            const { a, b } = JSON.parse(line) as { a: unknown; b: unknown };
            return { a, b };
          });
        expect(rows).toEqual([
          { a: "[1.0,-0.0,2]", b: '{"k":"x"}' },
          { a: null, b: "[1]" },
        ]);
      },
      PYTHON_TIMEOUT_MS,
    );
  },
);
