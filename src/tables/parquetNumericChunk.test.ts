import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTableWriter } from "./openTableWriter.js";
import { numericStatistics, plainNumericValues } from "./parquetNumericChunk.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-plain-chunk-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("plain numeric column chunks", () => {
  it("writes typed columns as uncompressed PLAIN pages that read back exactly, nullable", async () => {
    const path = join(dir, "typed.parquet");
    const writer = openTableWriter(path, "parquet", ["f", "d", "i", "l"]);
    await writer.write({
      f: new Float32Array([0.5, -1.25, 3]),
      d: new Float64Array([0.1, 0.2, 0.3]),
      i: new Int16Array([-2, 0, 7]),
      l: new BigInt64Array([2n ** 40n, -1n, 0n]),
    });
    await writer.close();
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.schema.slice(1).map((e) => [e.type, e.repetition_type])).toEqual([
      ["FLOAT", "OPTIONAL"],
      ["DOUBLE", "OPTIONAL"],
      ["INT32", "OPTIONAL"],
      ["INT64", "OPTIONAL"],
    ]);
    const chunks = metadata.row_groups[0]?.columns ?? [];
    expect(chunks.map((c) => [c.meta_data?.codec, c.meta_data?.encodings])).toEqual(
      Array.from({ length: 4 }, () => ["UNCOMPRESSED", ["PLAIN"]]),
    );
    expect(await parquetReadObjects({ file })).toEqual([
      { f: 0.5, d: 0.1, i: -2, l: 2n ** 40n },
      { f: -1.25, d: 0.2, i: 0, l: -1n },
      { f: 3, d: 0.3, i: 7, l: 0n },
    ]);
  });

  it("splits a column larger than a page into several pages that read back in order", async () => {
    const path = join(dir, "pages.parquet");
    const values = Float64Array.from({ length: 300_000 }, (_, i) => i / 4);
    const writer = openTableWriter(path, "parquet", ["x"]);
    await writer.write({ x: values });
    await writer.close();
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.row_groups[0]?.columns[0]?.meta_data?.encoding_stats?.[0]?.count).toBe(3);
    const rows = await parquetReadObjects({ file, rowStart: 299_998 });
    expect(rows).toEqual([{ x: 299_998 / 4 }, { x: 299_999 / 4 }]);
  });

  it("keeps min and max without NaN, with -0 as a zero minimum", () => {
    expect(numericStatistics(new Float32Array([NaN, 2, 0, NaN]))).toEqual({
      null_count: 0n,
      nan_count: 2n,
      min_value: -0,
      max_value: 2,
    });
    expect(numericStatistics(new Float64Array([NaN]))).toEqual({ null_count: 0n, nan_count: 1n });
    expect(numericStatistics(new BigInt64Array([5n, -3n, 9n]))).toEqual({
      null_count: 0n,
      min_value: -3n,
      max_value: 9n,
    });
  });

  it("finds the bounds wherever they sit, in either running lane, for every array type", () => {
    const decreasing = Float32Array.from({ length: 7 }, (_, i) => 7 - i);
    expect(numericStatistics(decreasing)).toMatchObject({ min_value: 1, max_value: 7, nan_count: 0n });
    const shuffled = new Float64Array([4, -2.5, NaN, 9, 0.5, -7, 3, NaN, 8.25]);
    expect(numericStatistics(shuffled)).toMatchObject({ min_value: -7, max_value: 9, nan_count: 2n });
    expect(numericStatistics(new Float32Array([NaN, Infinity, -Infinity]))).toMatchObject({
      min_value: -Infinity,
      max_value: Infinity,
      nan_count: 1n,
    });
    expect(numericStatistics(new Int32Array([3, -2147483648, 2147483647]))).toEqual({
      null_count: 0n,
      min_value: -2147483648,
      max_value: 2147483647,
    });
  });

  it("keeps 64-bit bounds exact inside and outside the range a double holds", () => {
    const safe = new BigInt64Array([-(2n ** 53n) + 1n, 0n, 2n ** 53n - 1n, -1n]);
    expect(numericStatistics(safe)).toEqual({
      null_count: 0n,
      min_value: -(2n ** 53n) + 1n,
      max_value: 2n ** 53n - 1n,
    });
    const large = new BigInt64Array([2n ** 62n + 1n, 2n ** 62n, -(2n ** 63n)]);
    expect(numericStatistics(large)).toEqual({
      null_count: 0n,
      min_value: -(2n ** 63n),
      max_value: 2n ** 62n + 1n,
    });
    expect(numericStatistics(new BigUint64Array([2n ** 64n - 1n, 1n]))).toEqual({
      null_count: 0n,
      min_value: 1n,
      max_value: 2n ** 64n - 1n,
    });
    expect(numericStatistics(new BigInt64Array(new BigInt64Array([9n, -4n, 6n]).buffer, 8, 2))).toEqual({
      null_count: 0n,
      min_value: -4n,
      max_value: 6n,
    });
  });

  it("leaves cells, booleans and text to the general encoder", () => {
    const double = { name: "x", type: "DOUBLE", repetition_type: "OPTIONAL" } as const;
    expect(plainNumericValues(double, [1, 2])).toBeUndefined();
    expect(plainNumericValues({ ...double, type: "BOOLEAN" }, new Uint8Array([1]))).toBeUndefined();
    expect(plainNumericValues({ ...double, type: "BYTE_ARRAY" }, new Float32Array([1]))).toBeUndefined();
    expect(plainNumericValues(double, new Float32Array([1.5]))).toEqual(new Float64Array([1.5]));
  });
});
