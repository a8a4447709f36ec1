import { describe, expect, it } from "vitest";
import { frameFromRecords } from "./recordsFrame.js";

describe("frames from records", () => {
  it("takes columns in first-seen order, with null where a record lacks one", () => {
    const frame = frameFromRecords(
      [
        { a: 1, b: "x" },
        { c: true, a: 2 },
      ],
      "dataframe_records",
    );
    expect([frame.columns, frame.rows]).toEqual([
      ["a", "b", "c"],
      [
        [1, "x", null],
        [2, null, true],
      ],
    ]);
  });

  // Regression found by the request fuzz test: a record without a column named after a member of
  // Object.prototype read that member (a function) as its cell, which failed later as a 500.
  it("reads a column named constructor, toString or __proto__ as missing from the records that lack it", () => {
    const records = JSON.parse('[{"x": 1}, {"constructor": 2, "toString": 3, "__proto__": 4}]') as unknown[];
    const frame = frameFromRecords(records, "dataframe_records");
    expect(frame.columns).toEqual(["x", "constructor", "toString", "__proto__"]);
    expect(frame.rows).toEqual([
      [1, null, null, null],
      [null, 2, 3, 4],
    ]);
  });

  // Regression: a missing key was only null, which reached a model without a signature as None; pandas fills NaN.
  it("lists by column the records that lack a key, and none when every record has every key", () => {
    const frame = frameFromRecords([{ a: true }, {}, { b: 1 }], "dataframe_records");
    expect(frame.absentKeys).toEqual([
      [1, 2],
      [0, 1],
    ]);
    expect(frameFromRecords([{ a: 1 }, { a: null }], "dataframe_records")).not.toHaveProperty("absentKeys");
  });
});
