/**
 * Missing values on the way into an ONNX model, with real onnxruntime sessions over tiny Identity models: what
 * pandas reads as missing reaches a float input as NaN, and is refused, by column, file and row, for an integer
 * input (MLflow refuses the float64 column pandas would make of it).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import { encodeOnnxModel } from "./onnx/onnxModelWriter.js";
import type { LoadedModel } from "./runtime.js";
import { loadOnnxModel } from "./runtimes/onnx.js";
import type { ModelSignature } from "./signature.js";
import type { Datatype } from "./tensor.js";

let dir: string;
const models: LoadedModel[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-missing-"));
});
afterAll(async () => {
  await Promise.all(models.map((model) => model.close()));
  await rm(dir, { recursive: true, force: true });
});

/** x [N, 2] of `datatype` -> y, the same values: the output shows exactly what the model was fed. */
async function identityModel(datatype: Datatype, signature?: ModelSignature): Promise<LoadedModel> {
  const path = join(dir, `identity-${datatype}-${models.length}.onnx`);
  const bytes = encodeOnnxModel({
    name: "identity",
    inputs: [{ name: "x", datatype, shape: [-1, 2] }],
    outputs: [{ name: "y", datatype, shape: [-1, 2] }],
    initializers: [],
    nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
  });
  await writeFile(path, bytes);
  const model = await loadOnnxModel(path, {
    name: "identity",
    version: "1",
    execution: "inline",
    log: () => undefined,
    ...(signature === undefined ? {} : { signature }),
  });
  models.push(model);
  return model;
}

async function predict(model: LoadedModel, input: string, output: string): Promise<void> {
  await batchPredict(model, { input: openTable(input), output, batchSize: 4, columns: ["a", "b"] });
}

async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("batchPredict and missing values on the ONNX fast path", () => {
  it("feeds pandas' NA markers in a CSV float feature to the model as NaN", async () => {
    const input = join(dir, "na.csv");
    await writeFile(
      input,
      "id,a,b\nr0,1,NA\nr1,2,null\nr2,,4\nr3,N/A,5\nr4,NaN,None\nr5,#N/A,<NA>\nr6,6,7\n",
    );
    const output = join(dir, "na-out.jsonl");
    await predict(await identityModel("FP32"), input, output);
    // NaN is written as null (pandas' to_json does the same).
    const rows = await jsonLines(output);
    expect(rows.map((row) => [row.y_0, row.y_1])).toEqual([
      [1, null],
      [2, null],
      [null, 4],
      [null, 5],
      [null, null],
      [null, null],
      [6, 7],
    ]);
  });

  it("feeds missing keys and nulls in a JSON Lines float feature to the model as NaN", async () => {
    const input = join(dir, "na.jsonl");
    await writeFile(input, '{"a":1,"b":2}\n{"a":null,"b":3}\n{"b":4}\n{"a":5.5,"b":null}\n');
    const output = join(dir, "na-jsonl-out.csv");
    await predict(await identityModel("FP64"), input, output);
    // Numbers with nulls are float64 to pandas, which writes their whole values as `1.0`.
    expect(await readFile(output, "utf8")).toBe(
      "a,b,y_0,y_1\n1.0,2.0,1.0,2.0\n,3.0,,3.0\n,4.0,,4.0\n5.5,,5.5,\n",
    );
  });

  it("names the file and line of a JSON Lines row that is not valid JSON", async () => {
    const input = join(dir, "broken.jsonl");
    await writeFile(input, '{"a":1,"b":2}\n\n{"a":1,"b":2\n');
    await expect(predict(await identityModel("FP32"), input, join(dir, "broken-out.jsonl"))).rejects.toThrow(
      /broken\.jsonl line 3: not valid JSON/,
    );
  });

  it("refuses a missing value for an integer input, naming the column, the file and the row", async () => {
    const input = join(dir, "na-int.csv");
    await writeFile(input, "a,b\n1,2\n3,4\n5,6\n7,8\n9,NA\n");
    await expect(predict(await identityModel("INT64"), input, join(dir, "na-int-out.csv"))).rejects.toThrow(
      "na-int.csv rows 5-5: column b, row 5 (line 6): missing value 'NA' (the model takes INT64 here; " +
        "pandas reads a column with missing values as float64, which MLflow's schema enforcement refuses " +
        "to cast to INT64)",
    );
    const jsonl = join(dir, "na-int.jsonl");
    await writeFile(jsonl, '{"a":1,"b":2}\n{"a":null,"b":3}\n');
    await expect(predict(await identityModel("INT32"), jsonl, join(dir, "na-int-out.jsonl"))).rejects.toThrow(
      /na-int\.jsonl rows 1-2: column a, row 2: missing value \(empty\) \(the model takes INT32/,
    );
  });

  it("refuses a missing value in a column the signature types long, even for a float tensor", async () => {
    const signature: ModelSignature = {
      kind: "columns",
      inputs: [
        { name: "a", type: "double", required: true },
        { name: "b", type: "long", required: true },
      ],
    };
    const model = await identityModel("FP32", signature);
    const input = join(dir, "na-long.csv");
    await writeFile(input, "a,b\nNA,2\n3,null\n");
    await expect(predict(model, input, join(dir, "na-long-out.csv"))).rejects.toThrow(
      // read_csv with the signature's dtypes (MLflow's CSV reading for a column signature) refuses it.
      /na-long\.csv rows 1-2: column b, row 2 \(line 3\): missing value "null", refused by read_csv .*'Integer column has NA values in column 1'$/,
    );
  });
});
