import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { hasNumberText, hasTypedColumns } from "./columnarTableChunk.js";
import { openTable } from "./openTable.js";
import type { CellValue, TableSource } from "./tableChunk.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-jsonl-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readColumns(source: TableSource): Promise<Record<string, CellValue[]>> {
  const result: Record<string, CellValue[]> = {};
  for await (const chunk of source.chunks()) {
    for (const name of chunk.columns) (result[name] ??= []).push(...chunk.column(name));
  }
  return result;
}

describe("JSON Lines reader", () => {
  it("takes the columns from the first object, skips blank lines and gives null for missing keys", async () => {
    const path = await file(
      "rows.jsonl",
      '{"a": 1, "b": "x", "c": true}\n\n{"a": 2.5, "c": null, "extra": 1}\r\n{"b": {"k": [1, 2]}, "a": null}',
    );
    expect(await openTable(path).columns()).toEqual(["a", "b", "c"]);
    expect(await readColumns(openTable(path))).toEqual({
      a: [1, 2.5, null],
      b: ["x", null, '{"k":[1,2]}'],
      c: [true, null, null],
    });
  });

  it("describes rows by number", async () => {
    const path = await file("describe.ndjson", '{"a": 1}\n{"a": 2}\n{"a": 3}\n');
    const descriptions: string[] = [];
    for await (const chunk of openTable(path, { chunkRows: 2 }).chunks()) {
      descriptions.push(`${chunk.startRow}:${chunk.rowCount}:${chunk.describeRow(chunk.startRow)}`);
    }
    expect(descriptions).toEqual(["0:2:row 1", "2:1:row 3"]);
  });

  it("names the line of text that is not JSON", async () => {
    const path = await file("bad.jsonl", '{"a": 1}\n\n{"a": \n');
    await expect(readColumns(openTable(path))).rejects.toThrow(/bad\.jsonl line 3: not valid JSON/);
  });

  it("names the line of a value that is not an object", async () => {
    const path = await file("array.jsonl", '{"a": 1}\n[1, 2]\n');
    await expect(readColumns(openTable(path))).rejects.toThrow(
      /array\.jsonl line 2: expected a JSON object, found an array/,
    );
  });

  it("rejects a requested column the first object lacks", async () => {
    const path = await file("cols.jsonl", '{"a": 1, "b": 2}\n');
    await expect(readColumns(openTable(path, { columns: ["z"] }))).rejects.toThrow(
      /has no column 'z'; its columns are: a, b/,
    );
  });

  it("reads flat lines and every other kind of line alike, as JSON.parse gives them", async () => {
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return items[(seed >>> 8) % items.length] as T;
    };
    const values = [
      "1",
      "-0",
      "2.5",
      "-1.25e-3",
      "1E5",
      "0.1",
      "12345678901234",
      '"x"',
      '"é \\" q"',
      '""',
      "true",
      "false",
      "null",
      "[1, 2]",
      '{"k": "v"}',
      "9007199254740993.5",
    ];
    const lines: string[] = [];
    for (let row = 0; row < 400; row++) {
      const shape = pick(["flat", "flat", "flat", "spaced", "reordered", "missing", "extra", "blank"]);
      const a = pick(values);
      const b = pick(values.slice(0, 7));
      const c = pick(values);
      if (shape === "flat" || row === 0) lines.push(`{"a":${a},"b":${b},"c":${c}}`);
      else if (shape === "spaced") lines.push(` { "a" : ${a} , "b" :${b},"c": ${c} } \r`);
      else if (shape === "reordered") lines.push(`{"c":${c},"a":${a},"b":${b}}`);
      else if (shape === "missing") lines.push(`{"a":${a},"c":${c}}`);
      else if (shape === "extra") lines.push(`{"a":${a},"b":${b},"c":${c},"d":1}`);
      else lines.push("  ");
    }
    const path = await file("mixed.jsonl", lines.join("\n"));
    const expected: Record<string, CellValue[]> = { a: [], b: [], c: [] };
    for (const line of lines) {
      if (line.trim() === "") continue;
      const object = JSON.parse(line) as Record<string, unknown>;
      for (const key of ["a", "b", "c"]) {
        const value = object[key];
        (expected[key] as CellValue[]).push(
          value === undefined
            ? null
            : typeof value === "object" && value !== null
              ? JSON.stringify(value)
              : (value as CellValue),
        );
      }
    }
    expect(await readColumns(openTable(path, { chunkRows: 7 }))).toEqual(expected);
    // Where a chunk keeps its numbers' text, each is the text String gives the number.
    let texted = 0;
    for await (const chunk of openTable(path, { chunkRows: 7, numberText: true }).chunks()) {
      for (const name of chunk.columns) {
        const text = hasNumberText(chunk) ? chunk.numberText(name) : undefined;
        if (text === undefined) continue;
        texted++;
        const values = [...chunk.column(name)];
        const decoded = Array.from(text.ends, (end, row) =>
          Buffer.from(text.bytes.subarray(text.starts[row], end)).toString(),
        );
        expect(decoded).toEqual(values.map(String));
      }
    }
    expect(texted).toBeGreaterThan(0);
  });

  it("hands out a column of fractions as a Float64Array of each chunk's own, and whole numbers as cells", async () => {
    const lines = Array.from({ length: 5 }, (_, row) => `{"x": ${row + 0.5}, "n": ${row}, "s": "r${row}"}`);
    const path = await file("typed.jsonl", lines.join("\n") + "\n");
    const chunks = [];
    for await (const chunk of openTable(path, { chunkRows: 2 }).chunks()) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.rowCount)).toEqual([2, 2, 1]);
    const typed = chunks.map((chunk) => (hasTypedColumns(chunk) ? chunk.typedColumn("x") : undefined));
    expect(typed.every((values) => values instanceof Float64Array)).toBe(true);
    // Read after every chunk was made: no chunk's array may be one a later chunk wrote into.
    expect(typed.flatMap((values) => Array.from(values ?? []))).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    for (const chunk of chunks) {
      expect(hasTypedColumns(chunk) && chunk.typedColumn("n")).toBeUndefined();
      expect(hasTypedColumns(chunk) && chunk.typedColumn("s")).toBeUndefined();
    }
    expect(chunks.flatMap((chunk) => [...chunk.column("n")])).toEqual([0, 1, 2, 3, 4]);
  });

  it("names the line of text that is not UTF-8, in a later block of the file too", async () => {
    const line = `{"a": 0.25, "b": "${"x".repeat(80)}"}\n`;
    const head = Buffer.from(line.repeat(15_000));
    const path = join(dir, "latin1.jsonl");
    await writeFile(
      path,
      Buffer.concat([head, Buffer.from('{"a": 1, "b": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    );
    await expect(readColumns(openTable(path))).rejects.toThrow(
      /latin1\.jsonl line 15001: the text is not valid UTF-8/,
    );
  });

  it("reads the bytes: a leading byte order mark, UTF-8 strings, a line longer than a block, no last line feed", async () => {
    const long = "é".repeat(700_000); // 1.4 MB of UTF-8 on one line, more than a read block
    const path = join(dir, "bytes.jsonl");
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`{"a": 0.5, "b": "naïve 😀"}\n{"a": 1.5, "b": "${long}"}\n\n{"a": -2e-3, "b": "€"}`),
      ]),
    );
    const source = openTable(path);
    expect(await source.columns()).toEqual(["a", "b"]);
    expect(await readColumns(source)).toEqual({ a: [0.5, 1.5, -0.002], b: ["naïve 😀", long, "€"] });
  });

  it("names the line whose bytes outside a string are not UTF-8, and one cut off at the end", async () => {
    const good = '{"a": 0.25}\n';
    const path = join(dir, "stray.jsonl");
    await writeFile(
      path,
      Buffer.concat([Buffer.from(good.repeat(3)), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]),
    );
    await expect(readColumns(openTable(path))).rejects.toThrow(
      /stray\.jsonl line 4: the text is not valid UTF-8/,
    );
    const cut = join(dir, "cut.jsonl");
    await writeFile(cut, Buffer.concat([Buffer.from(`${good}{"a": 1, "b": "caf`), Buffer.from([0xc3])]));
    await expect(readColumns(openTable(cut))).rejects.toThrow(
      /cut\.jsonl line 2: the text is not valid UTF-8/,
    );
  });
});
