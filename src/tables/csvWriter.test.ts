import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ByteBuilder } from "./byteBuilder.js";
import { hasTextCells } from "./csvChunk.js";
import { copyPlainSpan } from "./csvWriter.js";
import { openTable } from "./openTable.js";
import { openTableWriter } from "./openTableWriter.js";
import { PandasFloatText } from "./pandasFloatText.js";
import {
  TextCellColumn,
  writesTextCells,
  type TextCellTableWriter,
  type WriterColumn,
} from "./tableWriter.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-csv-writer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Lines a writer must copy or quote: numbers in any spelling, spaces, quotes, lone CRs, tabs, accents, blanks. */
const INPUT = [
  "id,x,note",
  "1,007.50, lead and trail ",
  "2,1E21,a\rb",
  '3,-0,"say ""hi"""',
  '4,1e-7,"two\nlines"',
  "5,,naïve café",
  "6,.5,tab\there",
  '7,"",x"y',
  "8,NaN,日本語",
].join("\n");

async function rewritten(format: "csv" | "tsv", asText: boolean, chunkRows = 3): Promise<string> {
  const input = join(dir, "input.csv");
  await writeFile(input, `${INPUT}\n`);
  const output = join(dir, `${asText ? "text" : "cells"}.${format}`);
  const source = openTable(input, { chunkRows });
  const writer = openTableWriter(output, format, await source.columns()) as TextCellTableWriter;
  for await (const chunk of source.chunks()) {
    const batch: Record<string, WriterColumn | TextCellColumn> = {};
    for (const name of chunk.columns) {
      const cells = asText && hasTextCells(chunk) ? chunk.textCells(name) : undefined;
      batch[name] = cells === undefined ? chunk.column(name) : new TextCellColumn(cells);
    }
    await writer.write(batch);
  }
  await writer.close();
  return readFile(output, "utf8");
}

describe("DelimitedTableWriter", () => {
  it("writes CSV cells copied from their text exactly as it writes the cells' strings", async () => {
    for (const format of ["csv", "tsv"] as const) {
      for (const chunkRows of [1, 3, 100]) {
        expect(await rewritten(format, true, chunkRows)).toBe(await rewritten(format, false, chunkRows));
      }
    }
    const csv = (await rewritten("csv", true)).split("\n");
    expect(csv.slice(0, 4)).toEqual([
      "id,x,note",
      "1,007.50, lead and trail ",
      '2,1E21,"a\rb"',
      '3,-0,"say ""hi"""',
    ]);
    expect(csv.slice(6)).toEqual(["5,,naïve café", "6,.5,tab\there", '7,,"x""y"', "8,NaN,日本語", ""]);
    expect((await rewritten("tsv", true)).split("\n")[7]).toBe('6\t.5\t"tab\there"');
  });

  it("writes typed columns as it writes their values one by one", async () => {
    const float32 = Float32Array.from([
      0.1,
      -2.5,
      1e-7,
      1e21,
      -0,
      Number.NaN,
      Infinity,
      -Infinity,
      3e-45,
      16777216,
    ]);
    const float64 = Float64Array.from([0.1, 1e21, 2 ** 53, -0, Number.NaN, -Infinity, 5e-324, 123, -7, 1.5]);
    const int64 = BigInt64Array.from([
      0n,
      -1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 53n,
      -(2n ** 53n) + 1n,
      2n ** 32n,
      -(2n ** 31n),
      7n,
      4294967295n,
    ]);
    const uint64 = BigUint64Array.from([
      0n,
      2n ** 64n - 1n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 32n,
      4294967295n,
      1n,
      2n,
      3n,
      4n,
    ]);
    const int8 = Int8Array.from([-128, 127, 0, -1, 1, 2, 3, 4, 5, 6]);
    const path = join(dir, "typed.csv");
    const writer = openTableWriter(path, "csv", ["f32", "f64", "i64", "u64", "i8"]);
    await writer.write({ f32: float32, f64: float64, i64: int64, u64: uint64, i8: int8 });
    await writer.close();
    const field = (value: number, float32: boolean): string =>
      Number.isNaN(value)
        ? ""
        : Number.isFinite(value)
          ? pandasCsvText(value, float32)
          : value > 0
            ? "inf"
            : "-inf";
    const rows = Array.from(float32, (_, r) =>
      [
        field(float32[r] as number, true),
        field(float64[r] as number, false),
        String(int64[r]),
        String(uint64[r]),
        String(int8[r]),
      ].join(","),
    );
    expect(await readFile(path, "utf8")).toBe(`f32,f64,i64,u64,i8\n${rows.join("\n")}\n`);
  });

  it("takes text cell columns, which the other writers do not", () => {
    expect(writesTextCells(openTableWriter(join(dir, "cap.csv"), "csv", ["a"]))).toBe(true);
    expect(writesTextCells(openTableWriter(join(dir, "cap.tsv"), "tsv", ["a"]))).toBe(true);
    expect(writesTextCells(openTableWriter(join(dir, "cap.jsonl"), "jsonl", ["a"]))).toBe(false);
    expect(writesTextCells(openTableWriter(join(dir, "cap.parquet"), "parquet", ["a"]))).toBe(false);
  });
});

/** A float column's value as pandas' to_csv writes it (PandasFloatText). */
function pandasCsvText(value: number, float32: boolean): string {
  const bytes = new ByteBuilder();
  new PandasFloatText(bytes).csv(value, float32);
  return Buffer.from(bytes.take()).toString();
}

describe("copyPlainSpan", () => {
  it("copies ASCII that needs no quotes and refuses the rest, keeping nothing of a refused copy", () => {
    const bytes = new ByteBuilder(1);
    expect(copyPlainSpan(bytes, "xx12.5 ok", 2, 9, 44)).toBe(true);
    for (const text of ["a,b", 'a"b', "a\rb", "a\nb", "café"]) {
      expect(copyPlainSpan(bytes, text, 0, text.length, 44)).toBe(false);
    }
    expect(copyPlainSpan(bytes, "a,b", 0, 3, 9)).toBe(true);
    expect(copyPlainSpan(bytes, "a\tb", 0, 3, 9)).toBe(false);
    expect(Buffer.from(bytes.take()).toString()).toBe("12.5 oka,b");
  });
});
