import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { hasNumberText, hasTypedColumns } from "./columnarTableChunk.js";
import {
  cellText,
  hasPlainNumbers,
  hasTextCells,
  type PlainNumberColumns,
  type TextCells,
} from "./csvChunk.js";
import { numericColumn } from "./numericColumn.js";
import { openTable } from "./openTable.js";
import { doubles, scratchPath, useScratchDirectory, writeHyparquet } from "./parquetPlainColumnsFixtures.js";
import type { TableChunk, TableSource } from "./tableChunk.js";
import { numberText } from "./tableWriter.js";
import { openTableInWorker } from "./workerTableSource.js";

useScratchDirectory();

interface SeenChunk {
  startRow: number;
  rowCount: number;
  columns: readonly string[];
  cells: Record<string, unknown[]>;
  /** Which columns came as typed arrays, and of which kind. */
  kinds: Record<string, string>;
  /** Each row's number text, for the columns that have it (NumberText). */
  texts: Record<string, string[]>;
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
  const texts: Record<string, string[]> = {};
  for (const name of chunk.columns) {
    const text = hasNumberText(chunk) ? chunk.numberText(name) : undefined;
    if (text !== undefined) {
      const { bytes, starts, ends } = text;
      texts[name] = Array.from(ends, (end, row) => Buffer.from(bytes.subarray(starts[row], end)).toString());
    }
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
    texts,
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
      const expected = await seen(openTable(path, { chunkRows }));
      const got = await seen(inWorker);
      expect(got).toEqual(expected);
      expect(got[0]?.kinds).toEqual({ f: "Float32Array", d: "Float64Array", n: "BigInt64Array", s: "cells" });
    }
  });

  it("formats Parquet numbers as the writers write them while the caller is busy, not for NaN", async () => {
    const d = doubles(3000, 2);
    d[2700] = Number.NaN;
    const path = await writeHyparquet(
      "texts.parquet",
      [
        { name: "f", data: Float32Array.from(doubles(3000, 1)), type: "FLOAT", nullable: false },
        { name: "d", data: d, type: "DOUBLE", nullable: false },
        {
          name: "n",
          data: BigInt64Array.from({ length: 3000 }, (_, i) => BigInt(i)),
          type: "INT64",
          nullable: false,
        },
      ],
      { rowGroupSize: 500 },
    );
    const source = openTableInWorker(path, { chunkRows: 500, numberText: true });
    const chunks: SeenChunk[] = [];
    for await (const chunk of source.chunks()) {
      chunks.push(seenChunk(chunk));
      // A slow caller: the reading thread is a chunk ahead, and would wait, so it formats instead.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const formatted = chunks.filter((chunk) => chunk.texts.f !== undefined);
    expect(formatted.length).toBeGreaterThanOrEqual(3);
    for (const chunk of formatted) {
      expect(chunk.texts.f).toEqual(chunk.cells.f?.map((value) => numberText(value as number, true)));
      expect(chunk.texts.n).toBeUndefined();
      if (chunk.startRow === 2500) {
        expect(chunk.texts.d).toBeUndefined();
      } else {
        expect(chunk.texts.d).toEqual(chunk.cells.d?.map((value) => numberText(value as number, false)));
      }
    }
    // The values are those the plain reader gives, text or not.
    const plain = await seen(openTable(path, { chunkRows: 500 }));
    expect(chunks.map((chunk) => chunk.cells)).toEqual(plain.map((chunk) => chunk.cells));
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

  it("gives JSON Lines chunks as the plain reader does", async () => {
    const path = scratchPath("rows.jsonl");
    const lines = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ x: i / 3, name: `r${i}`, flag: i % 2 === 0, y: -i / 7 }),
    );
    await writeFile(path, `${lines.join("\n")}\n`);
    const chunks = await seen(openTableInWorker(path, { chunkRows: 16, numberText: true }));
    expect(chunks).toEqual(await seen(openTable(path, { chunkRows: 16, numberText: true })));
    // The numbers' text came along, each as String writes its number, for two columns whose text shares one
    // buffer; it comes only when asked for.
    for (const chunk of chunks) {
      expect(chunk.texts.x).toEqual(chunk.cells.x?.map(String));
      expect(chunk.texts.y).toEqual(chunk.cells.y?.map(String));
    }
    const plain = await seen(openTableInWorker(path, { chunkRows: 16 }));
    expect(plain.map((chunk) => chunk.texts)).toEqual(chunks.map(() => ({})));
  });

  it("gives CSV and TSV chunks as the plain reader does: cells, quoted cells, lines and text spans", async () => {
    const rows = Array.from({ length: 40 }, (_, i) =>
      i % 9 === 4 ? `${i},"multi\nline ${i}",${i / 8}` : `${i},"say ""${i}""",${i % 7 === 0 ? "" : i / 8}`,
    );
    const csv = scratchPath("rows.csv");
    await writeFile(csv, `id,text,value\n${rows.join("\n")}\n`);
    const tsv = scratchPath("rows.tsv");
    await writeFile(
      tsv,
      `id\tvalue\n${Array.from({ length: 30 }, (_, i) => `${i}\t${i * 1.5}`).join("\n")}\n`,
    );
    for (const path of [csv, tsv]) {
      const inWorker = openTableInWorker(path, { chunkRows: 7, numbers: true });
      const expected: TableChunk[] = [];
      for await (const chunk of openTable(path, { chunkRows: 7 }).chunks()) expected.push(chunk);
      const got: TableChunk[] = [];
      for await (const chunk of inWorker.chunks()) got.push(chunk);
      expect(got.map(seenChunk)).toEqual(expected.map(seenChunk));
      got.forEach((chunk, i) => {
        const plain = expected[i] as TableChunk;
        for (const name of chunk.columns) {
          if (!hasTextCells(chunk) || !hasTextCells(plain)) throw new Error("CSV chunks have text cells");
          const spans = (c: TextCells): string[] =>
            Array.from({ length: c.rowCount }, (_, row) => String(cellText(c, row)));
          expect(spans(chunk.textCells(name)!)).toEqual(spans(plain.textCells(name)!));
          expect(chunk.describeRow(chunk.startRow + 1)).toBe(plain.describeRow(plain.startRow + 1));
        }
      });
    }
  });

  it("parses CSV columns of plain decimals on the reading thread while the caller is busy", async () => {
    const path = scratchPath("numbers.csv");
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i / 4},t${i},${i === 50 ? "" : i}`);
    await writeFile(path, `a,b,text,gap\n${rows.join("\n")}\n`);
    const source = openTableInWorker(path, { chunkRows: 10, numbers: true });
    const plain: TableChunk[] = [];
    for await (const chunk of openTable(path, { chunkRows: 10 }).chunks()) plain.push(chunk);
    const carried: string[][] = [];
    let index = 0;
    for await (const chunk of source.chunks()) {
      const expected = plain[index++] as TableChunk;
      const names = hasPlainNumbers(chunk)
        ? chunk.columns.filter((name) => chunk.plainNumbers(name) !== undefined)
        : [];
      carried.push(names);
      for (const name of names) {
        const numbers = (chunk as TableChunk & PlainNumberColumns).plainNumbers(name);
        expect(Array.from(numbers ?? [])).toEqual(Array.from(numericColumn(expected, name)));
      }
      for (const name of ["a", "b"]) {
        expect(Array.from(numericColumn(chunk, name))).toEqual(Array.from(numericColumn(expected, name)));
      }
      // A slow caller: the reading thread finishes the next chunk while this one is still in use.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(carried).toHaveLength(6);
    // From the third chunk on, the thread had 500 ms to spare: a and b are parsed; text never is, and gap not
    // in the chunk with a blank. (A thread starved for that long would send a chunk unparsed, which is allowed.)
    const expected = [
      ["a", "b", "gap"],
      ["a", "b", "gap"],
      ["a", "b", "gap"],
      ["a", "b"],
    ];
    carried.slice(2).forEach((names, i) => expect([[], expected[i]]).toContainEqual(names));
    expect(carried.slice(2).some((names) => names.length > 0)).toBe(true);
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
