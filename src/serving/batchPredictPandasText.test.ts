/**
 * Regression: batch prediction wrote a float column's whole values without a point (`1`, which a reader takes
 * for int64), exponents in JavaScript's form (`0.00001`, `10000000000000000`), a FLOAT column with nulls as
 * doubles (`0.30000001192092896`), and nested Parquet columns to JSON Lines as JSON text in a string
 * (`"[1,2]"`). The expected text is what pandas 3.1.1 writes for the fixture after `pd.read_parquet`
 * (test/fixtures/tables/nested/generate.py prints it), but for the deliberate differences noted below.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import { doublingModel } from "./batchPredictFixtures.js";

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/tables/nested/nested.parquet", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-pandas-text-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function predicted(format: "csv" | "jsonl", input = FIXTURE): Promise<string[]> {
  const output = join(dir, `out.${format}`);
  await batchPredict(doublingModel, { input: openTable(input), output, batchSize: 2, columns: ["x"] });
  return (await readFile(output, "utf8")).trimEnd().split("\n");
}

describe("batchPredict text output of Parquet float and nested columns", () => {
  it("writes float columns to CSV as pandas' to_csv does, passthrough and prediction alike", async () => {
    const lines = await predicted("csv");
    // Up to the nested columns, which pandas writes as numpy and Python reprs (`[1 2]`) and we as JSON text.
    expect(lines.map((line) => line.split(",").slice(0, 4).join(","))).toEqual([
      "x,d,f,dn",
      "1.0,1.0,2.0,1.0",
      "2.0,-0.0,0.3,",
      "3.0,1e-05,1e+07,2.5",
      "4.0,1e+16,1.5e-05,1e+20",
    ]);
    expect(lines.map((line) => line.split(",").at(-1))).toEqual(["p", "2.0", "4.0", "6.0", "8.0"]);
  });

  it("writes floats and nested columns to JSON Lines as the JSON values pandas' to_json writes", async () => {
    const lines = await predicted("jsonl");
    // pandas rounds floats to 10 digits (0.3f as 0.3000000119) and writes -0.0 as 0.0; we keep every digit.
    expect(lines).toEqual([
      '{"x":1.0,"d":1.0,"f":2.0,"dn":1.0,"lst":[1,2],"lstd":[1.0,2.5],"mp":[["k",1],["j",2]],' +
        '"st":{"x":1.0,"y":"u"},"nested":[[1,2],[3]],"p":2.0}',
      '{"x":2.0,"d":-0.0,"f":0.3,"dn":null,"lst":[],"lstd":[],"mp":[],"st":{"x":null,"y":"w"},"nested":[],"p":4.0}',
      '{"x":3.0,"d":0.00001,"f":10000000.0,"dn":2.5,"lst":null,"lstd":null,"mp":null,"st":null,"nested":null,' +
        '"p":6.0}',
      '{"x":4.0,"d":10000000000000000.0,"f":0.000015,"dn":100000000000000000000.0,"lst":[3],"lstd":[0.00001],' +
        '"mp":[["x",3]],"st":{"x":2.5,"y":null},"nested":[null],"p":8.0}',
    ]);
  });

  it("writes a JSON Lines float column's copied text as pandas does where String's is not pandas'", async () => {
    const input = join(dir, "in.jsonl");
    await writeFile(input, ['{"x":1.5}', '{"x":2.0}', '{"x":1e-5}', '{"x":0.25}', ""].join("\n"));
    expect(await predicted("csv", input)).toEqual(["x,p", "1.5,3.0", "2.0,4.0", "1e-05,2e-05", "0.25,0.5"]);
    expect(await predicted("jsonl", input)).toEqual([
      '{"x":1.5,"p":3.0}',
      '{"x":2.0,"p":4.0}',
      '{"x":0.00001,"p":0.00002}',
      '{"x":0.25,"p":0.5}',
    ]);
  });
});
