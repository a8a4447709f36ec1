import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ColumnarTableChunk } from "./columnarTableChunk.js";
import { hasTextCells, ParsedCsvTableChunk, type CsvTableChunk } from "./csvChunk.js";
import { labelColumn, numericColumn, plainDecimalColumns } from "./numericColumn.js";
import { openTable } from "./openTable.js";
import { MaterialisedTableChunk, type CellValue, type TableChunk } from "./tableChunk.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-numeric-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvChunk(content: string): Promise<TableChunk> {
  const path = join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, content);
  for await (const chunk of openTable(path).chunks()) return chunk;
  throw new Error("no chunk");
}

function typedChunk(values: CellValue[]): TableChunk {
  return new MaterialisedTableChunk("rows.jsonl", ["x"], new Map([["x", values]]), 10, values.length);
}

describe("numericColumn", () => {
  it("parses CSV text as pandas would read a float column", async () => {
    const chunk = await csvChunk('x\n1\n-2.5\n+3e2\n 4 \n.5\n1e-7\n0.1234567890123456789\n"7"\n012\n');
    expect(Array.from(numericColumn(chunk, "x"))).toEqual([
      1,
      -2.5,
      300,
      4,
      0.5,
      1e-7,
      Number("0.1234567890123456789"),
      7,
      12,
    ]);
  });

  it("turns missing markers into NaN only when allowed, naming row and line otherwise", async () => {
    const chunk = await csvChunk("x\n1\n\nNA\n2\nnan\n,\n".replace(",\n", "null\n"));
    expect(Array.from(numericColumn(chunk, "x", { allowMissing: true }))).toEqual([1, NaN, 2, NaN, NaN]);
    expect(() => numericColumn(chunk, "x")).toThrow("column x, row 2 (line 4): missing value 'NA'");
  });

  it("rejects infinities unless allowed", async () => {
    const chunk = await csvChunk("x\ninf\n-Infinity\n1e400\n");
    expect(Array.from(numericColumn(chunk, "x", { allowInfinite: true }))).toEqual([
      Infinity,
      -Infinity,
      Infinity,
    ]);
    expect(() => numericColumn(chunk, "x")).toThrow("column x, row 1 (line 2): 'inf' is infinite");
  });

  it("rejects text that is not a number, including JavaScript-only literals", async () => {
    expect(() => numericColumn(typedChunk(["1", "abc"]), "x")).toThrow(
      "column x, row 12: 'abc' is not a number",
    );
    expect(() => numericColumn(typedChunk(["0x10"]), "x")).toThrow("'0x10' is not a number");
    expect(() => numericColumn(typedChunk(["   "]), "x", {})).toThrow("missing value '   '");
  });

  it("passes typed numbers through and maps booleans to 0 and 1", () => {
    expect(
      Array.from(numericColumn(typedChunk([1.5, true, false, null]), "x", { allowMissing: true })),
    ).toEqual([1.5, 1, 0, NaN]);
    expect(() => numericColumn(typedChunk([null]), "x")).toThrow("column x, row 11: missing value (empty)");
  });

  it("copies a typed-array column, checking NaN and infinities as it checks cells", () => {
    const values = Float32Array.of(0.5, NaN, -Infinity, 2);
    const chunk = new ColumnarTableChunk("t.parquet", ["x"], new Map([["x", values]]), 20, values.length);
    const numbers = numericColumn(chunk, "x", { allowMissing: true, allowInfinite: true });
    expect(Array.from(numbers)).toEqual([0.5, NaN, -Infinity, 2]);
    numbers[0] = 9;
    expect(values[0]).toBe(0.5);
    expect(() => numericColumn(chunk, "x", { allowInfinite: true })).toThrow(
      "column x, row 22: missing value NaN",
    );
    expect(() => numericColumn(chunk, "x", { allowMissing: true })).toThrow(
      "column x, row 23: -Infinity is infinite",
    );
  });
});

describe("labelColumn", () => {
  it("keeps strings, formats numbers as JavaScript does and keeps null", () => {
    expect(labelColumn(typedChunk(["a", 1, 1.0, 2.5, true, null]), "x")).toEqual([
      "a",
      "1",
      "1",
      "2.5",
      "true",
      null,
    ]);
  });
});

describe("plainDecimalColumns, as batch inference reads CSV features", () => {
  it("reads plain decimals of several CSV columns row by row, as numericColumn reads each", async () => {
    const chunk = await csvChunk("a,b,c\n1,-2.5,x\n3e2,.5,y\n0.1,7,z\n");
    if (!hasTextCells(chunk)) throw new Error("a CSV chunk has text cells");
    const [b, a] = plainDecimalColumns([chunk.textCells("b")!, chunk.textCells("a")!]);
    expect(Array.from(b ?? [])).toEqual(Array.from(numericColumn(chunk, "b")));
    expect(Array.from(a ?? [])).toEqual(Array.from(numericColumn(chunk, "a")));
  });

  it("declines a cell that is not a plain decimal, leaving it to numericColumn", async () => {
    for (const cell of ["", " 4", "NA", "inf", "1e400", '"7"', "0x10", "1e", "."]) {
      const chunk = await csvChunk(`a,b\n1,2\n3,${cell}\n`);
      if (!hasTextCells(chunk)) throw new Error("a CSV chunk has text cells");
      const [a, b] = plainDecimalColumns([chunk.textCells("a")!, chunk.textCells("b")!]);
      expect(b).toBeUndefined();
      // A row with a quoted cell keeps all its cells aside, so a may be left to numericColumn too.
      if (a !== undefined) expect(Array.from(a)).toEqual([1, 3]);
      else expect(cell.startsWith('"')).toBe(true);
    }
    expect(hasTextCells(typedChunk([1, 2]))).toBe(false);
  });
});

describe("long decimals", () => {
  it("are read as Number() reads them, by numericColumn and plainDecimalColumns alike", async () => {
    const long = [
      "0.1234567890123456789",
      "-1.403499960899353",
      "2.305799961090088e-3",
      "1e-400",
      "+12345678901234567890",
    ];
    const chunk = await csvChunk(`a,b\n${long.map((cell, i) => `${cell},${i}`).join("\n")}\n`);
    if (!hasTextCells(chunk)) throw new Error("a CSV chunk has text cells");
    const expected = long.map(Number);
    expect(Array.from(numericColumn(chunk, "a"))).toEqual(expected);
    expect(Array.from(plainDecimalColumns([chunk.textCells("a")!])[0] ?? [])).toEqual(expected);
  });
});

describe("plainDecimalColumns", () => {
  it("parses each column of plain decimals as numericColumn does, and gives up on a column at its first other cell", async () => {
    const chunk = await csvChunk("a,b,c,d\n1,-2.5,x,4\n3e2,.5,y,\n0.1,7,z,6\n");
    if (!hasTextCells(chunk)) throw new Error("a CSV chunk has text cells");
    const cells = ["a", "b", "c", "d"].map((name) => chunk.textCells(name)!);
    const [a, b, c, d] = plainDecimalColumns(cells);
    expect(Array.from(a ?? [])).toEqual(Array.from(numericColumn(chunk, "a")));
    expect(Array.from(b ?? [])).toEqual([-2.5, 0.5, 7]);
    // Text, and a blank cell in the second row: left to numericColumn, which names what it finds.
    expect(c).toBeUndefined();
    expect(d).toBeUndefined();
    expect(plainDecimalColumns([])).toEqual([]);
  });

  it("gives numericColumn its numbers through a chunk parsed on a reading thread, as a copy", async () => {
    const chunk = (await csvChunk("a,b\n1,x\n2.5,y\n")) as CsvTableChunk;
    const parsed = new Float64Array([10, 20]);
    const sent = new ParsedCsvTableChunk(
      "t.csv",
      chunk.columns,
      chunk.selected,
      0,
      chunk.sink,
      new Map([["a", parsed]]),
    );
    const numbers = numericColumn(sent, "a");
    expect(Array.from(numbers)).toEqual([10, 20]);
    expect(numbers).not.toBe(parsed);
    expect(() => numericColumn(sent, "b")).toThrow(/'x' is not a number/);
    expect(sent.describeRow(1)).toBe(chunk.describeRow(1));
  });
});
