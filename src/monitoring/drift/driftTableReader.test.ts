import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../../tables/openTable.js";
import { readDriftTable } from "./driftTableReader.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-drift-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readDriftTable", () => {
  it("reads numeric columns as numbers and text columns as labels, across chunks", async () => {
    const path = join(dir, "data.csv");
    const rows = ["x,city,code"];
    for (let i = 0; i < 10; i++) rows.push(`${i === 3 ? "" : i / 2},${i === 8 ? "" : `c${i % 3}`},${i % 4}`);
    rows.push("inf,late text,7");
    await writeFile(path, `${rows.join("\n")}\n`);
    const table = await readDriftTable(openTable(path, { chunkRows: 4 }), { categorical: ["code"] });
    expect(table.map((c) => c.name)).toEqual(["x", "city", "code"]);
    const x = table[0]!.values as Float64Array;
    expect(x).toBeInstanceOf(Float64Array);
    expect(x).toHaveLength(11);
    expect(Number.isNaN(x[3])).toBe(true);
    expect(x[10]).toBe(Infinity);
    expect(table[1]!.values).toEqual([
      "c0",
      "c1",
      "c2",
      "c0",
      "c1",
      "c2",
      "c0",
      "c1",
      null,
      "c0",
      "late text",
    ]);
    expect(table[2]!.values).toEqual(["0", "1", "2", "3", "0", "1", "2", "3", "0", "1", "7"]);
  });

  it("names a column the file does not have", async () => {
    const path = join(dir, "small.csv");
    await writeFile(path, "a\n1\n");
    await expect(readDriftTable(openTable(path), { columns: ["b"] })).rejects.toThrow(/has no column 'b'/);
  });
});
