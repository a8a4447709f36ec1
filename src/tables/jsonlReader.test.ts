import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
});
