import { appendFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTablePartWriter, TableFileSink, type WriterColumn } from "./openTableWriter.js";
import { parquetContents } from "./parquetContentsFixtures.js";
import { finishParquetParts, type ParquetParts } from "./parquetParts.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-parquet-parts-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes each batch as one part of `name`.parquet, as batch prediction does, and returns what finishing needs. */
async function writeParts(
  name: string,
  columns: readonly string[],
  batches: readonly Record<string, WriterColumn>[],
): Promise<ParquetParts> {
  {
    const path = join(dir, `${name}.parquet`);
    const footers: string[] = [];
    let bytes = 0;
    for (const [n, batch] of batches.entries()) {
      // A sink per part, as a resumed run reopens the file after the parts before it.
      const sink = new TableFileSink(path, bytes);
      const footerPath = join(dir, `${name}.${n}.footer`);
      const writer = openTablePartWriter("parquet", columns, { sink, footerPath });
      await writer.write(batch);
      await writer.close();
      bytes = sink.position;
      sink.close();
      footers.push(footerPath);
    }
    return { path, bytes, footers, columns };
  }
}

describe("finishParquetParts", () => {
  it("finishes parts of one schema in place: their row groups back to back, then one footer", async () => {
    const parts = await writeParts(
      "same",
      ["x", "p"],
      [
        { x: new Float32Array([1, 2]), p: new BigInt64Array([1n, 0n]) },
        { x: new Float32Array([3]), p: new BigInt64Array([1n]) },
        { x: new Float32Array([4, 5, 6]), p: new BigInt64Array([0n, 0n, 1n]) },
      ],
    );
    const finished = await finishParquetParts(parts, join(dir, "same-rewritten.parquet"));
    expect(finished).toBe(parts.path);
    const { types, rows } = await parquetContents(finished);
    expect(types).toEqual(["FLOAT", "INT64"]);
    expect(rows.map((row) => row["x"])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows.map((row) => row["p"])).toEqual([1n, 0n, 1n, 0n, 0n, 1n]);

    const bytes = await readFile(finished);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([2, 1, 3]);
    // Nothing lies between the opening magic, the row groups and the footer: no part's footer was left inside.
    let at = 4;
    for (const group of metadata.row_groups) {
      expect(Number(group.columns[0]?.meta_data?.data_page_offset)).toBe(at);
      at += Number(group.total_compressed_size);
    }
    expect(at).toBe(parts.bytes);
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    expect(parts.bytes + footerLength + 8).toBe(bytes.length);
  });

  it("cuts off what an interrupted finish left after the last part", async () => {
    const parts = await writeParts(
      "cut",
      ["x"],
      [{ x: new Float64Array([1, 2]) }, { x: new Float64Array([3]) }],
    );
    appendFileSync(parts.path, "a footer written halfway");
    const finished = await finishParquetParts(parts, join(dir, "cut-rewritten.parquet"));
    expect((await parquetContents(finished)).rows.map((row) => row["x"])).toEqual([1, 2, 3]);
    expect(statSync(finished).size).toBeLessThan(parts.bytes + 200);
  });

  it("writes the rows again, in the types that hold every part, when the parts' types differ", async () => {
    const parts = await writeParts(
      "mixed",
      ["v", "n"],
      [
        { v: [1, 2.5], n: new Int32Array([1, 2]) },
        { v: [], n: new Int32Array([]) },
        { v: ["a", null], n: new BigInt64Array([2n ** 60n, 3n]) },
      ],
    );
    const rewritten = join(dir, "mixed-rewritten.parquet");
    expect(await finishParquetParts(parts, rewritten)).toBe(rewritten);
    const { types, rows } = await parquetContents(rewritten);
    expect(types).toEqual(["STRING", "INT64"]);
    expect(rows.map((row) => row["v"])).toEqual(["1", "2.5", "a", null]);
    expect(rows.map((row) => row["n"])).toEqual([1n, 2n, 2n ** 60n, 3n]);
  });

  it("refuses a part footer written with other columns", async () => {
    const parts = await writeParts("other", ["x"], [{ x: new Float64Array([1]) }]);
    await expect(
      finishParquetParts({ ...parts, columns: ["y"] }, join(dir, "other-rewritten.parquet")),
    ).rejects.toThrow(/other\.0\.footer has columns x; expected y/);
  });
});
