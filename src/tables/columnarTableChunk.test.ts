import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { hasTypedColumns } from "./columnarTableChunk.js";
import { concatenated } from "./columnSegments.js";
import { openTable } from "./openTable.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-columnar-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `x` non-null FLOAT, `n` non-null INT32, `label` text; `rows` rows in row groups of `groupRows`. */
async function writeTable(name: string, rows: number, groupRows: number): Promise<string> {
  const path = join(dir, name);
  const buffer = parquetWriteBuffer({
    columnData: [
      {
        name: "x",
        data: Float32Array.from({ length: rows }, (_, r) => r / 4),
        type: "FLOAT",
        nullable: false,
      },
      { name: "n", data: Int32Array.from({ length: rows }, (_, r) => r), type: "INT32", nullable: false },
      { name: "label", data: Array.from({ length: rows }, (_, r) => `l${r}`), type: "STRING" },
    ],
    rowGroupSize: groupRows,
  });
  await writeFile(path, new Uint8Array(buffer));
  return path;
}

describe("Parquet chunks held column by column", () => {
  it("holds non-null numeric columns as typed arrays across row groups and text as cells", async () => {
    const path = await writeTable("typed.parquet", 23, 5);
    const xs: number[] = [];
    const windows: string[] = [];
    for await (const chunk of openTable(path, { chunkRows: 7 }).chunks()) {
      windows.push(`${chunk.startRow}+${chunk.rowCount}`);
      expect(hasTypedColumns(chunk)).toBe(true);
      if (!hasTypedColumns(chunk)) continue;
      const x = chunk.typedColumn("x");
      expect(x).toBeInstanceOf(Float32Array);
      expect(chunk.typedColumn("n")).toBeInstanceOf(Int32Array);
      expect(chunk.typedColumn("label")).toBeUndefined();
      expect(chunk.column("label")[0]).toBe(`l${chunk.startRow}`);
      expect(chunk.column("x")).toEqual(Array.from(x ?? []));
      xs.push(...(x ?? []));
    }
    expect(windows).toEqual(["0+7", "7+7", "14+7", "21+2"]);
    expect(xs).toEqual(Array.from({ length: 23 }, (_, r) => r / 4));
  });

  it("still names a column the file lacks", async () => {
    const path = await writeTable("absent.parquet", 3, 5);
    for await (const chunk of openTable(path).chunks()) {
      expect(() => chunk.column("y")).toThrow(/has no column 'y'; its columns are: x, n, label/);
    }
  });

  it("holds a non-null INT64 column as 64-bit integers, giving cells as before, and one with nulls as cells", async () => {
    const path = join(dir, "int64.parquet");
    const big = 2n ** 60n + 1n;
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "id", data: BigInt64Array.of(-3n, big, 5n), type: "INT64", nullable: false },
        { name: "maybe", data: [1n, null, big], type: "INT64" },
      ],
    });
    await writeFile(path, new Uint8Array(buffer));
    for await (const chunk of openTable(path).chunks()) {
      if (!hasTypedColumns(chunk)) throw new Error("expected a columnar chunk");
      expect(Array.from(chunk.int64Column("id") ?? [])).toEqual([-3n, big, 5n]);
      expect(chunk.typedColumn("id")).toBeUndefined();
      expect(chunk.column("id")).toEqual([-3, big.toString(), 5]);
      expect(chunk.int64Column("maybe")).toBeUndefined();
      expect(chunk.column("maybe")).toEqual([1, null, big.toString()]);
    }
  });

  it("joins 64-bit integer pieces with cell pieces as cells", () => {
    expect(concatenated([BigInt64Array.of(1n, 2n ** 62n), [null, "x"]])).toEqual([
      1,
      "4611686018427387904",
      null,
      "x",
    ]);
    expect(concatenated([BigInt64Array.of(1n), BigInt64Array.of(2n)])).toEqual(BigInt64Array.of(1n, 2n));
  });
});
