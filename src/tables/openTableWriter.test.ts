import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { openTable } from "./openTable.js";
import { openTableWriter } from "./openTableWriter.js";
import { NumberTextColumn, writesNumberText } from "./tableWriter.js";
import type { CellValue } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-writer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, chunkRows = 2): Promise<Record<string, CellValue[]>> {
  const result: Record<string, CellValue[]> = {};
  for await (const chunk of openTable(path, { chunkRows }).chunks()) {
    for (const name of chunk.columns) (result[name] ??= []).push(...chunk.column(name));
  }
  return result;
}

const EXTENSIONS: Record<TableFormat, string> = {
  csv: "csv",
  tsv: "tsv",
  jsonl: "jsonl",
  parquet: "parquet",
};

describe("openTableWriter", () => {
  it("writes CSV that the reader reads back, quotes, separators and newlines included", async () => {
    const path = join(dir, "quoted.csv");
    const writer = openTableWriter(path, "csv", ["text", "n"]);
    const texts = ['say "hi"', "a,b", "two\nlines", "crlf\r\nend", "plain", null];
    await writer.write({ text: texts.slice(0, 3), n: [1, 2.5, -3] });
    await writer.write({ text: texts.slice(3), n: new Float64Array([4, 5, 6]) });
    await writer.close();
    // Cells are written as their numbers; a Float64Array is a float column, whose whole values pandas writes
    // with a point.
    expect(await readAll(path)).toEqual({ text: texts, n: ["1", "2.5", "-3", "4.0", "5.0", "6.0"] });
    expect(await readFile(path, "utf8")).toBe(
      'text,n\n"say ""hi""",1\n"a,b",2.5\n"two\nlines",-3\n"crlf\r\nend",4.0\nplain,5.0\n,6.0\n',
    );
  });

  it("quotes a header name that holds the separator", async () => {
    const path = join(dir, "header.tsv");
    const writer = openTableWriter(path, "tsv", ["a\tb", "c"]);
    await writer.write({ "a\tb": ["x"], c: [true] });
    await writer.close();
    expect(await readAll(path)).toEqual({ "a\tb": ["x"], c: ["True"] });
  });

  it("copies the text of a NumberTextColumn into CSV, TSV and JSON Lines where it is what pandas writes", async () => {
    const values = new Float64Array([0.5, -1, 1e-7]);
    // The text says 0.50 where String says 0.5: what is written shows which of the two the writer used. Rows
    // lie anywhere in the bytes, in any order, between other bytes. A whole float, and in CSV one below 1e-4,
    // are written as pandas writes them instead (`-1.0`, `1e-07`).
    const text = {
      bytes: Buffer.from("1e-7|-1|0.50|"),
      starts: new Int32Array([8, 5, 0]),
      ends: new Int32Array([12, 7, 4]),
    };
    const expected: Record<string, string> = {
      csv: "x,y\n0.50,a\n-1.0,b\n1e-07,c\n",
      tsv: "x\ty\n0.50\ta\n-1.0\tb\n1e-07\tc\n",
      jsonl: '{"x":0.50,"y":"a"}\n{"x":-1.0,"y":"b"}\n{"x":1e-7,"y":"c"}\n',
    };
    for (const format of ["csv", "tsv", "jsonl"] as const) {
      const path = join(dir, `numberText.${format}`);
      const writer = openTableWriter(path, format, ["x", "y"]);
      expect(writesNumberText(writer)).toBe(true);
      if (!writesNumberText(writer)) continue;
      await writer.write({ x: new NumberTextColumn(values, text), y: ["a", "b", "c"] });
      await writer.close();
      expect(await readFile(path, "utf8")).toBe(expected[format]);
    }
    const parquet = openTableWriter(join(dir, "numberText.parquet"), "parquet", ["x"]);
    expect(writesNumberText(parquet)).toBe(false);
    await parquet.close();
  });

  it("writes JSON Lines that keep types, 64-bit integers as exact digits", async () => {
    const path = join(dir, "typed.jsonl");
    const writer = openTableWriter(path, "jsonl", ["s", "x", "flag", "big"]);
    await writer.write({
      s: ['q"uote', "line\nbreak"],
      x: new Float32Array([0.1, Number.NaN]),
      flag: [true, null],
      big: new BigInt64Array([2n ** 60n, -1n]),
    });
    await writer.close();
    const text = await readFile(path, "utf8");
    expect(text.split("\n")[0]).toBe('{"s":"q\\"uote","x":0.1,"flag":true,"big":1152921504606846976}');
    expect(await readAll(path)).toEqual({
      s: ['q"uote', "line\nbreak"],
      x: [0.1, null],
      flag: [true, null],
      // Read back exactly: as the Parquet reader gives INT64 cells, the digits beyond 2^53.
      big: ["1152921504606846976", -1],
    });
  });

  it("writes Parquet row groups that the reader reads back with their types", async () => {
    const path = join(dir, "typed.parquet");
    const writer = openTableWriter(path, "parquet", ["name", "score", "label", "ok"]);
    await writer.write({
      name: ["a", "b"],
      score: new Float32Array([0.25, 0.5]),
      label: new BigInt64Array([1n, 0n]),
      ok: [true, false],
    });
    await writer.write({ name: [null], score: [0.75], label: [1], ok: [null] });
    await writer.close();
    expect(await readAll(path)).toEqual({
      name: ["a", "b", null],
      score: [0.25, 0.5, 0.75],
      label: [1, 0, 1],
      ok: [true, false, null],
    });
  });

  it("rejects a later Parquet batch whose text does not fit the numeric type of the first", async () => {
    const path = join(dir, "misfit.parquet");
    const writer = openTableWriter(path, "parquet", ["x"]);
    await writer.write({ x: [1, 2] });
    await expect(writer.write({ x: [3, "three"] })).rejects.toThrow(
      /column 'x' row 4 holds the text "three", which does not fit its Parquet type DOUBLE/,
    );
    await writer.close();
  });

  it("writes an empty table with its columns when no rows were written", async () => {
    for (const format of ["csv", "jsonl", "parquet"] as const) {
      const path = join(dir, `empty.${EXTENSIONS[format]}`);
      const writer = openTableWriter(path, format, ["a", "b"]);
      await writer.write({ a: [], b: [] });
      await writer.close();
      if (format !== "jsonl") expect(await openTable(path).columns()).toEqual(["a", "b"]);
      expect(await readAll(path)).toEqual(format === "jsonl" ? {} : { a: [], b: [] });
    }
  });

  it("appends the rows of files written earlier in the same format", async () => {
    for (const format of ["csv", "jsonl", "parquet"] as const) {
      const parts = [0, 1].map((n) => join(dir, `part-${n}.${EXTENSIONS[format]}`));
      for (const [n, part] of parts.entries()) {
        const writer = openTableWriter(part, format, ["id", "p"]);
        await writer.write({ id: [`r${2 * n}`, `r${2 * n + 1}`], p: new Float32Array([n, n + 0.5]) });
        await writer.close();
      }
      const path = join(dir, `joined.${EXTENSIONS[format]}`);
      const joined = openTableWriter(path, format, ["id", "p"]);
      for (const part of parts) await joined.appendFile(part);
      await joined.close();
      const p = format === "csv" ? ["0.0", "0.5", "1.0", "1.5"] : [0, 0.5, 1, 1.5];
      expect(await readAll(path)).toEqual({ id: ["r0", "r1", "r2", "r3"], p });
    }
  });

  it("takes appended Parquet files' column type from those holding values, not from a part of only nulls", async () => {
    const parts: [string, (number | null)[]][] = [
      [join(dir, "numeric.parquet"), [1.5, 2]],
      [join(dir, "nulls.parquet"), [null]],
    ];
    for (const [path, x] of parts) {
      const writer = openTableWriter(path, "parquet", ["x"]);
      await writer.write({ x });
      await writer.close();
    }
    const numericFirst = join(dir, "numeric-first.parquet");
    const joined = openTableWriter(numericFirst, "parquet", ["x"]);
    for (const [path] of parts) await joined.appendFile(path);
    await joined.close();
    expect(await readAll(numericFirst)).toEqual({ x: [1.5, 2, null] });

    const nullsFirst = join(dir, "nulls-first.parquet");
    const reversed = openTableWriter(nullsFirst, "parquet", ["x"]);
    for (const [path] of parts.reverse()) await reversed.appendFile(path);
    await reversed.close();
    // The part of only nulls was typed STRING by its writer, which saw no value; it no longer decides the type.
    expect(await readAll(nullsFirst)).toEqual({ x: [null, 1.5, 2] });
  });

  it("appends Parquet parts with its schema by copying their row groups byte for byte", async () => {
    const parts = [0, 1].map((n) => join(dir, `copy-part-${n}.parquet`));
    for (const [n, part] of parts.entries()) {
      const writer = openTableWriter(part, "parquet", ["id", "x", "label"], { intermediate: true });
      await writer.write({
        id: [`r${2 * n}`, null],
        x: new Float32Array([n, n + 0.5]),
        label: new BigInt64Array([BigInt(n), 7n]),
      });
      await writer.close();
    }
    const path = join(dir, "copied.parquet");
    const joined = openTableWriter(path, "parquet", ["id", "x", "label"]);
    for (const part of parts) await joined.appendFile(part);
    await joined.close();
    expect(await readAll(path, 3)).toEqual({
      id: ["r0", null, "r2", null],
      x: [0, 0.5, 1, 1.5],
      label: [0, 7, 1, 7],
    });
    const output = await readFile(path);
    const metadata = parquetMetadata(
      output.buffer.slice(output.byteOffset, output.byteOffset + output.length),
    );
    expect(metadata.row_groups.length).toBe(2);
    const partBytes = await readFile(parts[1] as string);
    const partMetadata = parquetMetadata(
      partBytes.buffer.slice(partBytes.byteOffset, partBytes.byteOffset + partBytes.length),
    );
    const span = (
      columns: readonly { file_offset: bigint; meta_data?: { total_compressed_size: bigint } }[],
    ) => [
      Number(columns[0]?.file_offset),
      Number(columns.at(-1)?.file_offset) + Number(columns.at(-1)?.meta_data?.total_compressed_size),
    ];
    const [from, to] = span(partMetadata.row_groups[0]?.columns ?? []);
    const [at, end] = span(metadata.row_groups[1]?.columns ?? []);
    expect(output.subarray(at, end).equals(partBytes.subarray(from, to))).toBe(true);
  });

  it("refuses to append a CSV file written with other columns", async () => {
    const part = join(dir, "other.csv");
    const writer = openTableWriter(part, "csv", ["x"]);
    await writer.close();
    const joined = openTableWriter(join(dir, "joined-other.csv"), "csv", ["y"]);
    await expect(joined.appendFile(part)).rejects.toThrow(/does not start with the header/);
    await joined.close();
  });

  it("rejects a batch that lacks a column or has columns of different lengths", async () => {
    const writer = openTableWriter(join(dir, "bad.csv"), "csv", ["a", "b"]);
    await expect(writer.write({ a: [1] })).rejects.toThrow(/lacks column 'b'/);
    await expect(writer.write({ a: [1], b: [1, 2] })).rejects.toThrow(/column 'b' has 2 values/);
    await writer.close();
  });

  it("rejects a column name given twice", () => {
    expect(() => openTableWriter(join(dir, "twice.csv"), "csv", ["a", "a"])).toThrow(FlowOpsError);
  });
});
