import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { hasTextCells } from "./csvChunk.js";
import { openTable } from "./openTable.js";
import { pandasCsvColumn, pandasJsonColumn } from "./pandasColumnTypes.js";
import type { WriterColumn } from "./tableWriter.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-pandas-types-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Column `c` of a one-column CSV holding `cells`, typed. */
async function typed(cells: readonly string[]): Promise<WriterColumn> {
  const path = join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, `c\n${cells.join("\n")}\n`);
  for await (const chunk of openTable(path).chunks()) {
    const text = hasTextCells(chunk) ? chunk.textCells("c") : undefined;
    if (text === undefined) throw new Error("not a CSV chunk");
    return pandasCsvColumn(text);
  }
  throw new Error("no chunk");
}

describe("pandasCsvColumn (as pandas.read_csv types a column)", () => {
  it("reads integers, signs, leading zeros, spaces and quotes as int64, exactly beyond 2^53", async () => {
    const column = await typed([
      "7",
      "+8",
      "007",
      " -3 ",
      '"12"',
      "9223372036854775807",
      "-9007199254740993",
    ]);
    expect(column).toBeInstanceOf(BigInt64Array);
    expect(Array.from(column as BigInt64Array)).toEqual([
      7n,
      8n,
      7n,
      -3n,
      12n,
      9223372036854775807n,
      -9007199254740993n,
    ]);
  });

  it("reads decimals, exponents and infinities as float64; missing markers make numbers and nulls", async () => {
    const floats = await typed(["1.", ".5", "1e3", "1E+3", "inf", "-Infinity", "0.1234567890123456789"]);
    expect(floats).toBeInstanceOf(Float64Array);
    expect(Array.from(floats as Float64Array)).toEqual([
      1,
      0.5,
      1000,
      1000,
      Infinity,
      -Infinity,
      Number("0.1234567890123456789"),
    ]);
    expect(await typed(["1", "NA", "null", "nan", "2"])).toEqual([1, null, null, null, 2]);
    // pandas' own 17-digit doubles, and an integer too long for a double once the column is float64.
    const long = [
      "-1.2532999515533447",
      "0.30000000000000004",
      "12345678901234567890",
      "9.999999999999999e-5",
    ];
    expect(Array.from((await typed(long)) as Float64Array)).toEqual(long.map(Number));
  });

  it("keeps text as text, pandas' missing markers as null, integers beyond int64 and JS-only literals too", async () => {
    expect(await typed(["x", "NA", "1", "None"])).toEqual(["x", null, "1", null]);
    expect(await typed(["1", "9223372036854775808"])).toEqual(["1", "9223372036854775808"]);
    expect(await typed(["0x10", "1"])).toEqual(["0x10", "1"]);
    expect(await typed(["1_000", "1"])).toEqual(["1_000", "1"]);
  });

  it("gives nulls for a column of only missing values", async () => {
    expect(await typed(["NA", "null"])).toEqual([null, null]);
  });
});

describe("pandasJsonColumn", () => {
  it("makes a column of integers without nulls int64, and leaves any other column as it is", () => {
    expect(Array.from(pandasJsonColumn([123, -2, 0, 2 ** 40]) ?? [])).toEqual([123n, -2n, 0n, 2n ** 40n]);
    expect(pandasJsonColumn([1, 1.5])).toBeUndefined();
    expect(pandasJsonColumn([1, null])).toBeUndefined();
    expect(pandasJsonColumn([1, "2"])).toBeUndefined();
    expect(pandasJsonColumn([])).toBeUndefined();
  });
});
