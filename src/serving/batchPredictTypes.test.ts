/**
 * The types of the input columns batch prediction copies to its output: as pandas would have read them
 * (MLflow's batch scoring), not as the text of a CSV file or as JSON's one kind of number.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata, parquetSchema } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import type { CellValue } from "../tables/tableChunk.js";
import { batchPredict } from "./batchPredict.js";
import { doublingModel } from "./batchPredictFixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-types-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const doubling = doublingModel;

async function predict(input: string, output: string, partRows = 64): Promise<void> {
  await batchPredict(doubling, { input: openTable(input), output, batchSize: 2, partRows, columns: ["a"] });
}

async function parquetTypes(path: string): Promise<Record<string, string>> {
  const bytes = await readFile(path);
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const types: Record<string, string> = {};
  for (const child of parquetSchema(metadata).children) {
    const element = child.element;
    types[element.name] = element.converted_type === "UTF8" ? "STRING" : String(element.type);
  }
  return types;
}

async function readAll(path: string): Promise<Record<string, CellValue[]>> {
  const result: Record<string, CellValue[]> = {};
  for await (const chunk of openTable(path).chunks()) {
    for (const name of chunk.columns) (result[name] ??= []).push(...chunk.column(name));
  }
  return result;
}

const CSV =
  "id,a,n,f,s,m,big\n" +
  "1,1,-10,1.5,x,5,9007199254740993\n" +
  "2,2,+20,2,NA,,-9007199254740993\n" +
  "3,3,030,NaN,z,7,0\n" +
  "4,4,40,inf,,8,1\n";

describe("batchPredict input columns in typed outputs", () => {
  it("writes CSV columns to JSON Lines as pandas types them: int64, float64, text, missing as null", async () => {
    const input = join(dir, "typed.csv");
    await writeFile(input, CSV);
    const output = join(dir, "typed-out.jsonl");
    await predict(input, output);
    expect((await readFile(output, "utf8")).split("\n")).toEqual([
      // float64 columns (`m`: integers with a missing value) write whole values as floats, as pandas does.
      '{"id":1,"a":1,"n":-10,"f":1.5,"s":"x","m":5.0,"big":9007199254740993,"p":2.0}',
      '{"id":2,"a":2,"n":20,"f":2.0,"s":null,"m":null,"big":-9007199254740993,"p":4.0}',
      '{"id":3,"a":3,"n":30,"f":null,"s":"z","m":7.0,"big":0,"p":6.0}',
      '{"id":4,"a":4,"n":40,"f":null,"s":null,"m":8.0,"big":1,"p":8.0}',
      "",
    ]);
  });

  it("writes CSV columns to Parquet as INT64, DOUBLE and STRING, joining the parts' types", async () => {
    const input = join(dir, "typed-parts.csv");
    await writeFile(input, CSV);
    const output = join(dir, "typed-out.parquet");
    // Parts of two rows: `m` has a missing value in the first (float64) and integers only in the second.
    await predict(input, output, 2);
    expect(await parquetTypes(output)).toEqual({
      id: "INT64",
      a: "INT64",
      n: "INT64",
      f: "DOUBLE",
      s: "STRING",
      m: "DOUBLE",
      big: "INT64",
      p: "DOUBLE",
    });
    const table = await readAll(output);
    expect(table.f).toEqual([1.5, 2, null, Infinity]);
    expect(table.s).toEqual(["x", null, "z", null]);
    expect(table.m).toEqual([5, null, 7, 8]);
    expect(table.big).toEqual(["9007199254740993", "-9007199254740993", 0, 1]);
  });

  it("keeps the CSV output a verbatim copy of the input cells", async () => {
    const input = join(dir, "verbatim.csv");
    await writeFile(input, CSV);
    const output = join(dir, "verbatim-out.csv");
    await predict(input, output);
    const lines = CSV.trimEnd().split("\n");
    const expected = [`${lines[0]},p`, ...lines.slice(1).map((line, r) => `${line},${(r + 1) * 2}.0`)];
    expect(await readFile(output, "utf8")).toBe(`${expected.join("\n")}\n`);
  });

  it("keeps JSON Lines integers integers: 123 in JSON Lines, INT64 in Parquet", async () => {
    const input = join(dir, "ints.jsonl");
    await writeFile(
      input,
      '{"id":123,"a":1,"g":2.0,"f":1.5,"s":"x"}\n{"id":124,"a":2,"g":3.0,"f":2,"s":null}\n',
    );
    const jsonl = join(dir, "ints-out.jsonl");
    await predict(input, jsonl);
    expect(await readFile(jsonl, "utf8")).toBe(
      '{"id":123,"a":1,"g":2,"f":1.5,"s":"x","p":2.0}\n{"id":124,"a":2,"g":3,"f":2.0,"s":null,"p":4.0}\n',
    );
    const parquet = join(dir, "ints-out.parquet");
    await predict(input, parquet);
    // pandas.read_json makes a column of integral numbers int64 whether written 2 or 2.0; JSON.parse cannot tell.
    expect(await parquetTypes(parquet)).toEqual({
      id: "INT64",
      a: "INT64",
      g: "INT64",
      f: "DOUBLE",
      s: "STRING",
      p: "DOUBLE",
    });
    expect((await readAll(parquet)).id).toEqual([123, 124]);
  });

  it("keeps JSON Lines integers beyond 2^53 exact in every output format", async () => {
    const input = join(dir, "big-ids.jsonl");
    await writeFile(input, '{"id":1234567890123456789,"a":1}\n{"id":9007199254740993,"a":2}\n');
    const jsonl = join(dir, "big-ids-out.jsonl");
    await predict(input, jsonl);
    expect(await readFile(jsonl, "utf8")).toBe(
      '{"id":1234567890123456789,"a":1,"p":2.0}\n{"id":9007199254740993,"a":2,"p":4.0}\n',
    );
    const csv = join(dir, "big-ids-out.csv");
    await predict(input, csv);
    expect(await readFile(csv, "utf8")).toBe("id,a,p\n1234567890123456789,1,2.0\n9007199254740993,2,4.0\n");
    const parquet = join(dir, "big-ids-out.parquet");
    await predict(input, parquet);
    expect((await parquetTypes(parquet)).id).toBe("INT64");
    expect((await readAll(parquet)).id).toEqual(["1234567890123456789", "9007199254740993"]);
  });
});
