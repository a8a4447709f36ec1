/**
 * read_json's typing of a JSON Lines column: each expectation is the dtype and values pandas 3.1.1's
 * `pd.read_json(path, lines=True)` gives for the same two or three lines (src/serving/batchPredictUntypedText
 * .test.ts checks the same against the venv's pandas through the real Python worker).
 */
import { describe, expect, it } from "vitest";

import { pandasJsonCells } from "./pandasJsonCells.js";
import type { CellValue } from "./tableChunk.js";

/** A column whose name read_json does not take for dates. */
const read = (cells: readonly CellValue[]) => pandasJsonCells(cells, "c", 1);

describe("pandasJsonCells", () => {
  it("makes numeric text float64, or int64 where every value is integer text and none is missing", () => {
    expect(read(["1.5", "2"])).toEqual({ values: [1.5, 2], float: true });
    expect(read(["1", " -3 ", "1_000"])).toEqual({ values: [1, -3, 1000], float: false });
    expect(read(["1.0", "2"])).toEqual({ values: [1, 2], float: true });
    expect(read(["1", null])).toEqual({ values: [1, NaN], float: true });
    expect(read(["inf", "nan"])).toEqual({ values: [Infinity, NaN], float: true });
  });

  it("keeps integer text beyond 2^53 exact in int64, and makes text beyond int64 float64", () => {
    expect(read(["9007199254740993", "2"])).toEqual({
      values: [9007199254740993n, 2],
      float: false,
    });
    expect(read(["99999999999999999999", "2"])).toEqual({ values: [1e20, 2], float: true });
  });

  it("converts text mixed with numbers and booleans as float() and int() take each value", () => {
    expect(read(["1.5", 2])).toEqual({ values: [1.5, 2], float: true });
    expect(read([1, "2"])).toEqual({ values: [1, 2], float: false });
    expect(read([true, 2, 3])).toEqual({ values: [1, 2, 3], float: false });
    expect(read(["+1.5", true])).toEqual({ values: [1.5, 1], float: true });
  });

  it("makes booleans with nulls, and only nulls, float64", () => {
    expect(read([true, null, false])).toEqual({ values: [1, NaN, 0], float: true });
    expect(read([null, null])).toEqual({ values: [NaN, NaN], float: true });
  });

  it("keeps booleans alone booleans, and whole numbers int64 unless one is missing", () => {
    expect(read([true, false])).toEqual({ values: [true, false], float: false });
    expect(read([1, 2, 3])).toEqual({ values: [1, 2, 3], float: false });
    expect(read([1, 2.5])).toEqual({ values: [1, 2.5], float: true });
    expect(read([1, null])).toEqual({ values: [1, NaN], float: true });
    expect(read([1e300, 1])).toEqual({ values: [1e300, 1], float: true });
  });

  it("keeps a column with any value float() refuses as it is: text as str, mixed values as object", () => {
    const text = [
      ["x", "1"],
      ["", "1"],
      ["1d5", null],
      ["true", "false"],
      ["x", null],
    ];
    for (const cells of text)
      expect(read(cells)).toEqual({ values: cells, float: false, dtype: { kind: "str" } });
    for (const cells of [
      ["0x10", 2],
      ["True", true],
      [true, "x"],
      ["x", 1, null],
    ]) {
      expect(read(cells)).toEqual({ values: cells, float: false, dtype: { kind: "object" } });
    }
  });

  it("types a column named like a date as read_json's datetimes, and one named otherwise as numbers", () => {
    const epochs = [1577836800000, null];
    expect(pandasJsonCells(epochs, "created_at", 1)).toEqual({
      values: ["2020-01-01T00:00:00.000000000", null],
      float: false,
      dtype: { kind: "datetime", unit: "us", utcOffsetMinutes: null },
    });
    expect(pandasJsonCells(epochs, "created", 1)).toEqual({ values: [1577836800000, NaN], float: true });
  });
});
