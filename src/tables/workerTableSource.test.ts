import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { hasTypedColumns } from "./columnarTableChunk.js";
import { openTable } from "./openTable.js";
import { doubles, scratchPath, useScratchDirectory, writeHyparquet } from "./parquetPlainColumnsFixtures.js";
import type { TableChunk, TableSource } from "./tableChunk.js";
import { openTableInWorker, WorkerTableSource } from "./workerTableSource.js";

useScratchDirectory();

interface SeenChunk {
  startRow: number;
  rowCount: number;
  columns: readonly string[];
  cells: Record<string, unknown[]>;
  /** Which columns came as typed arrays, and of which kind. */
  kinds: Record<string, string>;
  rows: string;
}

async function seen(source: TableSource): Promise<SeenChunk[]> {
  const chunks: SeenChunk[] = [];
  for await (const chunk of source.chunks()) chunks.push(seenChunk(chunk));
  return chunks;
}

function seenChunk(chunk: TableChunk): SeenChunk {
  const cells: Record<string, unknown[]> = {};
  const kinds: Record<string, string> = {};
  for (const name of chunk.columns) {
    cells[name] = [...chunk.column(name)];
    const typed = hasTypedColumns(chunk) ? (chunk.typedColumn(name) ?? chunk.int64Column(name)) : undefined;
    kinds[name] = typed === undefined ? "cells" : typed.constructor.name;
  }
  return {
    startRow: chunk.startRow,
    rowCount: chunk.rowCount,
    columns: chunk.columns,
    cells,
    kinds,
    rows: chunk.describeRow(chunk.startRow),
  };
}

async function failure(source: TableSource): Promise<unknown> {
  return seen(source).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("reading a table on a worker thread", () => {
  it("gives a Parquet file's chunks as the plain reader does, typed columns included", async () => {
    const text = Array.from({ length: 2500 }, (_, i) => (i % 7 === 0 ? null : `t${i}`));
    const path = await writeHyparquet(
      "mixed.parquet",
      [
        { name: "f", data: Float32Array.from(doubles(2500, 1)), type: "FLOAT", nullable: false },
        { name: "d", data: doubles(2500, 2), type: "DOUBLE", nullable: false },
        {
          name: "n",
          data: BigInt64Array.from({ length: 2500 }, (_, i) => BigInt(i) * 3n ** 30n),
          type: "INT64",
          nullable: false,
        },
        { name: "s", data: text, type: "STRING", nullable: true },
      ],
      { codec: "SNAPPY", rowGroupSize: 1000 },
    );
    // 700-row chunks cut row groups of 1000: most chunks share memory with rows sent later.
    for (const chunkRows of [700, 1000, 4000]) {
      const inWorker = openTableInWorker(path, { chunkRows });
      expect(inWorker).toBeInstanceOf(WorkerTableSource);
      const expected = await seen(openTable(path, { chunkRows }));
      const got = await seen(inWorker);
      expect(got).toEqual(expected);
      expect(got[0]?.kinds).toEqual({ f: "Float32Array", d: "Float64Array", n: "BigInt64Array", s: "cells" });
    }
  });

  it("reads only the columns asked for", async () => {
    const path = await writeHyparquet(
      "columns.parquet",
      [
        { name: "a", data: doubles(10, 3), type: "DOUBLE", nullable: false },
        { name: "b", data: doubles(10, 4), type: "DOUBLE", nullable: false },
      ],
      {},
    );
    const chunks: TableChunk[] = [];
    for await (const chunk of openTableInWorker(path, { columns: ["b"] }).chunks()) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.columns).toEqual(["a", "b"]);
    expect([...(chunks[0]?.column("b") ?? [])]).toEqual([...doubles(10, 4)]);
    expect(() => chunks[0]?.column("a")).toThrow(/column 'a' of .* was not read/);
  });

  it("gives JSON Lines chunks as the plain reader does, and leaves CSV to the plain reader", async () => {
    const path = scratchPath("rows.jsonl");
    const lines = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ x: i / 3, name: `r${i}`, flag: i % 2 === 0 }),
    );
    await writeFile(path, `${lines.join("\n")}\n`);
    expect(await seen(openTableInWorker(path, { chunkRows: 16 }))).toEqual(
      await seen(openTable(path, { chunkRows: 16 })),
    );
    const csv = scratchPath("rows.csv");
    await writeFile(csv, "a,b\n1,2\n");
    expect(openTableInWorker(csv)).not.toBeInstanceOf(WorkerTableSource);
  });

  it("fails with the reader's own error, code and message", async () => {
    const path = scratchPath("broken.parquet");
    await writeFile(path, "PAR1 this is not a parquet file PAR1");
    const plain = await failure(openTable(path));
    const threaded = await failure(openTableInWorker(path));
    expect(plain).toBeInstanceOf(FlowOpsError);
    expect(threaded).toBeInstanceOf(FlowOpsError);
    expect((threaded as FlowOpsError).code).toBe((plain as FlowOpsError).code);
    expect((threaded as FlowOpsError).message).toBe((plain as FlowOpsError).message);
    const badRow = scratchPath("bad.jsonl");
    await writeFile(badRow, '{"x": 1}\n{"x": \n');
    const jsonPlain = await failure(openTable(badRow));
    const jsonThreaded = await failure(openTableInWorker(badRow));
    expect((jsonThreaded as Error).message).toBe((jsonPlain as Error).message);
  });

  it("stops its thread when the caller stops early, and can be read again", async () => {
    const path = await writeHyparquet(
      "long.parquet",
      [{ name: "v", data: doubles(20_000, 5), type: "DOUBLE", nullable: false }],
      { rowGroupSize: 1000 },
    );
    const source = openTableInWorker(path, { chunkRows: 1000 });
    let taken = 0;
    for await (const chunk of source.chunks()) {
      expect(chunk.startRow).toBe(taken * 1000);
      if (++taken === 3) break;
    }
    const again = await seen(source);
    expect(again).toHaveLength(20);
    expect(again.at(-1)?.cells["v"]).toEqual([...doubles(20_000, 5).subarray(19_000)]);
  });
});
