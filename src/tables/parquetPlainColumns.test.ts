import type { ColumnSource } from "hyparquet-writer";
import { describe, expect, it } from "vitest";

import { openTable } from "./openTable.js";
import { openTableWriter } from "./openTableWriter.js";
import { ParquetPlainColumns } from "./parquetPlainColumns.js";
import {
  doubles,
  hyparquetCells,
  joined,
  openBytes,
  readCells,
  scratchPath,
  useScratchDirectory,
  writeHyparquet,
  writeV1File,
} from "./parquetPlainColumnsFixtures.js";

useScratchDirectory();

describe("Parquet plain columns", () => {
  it("reads the OPTIONAL numeric columns our writer writes as the typed arrays of their type", async () => {
    const path = scratchPath("ours.parquet");
    const names = ["f64", "f32", "i32", "i64"];
    const writer = openTableWriter(path, "parquet", names);
    const batches = [700, 1, 299];
    const f64 = doubles(1000, 1);
    const i64 = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i * 1000 - 7));
    i64[500] = 2n ** 60n + 9n;
    i64[501] = -(2n ** 53n);
    let start = 0;
    for (const rows of batches) {
      const end = start + rows;
      await writer.write({
        f64: f64.subarray(start, end),
        f32: Float32Array.from(f64.subarray(start, end)),
        i32: Int32Array.from(f64.subarray(start, end), Math.round),
        i64: i64.subarray(start, end),
      });
      start = end;
    }
    await writer.close();

    const { cells, typed } = await readCells(path, { chunkRows: 333 });
    expect(cells["f64"]).toEqual(Array.from(f64));
    expect(cells["f32"]).toEqual(Array.from(Float32Array.from(f64)));
    expect(cells["i32"]).toEqual(Array.from(f64, Math.round));
    for (const name of names) expect(cells[name]).toEqual(await hyparquetCells(path, name));
    expect(cells["i64"]?.[500]).toBe((2n ** 60n + 9n).toString());
    expect(cells["i64"]?.[501]).toBe((-(2n ** 53n)).toString());
    expect(cells["i64"]?.[999]).toBe(998_993);
    expect(typed["f64"]).toEqual([true, true, true, true]);
    expect(typed["f32"]).toEqual([true, true, true, true]);
    expect(typed["i32"]).toEqual([true, true, true, true]);
    // INT64 stays cells, as it always was: its values are not all exact as numbers.
    expect(typed["i64"]).toEqual([false, false, false, false]);
  });

  it("reads only the selected columns", async () => {
    const path = scratchPath("selected.parquet");
    const writer = openTableWriter(path, "parquet", ["a", "b", "c"]);
    await writer.write({ a: doubles(50, 1), b: doubles(50, 2), c: doubles(50, 3) });
    await writer.close();
    const { cells } = await readCells(path, { columns: ["c", "a"] });
    expect(Object.keys(cells).sort()).toEqual(["a", "c"]);
    expect(cells["c"]).toEqual(Array.from(doubles(50, 3)));
  });

  it("continues across windows smaller than a row group, fetching each page once", async () => {
    const values = doubles(5000, 4);
    const path = await writeHyparquet(
      "pages.parquet",
      [{ name: "x", data: values, type: "DOUBLE", nullable: true }],
      { codec: "SNAPPY", rowGroupSize: 2000, pageSize: 1024 },
    );
    const { file, metadata, fetched } = await openBytes(path);
    expect(metadata.row_groups[0]?.columns[0]?.meta_data?.encodings).not.toContain("RLE_DICTIONARY");
    const plain = new ParquetPlainColumns(file, metadata);
    const read: number[] = [];
    for (let start = 0; start < values.length; start += 37) {
      const end = Math.min(values.length, start + 37);
      read.push(...joined((await plain.read(["x"], start, end)).get("x"), start, end));
    }
    expect(read).toEqual(Array.from(values));
    expect(fetched()).toBeLessThan(values.byteLength * 1.3);
  });

  it("reads windows that jump back or ahead, and windows spanning row groups", async () => {
    const values = doubles(3000, 5);
    const path = await writeHyparquet(
      "jumps.parquet",
      [{ name: "x", data: values, type: "DOUBLE", nullable: false }],
      { codec: "UNCOMPRESSED", rowGroupSize: 700, pageSize: 2048 },
    );
    const { file, metadata } = await openBytes(path);
    const plain = new ParquetPlainColumns(file, metadata);
    for (const [from, to] of [
      [100, 900],
      [900, 901],
      [50, 60],
      [2999, 3000],
      [0, 3000],
      [1400, 2101],
    ] as const) {
      expect(joined((await plain.read(["x"], from, to)).get("x"), from, to)).toEqual(
        Array.from(values.subarray(from, to)),
      );
    }
  });

  it("reads dictionary-encoded FLOAT, INT32 and INT64 columns as hyparquet does", async () => {
    const length = 3000;
    const path = await writeHyparquet(
      "dictionary.parquet",
      (
        [
          { name: "f", data: Float32Array.from({ length }, (_, i) => (i % 13) / 4), type: "FLOAT" },
          { name: "i", data: Int32Array.from({ length }, (_, i) => (i * 7) % 300), type: "INT32" },
          {
            name: "l",
            data: BigInt64Array.from({ length }, (_, i) => BigInt(i % 5) * 2n ** 40n),
            type: "INT64",
          },
          { name: "r", data: Int32Array.from({ length }, (_, i) => i % 3), type: "INT32", nullable: false },
        ] satisfies ColumnSource[]
      ).map((column): ColumnSource => ({ ...column, encoding: "RLE_DICTIONARY" })),
      { codec: "SNAPPY", rowGroupSize: 1000, pageSize: 500 },
    );
    const { metadata } = await openBytes(path);
    for (const chunk of metadata.row_groups[0]?.columns ?? []) {
      expect(chunk.meta_data?.encodings).toContain("RLE_DICTIONARY");
    }
    const { file } = await openBytes(path);
    expect([
      ...(await new ParquetPlainColumns(file, metadata).read(["f", "i", "l", "r"], 0, 10)).keys(),
    ]).toEqual(["f", "i", "l", "r"]);
    const { cells, typed } = await readCells(path, { chunkRows: 600 });
    for (const name of ["f", "i", "l", "r"]) expect(cells[name]).toEqual(await hyparquetCells(path, name));
    expect(typed["f"]?.every(Boolean)).toBe(true);
    expect(typed["i"]?.every(Boolean)).toBe(true);
    expect(typed["r"]?.every(Boolean)).toBe(true);
  });

  it("reads version 1 pages that fall back from a dictionary to PLAIN, compressed or not", async () => {
    const dictionary = doubles(300, 6);
    const indices = Array.from({ length: 1000 }, (_, i) => (i * i) % 300);
    indices.fill(17, 100, 160);
    const tail = doubles(800, 7);
    for (const codec of ["SNAPPY", "UNCOMPRESSED"] as const) {
      for (const optional of [true, false]) {
        const path = await writeV1File(`v1-${codec}-${optional}.parquet`, {
          optional,
          codec,
          dictionary,
          pages: [
            { indices: indices.slice(0, 600) },
            { indices: indices.slice(600) },
            { values: tail.subarray(0, 500) },
            { values: tail.subarray(500) },
          ],
        });
        const expected = [...indices.map((index) => dictionary[index] as number), ...tail];
        const { cells, typed } = await readCells(path, { chunkRows: 450 });
        expect(cells["x"]).toEqual(expected);
        expect(cells["x"]).toEqual(await hyparquetCells(path, "x"));
        expect(typed["x"]?.every(Boolean)).toBe(true);

        const { file, metadata } = await openBytes(path);
        const plain = new ParquetPlainColumns(file, metadata);
        for (let start = 0; start < expected.length; start += 250) {
          const end = Math.min(expected.length, start + 250);
          expect(joined((await plain.read(["x"], start, end)).get("x"), start, end)).toEqual(
            expected.slice(start, end),
          );
        }
      }
    }
  });

  it("reads an empty file", async () => {
    const path = await writeHyparquet(
      "empty.parquet",
      [{ name: "x", data: new Float64Array(0), type: "DOUBLE" }],
      {},
    );
    const chunks = [];
    for await (const chunk of openTable(path).chunks()) chunks.push(chunk);
    expect(chunks.map((chunk) => [chunk.rowCount, chunk.column("x")])).toEqual([[0, []]]);
    const { file, metadata } = await openBytes(path);
    expect((await new ParquetPlainColumns(file, metadata).read(["x"], 0, 0)).size).toBe(0);
  });
});
