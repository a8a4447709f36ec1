import type { FileMetaData } from "hyparquet";
import { describe, expect, it } from "vitest";

import { ParquetPlainColumns } from "./parquetPlainColumns.js";
import {
  doubles,
  joined,
  openBytes,
  readCells,
  useScratchDirectory,
  writeHyparquet,
  writeV1File,
} from "./parquetPlainColumnsFixtures.js";

useScratchDirectory();

describe("Parquet plain columns", () => {
  it("leaves columns with nulls to hyparquet, which gives null cells as before", async () => {
    const data = Array.from({ length: 2000 }, (_, i) => (i === 1500 ? null : i / 4));
    for (const statistics of [true, false]) {
      const path = await writeHyparquet(
        `nulls-${statistics}.parquet`,
        [
          { name: "x", data, type: "DOUBLE", nullable: true },
          { name: "y", data: doubles(2000, 8), type: "DOUBLE", nullable: true },
        ],
        { codec: "SNAPPY", rowGroupSize: 1000, statistics },
      );
      const { cells, typed } = await readCells(path, { chunkRows: 1000 });
      expect(cells["x"]).toEqual(data);
      expect(cells["y"]).toEqual(Array.from(doubles(2000, 8)));
      // The first row group is read in a window of its own (parquetReader.ts), and its x has no null.
      expect(typed["x"]).toEqual([true, false]);
      expect(typed["y"]).toEqual([true, true]);

      const { file, metadata } = await openBytes(path);
      const plain = new ParquetPlainColumns(file, metadata);
      expect([...(await plain.read(["x", "y"], 1000, 2000)).keys()]).toEqual(["y"]);
      expect(joined((await plain.read(["x"], 0, 1000)).get("x"), 0, 1000)).toEqual(data.slice(0, 1000));
      expect((await plain.read(["x"], 900, 1100)).has("x")).toBe(false);
    }
  });

  it("leaves version 1 pages with nulls to hyparquet", async () => {
    const dictionary = doubles(5, 13);
    const path = await writeV1File("v1-nulls.parquet", {
      optional: true,
      codec: "SNAPPY",
      dictionary,
      pages: [{ indices: [0, 1, 2, 3, 4, 0, 1, 2, 3, 4] }, { indices: [4, 3, 2], nulls: [1] }],
    });
    const d = (index: number): number => dictionary[index] as number;
    const { cells, typed } = await readCells(path);
    expect(cells["x"]).toEqual([...[0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 4].map(d), null, d(3), d(2)]);
    expect(typed["x"]).toEqual([false]);
    const { file, metadata } = await openBytes(path);
    const plain = new ParquetPlainColumns(file, metadata);
    expect((await plain.read(["x"], 0, 14)).has("x")).toBe(false);
  });

  it("leaves encodings other than PLAIN and dictionary to hyparquet", async () => {
    const length = 500;
    const path = await writeHyparquet(
      "delta.parquet",
      [
        {
          name: "d",
          data: BigInt64Array.from({ length }, (_, i) => BigInt(i * 3)),
          type: "INT64",
          encoding: "DELTA_BINARY_PACKED",
        },
        { name: "s", data: doubles(length, 14), type: "DOUBLE", encoding: "BYTE_STREAM_SPLIT" },
      ],
      { rowGroupSize: 200 },
    );
    const { file, metadata } = await openBytes(path);
    const plain = new ParquetPlainColumns(file, metadata);
    expect((await plain.read(["d", "s"], 0, 100)).size).toBe(0);
    const { cells } = await readCells(path, { chunkRows: 150 });
    expect(cells["d"]).toEqual(Array.from({ length }, (_, i) => i * 3));
    expect(cells["s"]).toEqual(Array.from(doubles(length, 14)));
  });

  it("leaves timestamps, dates, decimals, unsigned integers and text to hyparquet", async () => {
    const path = await writeHyparquet(
      "converted.parquet",
      [
        { name: "when", data: [new Date(0), new Date(86_400_000)], type: "TIMESTAMP" },
        { name: "text", data: ["a", "b"], type: "STRING" },
        { name: "plain", data: Float64Array.of(1, 2), type: "DOUBLE" },
      ],
      {},
    );
    const { file, metadata } = await openBytes(path);
    expect([
      ...(await new ParquetPlainColumns(file, metadata).read(["when", "text", "plain"], 0, 2)).keys(),
    ]).toEqual(["plain"]);
    const { cells } = await readCells(path);
    expect(cells["when"]).toEqual(["1970-01-01T00:00:00.000Z", "1970-01-02T00:00:00.000Z"]);

    for (const element of [
      { converted_type: "DATE" },
      { converted_type: "DECIMAL", scale: 2, precision: 9 },
      { converted_type: "UINT_32" },
      { logical_type: { type: "INTEGER", bitWidth: 32, isSigned: false } },
    ] as const) {
      const annotated: FileMetaData = {
        ...metadata,
        schema: metadata.schema.map((entry) =>
          entry.name === "plain" ? { ...entry, type: "INT32", ...element } : entry,
        ),
        row_groups: metadata.row_groups.map((group) => ({
          ...group,
          columns: group.columns.map((chunk) =>
            chunk.meta_data?.path_in_schema[0] === "plain"
              ? { ...chunk, meta_data: { ...chunk.meta_data, type: "INT32" } }
              : chunk,
          ),
        })),
      };
      expect((await new ParquetPlainColumns(file, annotated).read(["plain"], 0, 2)).size).toBe(0);
    }
  });
});
