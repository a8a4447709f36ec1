/**
 * Regression: batch prediction typed a CSV file's cells for a column signature by its own rules, unlike
 * MLflow's reading of CSV for such a model (`parse_csv_input(csv, schema)`: read_csv with the signature's
 * dtypes, which the HTTP path follows): true/false text in an int or float column was refused ("expected an
 * integer that fits INT32", "'true' is not a number") where read_csv takes it as 1/0, and refusals gave no
 * reason of read_csv's. Expected values and reasons are those of mlflow 3.17.2's parse_csv_input (pandas
 * 3.1.1) on the same text; the file, row and line are FlowOps' own. Real onnxruntime sessions over Identity
 * models show what the model was fed.
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
import type { ColumnType, ModelSignature } from "./signature.js";
import type { Datatype } from "./tensor.js";

let dir: string;
const models: LoadedModel[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-csv-casts-"));
});
afterAll(async () => {
  await Promise.all(models.map((model) => model.close()));
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS: [string, Datatype, ColumnType][] = [
  ["a", "INT32", "integer"],
  ["b", "INT64", "long"],
  ["c", "FP32", "float"],
  ["d", "FP64", "double"],
];

/** One [N] input per column (as MLflow's onnx flavor feeds a multi-input model), each echoed as o<name>. */
async function columnsModel(): Promise<LoadedModel> {
  return onnxModel(
    COLUMNS.map(([name, datatype]) => ({ name, datatype, shape: [-1] })),
    { kind: "columns", inputs: COLUMNS.map(([name, , type]) => ({ name, type, required: true })) },
  );
}

/** x [N, 2] of `datatype` fed from columns f0 and f1 of signature type `type`: the fast path's model. */
async function stackedModel(datatype: Datatype, type: ColumnType): Promise<LoadedModel> {
  return onnxModel([{ name: "x", datatype, shape: [-1, 2] }], {
    kind: "columns",
    inputs: ["f0", "f1"].map((name) => ({ name, type, required: true })),
  });
}

async function onnxModel(
  inputs: { name: string; datatype: Datatype; shape: number[] }[],
  signature: ModelSignature,
): Promise<LoadedModel> {
  const path = join(dir, `model-${models.length}.onnx`);
  const bytes = encodeOnnxModel({
    name: "identity",
    inputs,
    outputs: inputs.map((input) => ({ ...input, name: `o${input.name}` })),
    initializers: [],
    nodes: inputs.map((input) => ({ opType: "Identity", inputs: [input.name], outputs: [`o${input.name}`] })),
  });
  await writeFile(path, bytes);
  const model = await loadOnnxModel(path, {
    name: "identity",
    version: "1",
    execution: "inline",
    log: () => undefined,
    signature,
  });
  models.push(model);
  return model;
}

let files = 0;
async function predicted(model: LoadedModel, csv: string): Promise<Record<string, unknown>[]> {
  const input = join(dir, `in-${files++}.csv`);
  await writeFile(input, csv);
  const output = `${input}.out.jsonl`;
  await batchPredict(model, { input: openTable(input), output, batchSize: 2 });
  const lines = (await readFile(output, "utf8")).trim().split("\n");
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function refusal(model: LoadedModel, csv: string): Promise<string> {
  const input = join(dir, `bad-${files++}.csv`);
  await writeFile(input, csv);
  try {
    await batchPredict(model, { input: openTable(input), output: `${input}.out.csv`, batchSize: 2 });
  } catch (error) {
    return (error as Error).message.replace(dir + "/", "");
  }
  throw new Error("batchPredict took the file");
}

function outputs(rows: Record<string, unknown>[], names: string[]): unknown[][] {
  return rows.map((row) => names.map((name) => row[name]));
}

const REFUSED = "refused by read_csv with the signature's dtypes, as MLflow reads CSV for this model: ";

describe("batch prediction of CSV files for a column signature, as read_csv with its dtypes", () => {
  it("takes true/false text in int and float columns as 1 and 0", async () => {
    const rows = await predicted(
      await columnsModel(),
      "a,b,c,d\ntrue,False,TRUE,false\nFalse,true,false,True\n",
    );
    expect(outputs(rows, ["oa", "ob", "oc", "od"])).toEqual([
      [1, 0, 1, 0],
      [0, 1, 0, 1],
    ]);
  });

  it("refuses true/false beside numbers in one column as a whole, naming the chunk's rows", async () => {
    expect(await refusal(await columnsModel(), "a,b,c,d\n1,2,TRUE,4\n5,6,1.5,8\n")).toBe(
      `bad-${files - 1}.csv rows 1-2: column c, rows 1-2 ${REFUSED}'could not convert string to float: 'TRUE''`,
    );
  });

  it("takes true/false text on the stacked fast path's model too", async () => {
    const rows = await predicted(await stackedModel("FP32", "double"), "f0,f1\ntrue,1.25\nfalse,2\n");
    expect(outputs(rows, ["ox_0", "ox_1"])).toEqual([
      [1, 1.25],
      [0, 2],
    ]);
  });

  it("takes whole floats in int columns and keeps NA as NaN in float columns", async () => {
    const rows = await predicted(await columnsModel(), "a,b,c,d\n2.0,1e5,NA,\n3,4,5,6\n");
    expect(outputs(rows, ["oa", "ob", "oc", "od"])).toEqual([
      [2, 100000, null, null],
      [3, 4, 5, 6],
    ]);
  });

  it("refuses NA, fractions, overflow and text in int columns with read_csv's reason, column and row", async () => {
    const model = await columnsModel();
    expect(await refusal(model, "a,b,c,d\n1,2,3,4\n5,NA,7,8\n")).toBe(
      `bad-${files - 1}.csv rows 1-2: column b, row 2 (line 3): missing value "NA", ${REFUSED}` +
        "'Integer column has NA values in column 1'",
    );
    expect(await refusal(model, "a,b,c,d\n1,2,3,4\n5,6,7,8\n9,10.5,11,12\n")).toBe(
      `bad-${files - 1}.csv rows 1-3: column b, row 3 (line 4): "10.5", ${REFUSED}` +
        "'cannot safely convert passed user dtype of int64 for float64 dtyped data in column 1'",
    );
    expect(await refusal(model, "a,b,c,d\n2147483648,2,3,4\n")).toMatch(
      /column a, row 1 \(line 2\): "2147483648", .*'cannot safely convert passed user dtype of int32 for int64 dtyped data in column 0'$/,
    );
    expect(await refusal(model, "a,b,c,d\n1,18446744073709551616,3,4\n")).toMatch(
      /column b, row 1 \(line 2\): "18446744073709551616", .*'Overflow'$/,
    );
    expect(await refusal(model, "a,b,c,d\n1,2,abc,4\n")).toMatch(
      /column c, row 1 \(line 2\): "abc", .*'could not convert string to float: 'abc''$/,
    );
  });

  it("names the row whose cell is refused for the column's reason, not an earlier missing one", async () => {
    const model = await columnsModel();
    expect(await refusal(model, "a,b,c,d\nNA,2,3,4\n1.5,6,7,8\n")).toMatch(
      /column a, row 2 \(line 3\): "1\.5", .*int32 for float64 dtyped data in column 0'$/,
    );
  });

  it("refuses a fraction in a long column that feeds a float tensor, as read_csv does", async () => {
    const model = await stackedModel("FP32", "long");
    expect(await refusal(model, "f0,f1\n1,2\n3,4.5\n")).toMatch(
      /rows 1-2: column f1, row 2 \(line 3\): "4\.5", .*int64 for float64 dtyped data in column 1'$/,
    );
  });
});
