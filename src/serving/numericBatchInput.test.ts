import { describe, expect, it } from "vitest";

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ColumnarTableChunk, type ColumnValues } from "../tables/columnarTableChunk.js";
import { ParsedCsvTableChunk, type CsvTableChunk } from "../tables/csvChunk.js";
import { openTable } from "../tables/openTable.js";
import { numericBatchInput } from "./numericBatchInput.js";
import type { TensorSpec } from "./tensor.js";

function chunkOf(columns: Record<string, ColumnValues>): ColumnarTableChunk {
  const names = Object.keys(columns);
  const rows = Object.values(columns)[0]?.length ?? 0;
  return new ColumnarTableChunk("in.parquet", names, new Map(Object.entries(columns)), 0, rows);
}

const modelWith = (...inputs: TensorSpec[]) => ({ inputs });

describe("numericBatchInput", () => {
  const chunk = chunkOf({
    f: Float32Array.from([0.5, 1.5, 2.5, 3.5]),
    d: Float64Array.from([10, 20, 30, 40]),
    i: Int32Array.from([-1, -2, -3, -4]),
    c: [100, 200, 300, 400],
  });

  it("interleaves float, double, integer and cell columns into one row-major FP32 tensor for a row range", () => {
    const input = numericBatchInput(modelWith({ name: "x", datatype: "FP32", shape: [-1, 4] }), chunk, [
      "f",
      "d",
      "i",
      "c",
    ]);
    const [tensor] = input?.(1, 3) ?? [];
    expect(tensor?.shape).toEqual([2, 4]);
    expect(tensor?.data).toBeInstanceOf(Float32Array);
    expect(Array.from(tensor?.data as Float32Array)).toEqual([1.5, 20, -2, 200, 2.5, 30, -3, 300]);
  });

  it("gives an FP64 model a Float64Array in the order of the names given", () => {
    const input = numericBatchInput(modelWith({ name: "x", datatype: "FP64", shape: [-1, 2] }), chunk, [
      "i",
      "f",
    ]);
    const [tensor] = input?.(0, 4) ?? [];
    expect(tensor?.data).toBeInstanceOf(Float64Array);
    expect(Array.from(tensor?.data as Float64Array)).toEqual([-1, 0.5, -2, 1.5, -3, 2.5, -4, 3.5]);
  });

  it("leaves models with several inputs or a different feature count to the frame path", () => {
    const two = modelWith(
      { name: "x", datatype: "FP32", shape: [-1, 1] },
      { name: "y", datatype: "FP32", shape: [-1, 1] },
    );
    expect(numericBatchInput(two, chunk, ["f", "d"])).toBeUndefined();
    const wide = modelWith({ name: "x", datatype: "FP32", shape: [-1, 3] });
    expect(numericBatchInput(wide, chunk, ["f", "d"])).toBeUndefined();
  });
});

describe("numericBatchInput on CSV parsed on a reading thread", () => {
  async function csvChunk(): Promise<CsvTableChunk> {
    const dir = await mkdtemp(join(tmpdir(), "flowops-numeric-input-"));
    try {
      await writeFile(join(dir, "in.csv"), "a,b\n1,2\n3,4\n");
      for await (const chunk of openTable(join(dir, "in.csv")).chunks()) return chunk as CsvTableChunk;
      throw new Error("no chunk");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const model = modelWith({ name: "x", datatype: "FP64", shape: [-1, 2] });

  it("takes the columns the reading thread parsed, and reads the others from the text", async () => {
    const chunk = await csvChunk();
    // Numbers unlike the text's, to see which were used.
    const sent = (numbers: [string, Float64Array][]): ParsedCsvTableChunk =>
      new ParsedCsvTableChunk("in.csv", chunk.columns, chunk.selected, 0, chunk.sink, new Map(numbers));
    const both = numericBatchInput(
      model,
      sent([
        ["a", Float64Array.from([10, 30])],
        ["b", Float64Array.from([20, 40])],
      ]),
      ["a", "b"],
    );
    expect(Array.from(both?.(0, 2)[0]?.data as Float64Array)).toEqual([10, 20, 30, 40]);
    const one = numericBatchInput(model, sent([["b", Float64Array.from([20, 40])]]), ["a", "b"]);
    expect(Array.from(one?.(0, 2)[0]?.data as Float64Array)).toEqual([1, 20, 3, 40]);
    const none = numericBatchInput(model, sent([]), ["a", "b"]);
    expect(Array.from(none?.(0, 2)[0]?.data as Float64Array)).toEqual([1, 2, 3, 4]);
  });
});
