import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { hasTypedColumns } from "./columnarTableChunk.js";
import { openTable } from "./openTable.js";
import { parquetContents } from "./parquetContentsFixtures.js";
import { StoredParquetColumn, hasStoredColumns, type StoredValue } from "./parquetStoredColumns.js";
import { ParquetTableWriter } from "./parquetWriter.js";
import { openTableWriter, type WriterColumn } from "./openTableWriter.js";
import type { CellValue, TableChunk } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-parquet-writer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const IDS = [
  0n,
  -1n,
  2n ** 53n + 1n,
  -(2n ** 53n) - 3n,
  2n ** 60n + 7n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  42n,
  -7n,
];

/** The chunk's columns as batch prediction hands input columns to a writer (serving/predictionColumns.ts). */
function passthroughColumns(chunk: TableChunk): Record<string, WriterColumn> {
  const values: Record<string, WriterColumn> = {};
  for (const name of chunk.columns) {
    const typed = hasTypedColumns(chunk) ? chunk : undefined;
    values[name] = typed?.int64Column(name) ?? typed?.typedColumn(name) ?? chunk.column(name);
  }
  return values;
}

/** Writes each batch as a part file and joins the parts into `name`, as batch prediction does. */
async function joinParts(
  name: string,
  format: TableFormat,
  columns: readonly string[],
  batches: readonly Record<string, WriterColumn>[],
): Promise<string> {
  const parts: string[] = [];
  for (const [n, batch] of batches.entries()) {
    const part = join(dir, `${name}.part${n}.${format}`);
    const writer = openTableWriter(part, format, columns, { intermediate: true });
    await writer.write(batch);
    await writer.close();
    parts.push(part);
  }
  const path = join(dir, `${name}.${format}`);
  const joined = openTableWriter(path, format, columns);
  for (const part of parts) await joined.appendFile(part);
  await joined.close();
  return path;
}

describe("Parquet writer joining parts", () => {
  it("keeps an INT64 input column INT64 and exact across parts, beyond 2^53 and negative", async () => {
    const source = join(dir, "ids.parquet");
    const writer = openTableWriter(source, "parquet", ["id", "x"]);
    await writer.write({ id: BigInt64Array.from(IDS), x: Float64Array.from(IDS, (_, i) => i / 2) });
    await writer.close();

    const batches: Record<string, WriterColumn>[] = [];
    const held: boolean[] = [];
    const cells: CellValue[] = [];
    // Chunks of 4 rows: three parts, the values beyond 2^53 in the first two, the extremes in the second.
    for await (const chunk of openTable(source, { chunkRows: 4 }).chunks()) {
      held.push(hasTypedColumns(chunk) && chunk.int64Column("id") instanceof BigInt64Array);
      batches.push(passthroughColumns(chunk));
      cells.push(...chunk.column("id"));
    }
    expect(held).toEqual([true, true, true]);
    // Consumers of cells see what they always saw: numbers, and exact digits beyond 2^53.
    expect(cells).toEqual(IDS.map((id) => (Number.isSafeInteger(Number(id)) ? Number(id) : String(id))));

    const parquet = await parquetContents(await joinParts("ids", "parquet", ["id", "x"], batches));
    expect(parquet.types).toEqual(["INT64", "DOUBLE"]);
    expect(parquet.rows.map((row) => row["id"])).toEqual(IDS);

    const jsonl = await readFile(await joinParts("ids", "jsonl", ["id", "x"], batches), "utf8");
    expect(jsonl.split("\n").slice(0, 3)).toEqual([
      // x is a DOUBLE column: its whole values keep their point, as pandas writes them.
      '{"id":0,"x":0.0}',
      '{"id":-1,"x":0.5}',
      '{"id":9007199254740993,"x":1.0}',
    ]);
    const csv = await readFile(await joinParts("ids", "csv", ["id", "x"], batches), "utf8");
    expect(csv.split("\n").map((line) => line.split(",")[0])).toEqual(["id", ...IDS.map(String), ""]);
  });

  it("joins a part typed DOUBLE with a later one typed STRING as STRING (was: fails on the later part's numbers)", async () => {
    // The shape of an INT64 column read as cells: numbers, then exact digits beyond 2^53 in a later part only.
    const path = await joinParts(
      "widened",
      "parquet",
      ["id"],
      [{ id: [0, 65535] }, { id: [65536, "1152921504606846983"] }],
    );
    const { types, rows } = await parquetContents(path);
    expect(types).toEqual(["STRING"]);
    expect(rows.map((row) => row["id"])).toEqual(["0", "65535", "65536", "1152921504606846983"]);
  });

  it("widens a column of numbers in one part and text in a later one to text for the whole file", async () => {
    const path = await joinParts(
      "mixed",
      "parquet",
      ["v", "f", "n"],
      [
        { v: [1, 2.5], f: new Float32Array([0.1, 2]), n: new Int32Array([1, 2]) },
        { v: ["a", null], f: ["b", null], n: new BigInt64Array([2n ** 60n, 3n]) },
      ],
    );
    const { types, rows } = await parquetContents(path);
    expect(types).toEqual(["STRING", "STRING", "INT64"]);
    expect(rows.map((row) => row["v"])).toEqual(["1", "2.5", "a", null]);
    // float32 values keep their shortest text, as the text writers print them.
    expect(rows.map((row) => row["f"])).toEqual(["0.1", "2", "b", null]);
    expect(rows.map((row) => row["n"])).toEqual([1n, 2n, 2n ** 60n, 3n]);
  });

  it("keeps a decimal exact when parts differ in another column (was: rewritten through a double)", async () => {
    const decimal = {
      name: "d",
      repetition_type: "OPTIONAL",
      type: "FIXED_LEN_BYTE_ARRAY",
      type_length: 10,
      converted_type: "DECIMAL",
      scale: 2,
      precision: 22,
    } as const;
    const unscaled = [1_234_567_890_123_456_789_012n, null, -9_876_543_210_987_654_321_099n];
    // `x` is DOUBLE in the first part and all null (STRING) in the second, so the parts are read and rewritten.
    const parts = [
      { x: [1.5], d: [unscaled[0]] },
      { x: [null, null], d: unscaled.slice(1) },
    ].map((batch, n) => ({ ...batch, path: join(dir, `decimal.part${n}.parquet`) }));
    for (const part of parts) {
      const writer = new ParquetTableWriter(part.path, ["x", "d"], { intermediate: true });
      await writer.write({ x: part.x, d: new StoredParquetColumn(decimal, part.d as StoredValue[]) });
      await writer.close();
    }
    const path = join(dir, "decimal.parquet");
    const joined = openTableWriter(path, "parquet", ["x", "d"]);
    for (const part of parts) await joined.appendFile(part.path);
    await joined.close();
    const cells: StoredValue[] = [];
    for await (const chunk of openTable(path).chunks()) {
      cells.push(...((hasStoredColumns(chunk) ? chunk.storedColumn("d")?.values : undefined) ?? []));
    }
    expect(cells).toEqual(unscaled);
  });

  it("still refuses a file with other columns when it is given, before any row is copied", async () => {
    const part = join(dir, "other-columns.parquet");
    const writer = openTableWriter(part, "parquet", ["y"]);
    await writer.write({ y: [1] });
    await writer.close();
    const joined = openTableWriter(join(dir, "other-joined.parquet"), "parquet", ["x"]);
    await expect(joined.appendFile(part)).rejects.toThrow(/has columns y; .* has x/);
    await joined.close();
  });
});
