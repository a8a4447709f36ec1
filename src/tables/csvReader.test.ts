import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { openTable } from "./openTable.js";
import type { CellValue, TableChunk, TableSource } from "./tableChunk.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-csv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readColumns(source: TableSource): Promise<Record<string, CellValue[]>> {
  const result: Record<string, CellValue[]> = {};
  for await (const chunk of source.chunks()) {
    for (const name of chunk.columns) {
      try {
        (result[name] ??= []).push(...chunk.column(name));
      } catch {
        // not materialised
      }
    }
  }
  return result;
}

async function failure(source: TableSource): Promise<FlowOpsError> {
  try {
    await readColumns(source);
  } catch (error) {
    if (error instanceof FlowOpsError) return error;
    throw error;
  }
  throw new Error("expected the read to fail");
}

describe("CSV reader", () => {
  it("reads quoted fields with doubled quotes, separators and line breaks, CRLF and a BOM", async () => {
    const path = await file(
      "quoted.csv",
      '\uFEFFa,b,c\r\n1,"x, ""y""",\r\n2,"multi\nline",z\r\n3,plain,"q"\r\n',
    );
    expect(await openTable(path).columns()).toEqual(["a", "b", "c"]);
    expect(await readColumns(openTable(path))).toEqual({
      a: ["1", "2", "3"],
      b: ['x, "y"', "multi\nline", "plain"],
      c: [null, "z", "q"],
    });
  });

  it("gives the physical line of each row across embedded line breaks", async () => {
    const path = await file("lines.csv", 'a,b\n1,"two\nlines"\n\n2,x\n');
    const rows: string[] = [];
    for await (const chunk of openTable(path).chunks()) {
      for (let row = 0; row < chunk.rowCount; row++) rows.push(chunk.describeRow(chunk.startRow + row));
    }
    expect(rows).toEqual(["row 1 (line 2)", "row 2 (line 5)"]);
  });

  it("splits a file into chunks of at most chunkRows rows across 1 MiB blocks", async () => {
    const lines = ["id,text"];
    for (let i = 0; i < 120_000; i++) lines.push(i % 1000 === 0 ? `${i},"quoted ""${i}"""` : `${i},row${i}`);
    const path = await file("big.csv", lines.join("\n"));
    const sizes: number[] = [];
    let expected = 0;
    for await (const chunk of openTable(path, { chunkRows: 50_000 }).chunks()) {
      sizes.push(chunk.rowCount);
      expect(chunk.startRow).toBe(expected);
      const ids = chunk.column("id");
      expect(ids[0]).toBe(String(expected));
      expect(ids[chunk.rowCount - 1]).toBe(String(expected + chunk.rowCount - 1));
      expect(chunk.column("text")[1000 - (expected % 1000)]).toBe(
        `quoted "${expected + 1000 - (expected % 1000)}"`,
      );
      expected += chunk.rowCount;
    }
    expect(sizes).toEqual([50_000, 50_000, 20_000]);
  });

  it("materialises only the requested columns", async () => {
    const path = await file("select.csv", "a,b,c\n1,2,3\n");
    const chunks: TableChunk[] = [];
    for await (const chunk of openTable(path, { columns: ["c"] }).chunks()) chunks.push(chunk);
    expect(chunks[0]?.columns).toEqual(["a", "b", "c"]);
    expect(chunks[0]?.column("c")).toEqual(["3"]);
    expect(() => chunks[0]?.column("a")).toThrow(/column 'a' of .*select\.csv was not read/);
    expect(() => chunks[0]?.column("zz")).toThrow(/has no column 'zz'; its columns are: a, b, c/);
  });

  it("rejects a requested column the header lacks, listing the known ones", async () => {
    const path = await file("unknown.csv", "a,b\n1,2\n");
    const error = await failure(openTable(path, { columns: ["a", "nope"] }));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(/has no column 'nope'; its columns are: a, b/);
  });

  it("names the file and line of a ragged row", async () => {
    const path = await file("ragged.csv", "a,b,c\n1,2,3\n1,2,3\n\n1,2,3,4\n");
    const error = await failure(openTable(path));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toBe(`${path} line 5: expected 3 fields (header), found 4`);
  });

  it("names the line where an unterminated quote starts", async () => {
    const path = await file("open-quote.csv", 'a,b\n1,2\n3,"never\nclosed\n');
    expect((await failure(openTable(path))).message).toMatch(
      /open-quote\.csv line 3: a quoted field is not closed/,
    );
  });

  it("names the line of invalid UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from("a,b\n1,2\n3,"), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]);
    const path = await file("latin.csv", bytes);
    expect((await failure(openTable(path))).message).toBe(`${path} line 3: the text is not valid UTF-8`);
  });

  it("reads a quoted field longer than a read block and counts its lines", async () => {
    const long = "x\n".repeat(700_000);
    const path = await file("long-field.csv", `a,b\n1,"${long}"\n2,end\n`);
    const rows: string[] = [];
    for await (const chunk of openTable(path).chunks()) {
      expect(chunk.column("b")).toEqual([long, "end"]);
      rows.push(chunk.describeRow(1));
    }
    expect(rows).toEqual(["row 2 (line 700003)"]);
  });

  it("names the line of invalid UTF-8 after the first read block", async () => {
    const head = "a,b\n" + "1,2\n".repeat(300_000);
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0x33, 0x2c, 0xc3, 0x28, 0x0a])]);
    const path = await file("late-bad.csv", bytes);
    expect((await failure(openTable(path))).message).toBe(`${path} line 300002: the text is not valid UTF-8`);
  });

  it("requires a header row", async () => {
    const path = await file("empty.csv", "\n\n");
    expect((await failure(openTable(path))).message).toMatch(
      /is empty: a header row naming the columns is required/,
    );
  });

  it("yields one empty chunk for a header without rows", async () => {
    const path = await file("header-only.csv", "a,b\n");
    const chunks: TableChunk[] = [];
    for await (const chunk of openTable(path).chunks()) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.rowCount).toBe(0);
    expect(chunks[0]?.columns).toEqual(["a", "b"]);
  });

  it("reads a last row without a line break and a trailing empty field", async () => {
    const path = await file("no-eol.csv", "a,b\n1,\n2,3");
    expect(await readColumns(openTable(path))).toEqual({ a: ["1", "2"], b: [null, "3"] });
  });

  it("reads TSV with tabs, accepting quotes", async () => {
    const path = await file("data.tsv", 'a\tb\nx,y\t"q\tr"\n');
    expect(await readColumns(openTable(path))).toEqual({ a: ["x,y"], b: ["q\tr"] });
  });

  it("rejects duplicate header names", async () => {
    const path = await file("dup.csv", "a,a\n1,2\n");
    expect((await failure(openTable(path))).message).toMatch(/column name 'a' more than once/);
  });
});
