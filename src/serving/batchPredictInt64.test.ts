/**
 * Regression: `flowops predict` gave an INT64 model a Parquet int64 column's values beyond 2^53 rounded to a
 * double (the input column, passed through, kept its exact values, so the two disagreed), and refused
 * 9223372036854775807 as out of range. The model here echoes its input, so its outputs are what it was given.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

const EXACT = [1234567890123456789n, 9007199254740993n, 9223372036854775807n, -9223372036854775808n, 5n];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-int64-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** y = x over an [N, 1] INT64 input, as an ONNX Identity model answers. */
const echo: LoadedModel = {
  name: "echo",
  version: "1",
  platform: "test",
  inputs: [{ name: "x", datatype: "INT64", shape: [-1, 1] }],
  outputs: [{ name: "y", datatype: "INT64", shape: [-1, 1] }],
  ready: () => true,
  infer(inputs: Tensor[]): Promise<Tensor[]> {
    const x = inputs[0] as Tensor;
    return Promise.resolve([{ name: "y", datatype: "INT64", shape: x.shape, data: x.data }]);
  },
  close: () => Promise.resolve(),
};

async function predictToCsv(input: string): Promise<string[]> {
  const output = `${input}.out.csv`;
  await batchPredict(echo, { input: openTable(input), output, batchSize: 2, partRows: 64, columns: ["x"] });
  return (await readFile(output, "utf8")).trim().split("\n");
}

describe("batchPredict with INT64 values beyond 2^53", () => {
  it("gives the model a Parquet int64 column's exact values, the INT64 limits included", async () => {
    const input = join(dir, "ids.parquet");
    const buffer = parquetWriteBuffer({
      columnData: [{ name: "x", data: BigInt64Array.from(EXACT), type: "INT64", nullable: false }],
    });
    await writeFile(input, new Uint8Array(buffer));
    expect(await predictToCsv(input)).toEqual(["x,y_0", ...EXACT.map((value) => `${value},${value}`)]);
  });

  it("gives the model a CSV column's exact integers", async () => {
    const input = join(dir, "ids.csv");
    await writeFile(input, `x\n${EXACT.join("\n")}\n`);
    expect(await predictToCsv(input)).toEqual(["x,y_0", ...EXACT.map((value) => `${value},${value}`)]);
  });
});
