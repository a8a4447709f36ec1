/**
 * Regression: for a model whose signature names its input columns, `flowops predict --columns` was ignored on
 * the fast numeric path (numericBatchInput.ts): a name the input lacks (a typo in a pipeline stage's command)
 * was accepted, and a signature column that --columns left out was read from the file anyway, where the
 * general frame path refuses both. Found running `predict` as the `label` stage of examples/pseudo-labeling.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { openTableWriter } from "../tables/openTableWriter.js";
import { batchPredict } from "./batchPredict.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

let dir: string;
const inputs: Record<"csv" | "parquet", string> = { csv: "", parquet: "" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-columns-"));
  inputs.csv = join(dir, "in.csv");
  await writeFile(inputs.csv, "a,b,c\n1,2,3\n4,5,6\n");
  inputs.parquet = join(dir, "in.parquet");
  const writer = openTableWriter(inputs.parquet, "parquet", ["a", "b", "c"]);
  await writer.write({ a: Float64Array.of(1, 4), b: Float64Array.of(2, 5), c: Float64Array.of(3, 6) });
  await writer.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** sum = a + b, over one [N, 2] FP64 input whose signature names the columns a and b. */
const summing: LoadedModel = {
  name: "summer",
  version: "1",
  platform: "test",
  inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
  outputs: [{ name: "sum", datatype: "FP64", shape: [-1] }],
  signature: {
    kind: "columns",
    inputs: [
      { name: "a", type: "double", required: true },
      { name: "b", type: "double", required: true },
    ],
  },
  ready: () => true,
  infer(tensors: Tensor[]): Promise<Tensor[]> {
    const x = (tensors[0] as Tensor).data as Float64Array;
    const sum = Float64Array.from({ length: x.length / 2 }, (_, r) => (x[2 * r] ?? 0) + (x[2 * r + 1] ?? 0));
    return Promise.resolve([{ name: "sum", datatype: "FP64", shape: [sum.length], data: sum }]);
  },
  close: () => Promise.resolve(),
};

function predict(format: "csv" | "parquet", columns: string[], output: string) {
  return batchPredict(summing, { input: openTable(inputs[format]), output, batchSize: 2, columns });
}

describe.each(["csv", "parquet"] as const)(
  "batchPredict --columns with a column signature (%s)",
  (format) => {
    it("refuses a column the input lacks", async () => {
      const output = join(dir, `typo-${format}.csv`);
      await expect(predict(format, ["a", "b", "nope"], output)).rejects.toThrow(/nope/);
      expect(existsSync(output)).toBe(false);
    });

    it("refuses to read a signature column that --columns leaves out from the file", async () => {
      const output = join(dir, `narrow-${format}.csv`);
      await expect(predict(format, ["a", "c"], output)).rejects.toThrow(/\bb\b/);
      expect(existsSync(output)).toBe(false);
    });

    it("takes the signature's columns by name from those --columns names", async () => {
      const output = join(dir, `reordered-${format}.csv`);
      await predict(format, ["c", "b", "a"], output);
      const sums: number[] = [];
      for await (const chunk of openTable(output).chunks()) sums.push(...chunk.column("sum").map(Number));
      expect(sums).toEqual([3, 9]);
    });
  },
);
