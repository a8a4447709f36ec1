import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { hasTypedColumns } from "./columnarTableChunk.js";
import { labelColumn, numericColumn } from "./numericColumn.js";
import { openTable } from "./openTable.js";
import type { CellValue, TableChunk } from "./tableChunk.js";

/** Made by test/fixtures/tables/generate.py: 10 rows in row groups of 4, 4 and 2. */
const FIXTURE = fileURLToPath(new URL("../../test/fixtures/tables/mixed.parquet", import.meta.url));

describe("Parquet reader", () => {
  it("lists the schema's top-level columns without reading rows", async () => {
    expect(await openTable(FIXTURE).columns()).toEqual([
      "id",
      "score",
      "label",
      "flag",
      "big",
      "when",
      "tags",
      "pred",
    ]);
  });

  it("reads chunk windows that cross row groups, converting values to cells", async () => {
    const values: Record<string, CellValue[]> = {};
    const windows: string[] = [];
    for await (const chunk of openTable(FIXTURE, { chunkRows: 3 }).chunks()) {
      windows.push(`${chunk.startRow}+${chunk.rowCount}`);
      for (const name of chunk.columns) (values[name] ??= []).push(...chunk.column(name));
    }
    expect(windows).toEqual(["0+3", "3+3", "6+3", "9+1"]);
    expect(values["id"]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(values["score"]?.[3]).toBe(0.375);
    expect(values["label"]?.slice(0, 4)).toEqual(["a", "b", null, "a"]);
    expect(values["flag"]?.slice(0, 2)).toEqual([true, false]);
    expect(values["big"]?.[1]).toBe(1000);
    expect(values["big"]?.[9]).toBe((2n ** 60n + 9n).toString());
    expect(values["when"]?.[1]).toBe("2024-01-01T01:00:00.000Z");
    expect(values["tags"]?.[2]).toBe('["t2","x"]');
  });

  it("reads only the requested columns and formats integral floats as integer labels", async () => {
    const chunks: TableChunk[] = [];
    for await (const chunk of openTable(FIXTURE, { columns: ["pred", "score"] }).chunks()) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    const chunk = chunks[0]!;
    expect(labelColumn(chunk, "pred").slice(0, 3)).toEqual(["0", "1", "0"]);
    expect(Array.from(numericColumn(chunk, "score").slice(0, 2))).toEqual([0, 0.125]);
    expect(() => chunk.column("id")).toThrow(/was not read/);
  });

  it("gives pyarrow's dictionary-encoded OPTIONAL doubles as typed arrays, across row groups", async () => {
    const chunks: TableChunk[] = [];
    for await (const chunk of openTable(FIXTURE, { chunkRows: 3 }).chunks()) chunks.push(chunk);
    const scores = chunks.map((chunk) => (hasTypedColumns(chunk) ? chunk.typedColumn("score") : undefined));
    expect(scores.every((values) => values instanceof Float64Array)).toBe(true);
    expect(scores.flatMap((values) => Array.from(values ?? []))).toEqual(
      Array.from({ length: 10 }, (_, i) => i / 8),
    );
    expect(chunks.map((chunk) => hasTypedColumns(chunk) && chunk.typedColumn("label"))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("rejects an unknown requested column, listing the schema", async () => {
    const iterate = async (): Promise<void> => {
      for await (const chunk of openTable(FIXTURE, { columns: ["nope"] }).chunks()) void chunk;
    };
    await expect(iterate()).rejects.toThrow(/has no column 'nope'; its columns are: id, score, label/);
  });
});
