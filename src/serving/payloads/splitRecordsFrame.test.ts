import { describe, expect, it } from "vitest";
import { parseJsonKeepingFloatLiterals } from "./jsonFloatLiterals.js";
import { frameFromSplitRecords } from "./splitRecordsFrame.js";

/** The frame of a split's `data` text, read keeping its float literals as the untyped read does. */
function frameOf(data: string, columns?: string[]) {
  const { value, floats } = parseJsonKeepingFloatLiterals(data);
  return frameFromSplitRecords(value as unknown[], columns, floats);
}

describe("frameFromSplitRecords", () => {
  // Regression: dict(item) of ["b", 2.0] keeps json.loads' float, which the frame made the integer 2
  // (mlflow 3.17.2 hands the model float:2.0 in the string column "a" of [{"a": {"k": 1}}, [["a", 2.0]]]).
  it("keeps a whole float of a later key-value pair list a float", () => {
    const frame = frameOf('[{"a": "x", "b": 1}, [["a", 2.0], ["b", 3]]]');
    expect(frame.columns).toEqual(["a", "b"]);
    expect(frame.rows).toEqual([
      ["x", 1],
      [2, 3],
    ]);
    expect(frame.floatCell?.(1, 0)).toBe(true);
    expect(frame.floatCell?.(1, 1)).toBe(false);
    expect(frame.floatColumn?.(0)).toBe(true);
    expect(frame.floatColumn?.(1)).toBe(false);
  });

  it("tells the float of a pair's value under the named columns too, the last pair of a key deciding", () => {
    const frame = frameOf('[{"x": 1}, [["b", 2.0], ["b", 4]], [["b", 5.0]]]', ["b", "z"]);
    expect(frame.rows).toEqual([
      [null, null],
      [4, null],
      [5, null],
    ]);
    expect([0, 1, 2].map((r) => frame.floatCell?.(r, 0))).toEqual([false, false, true]);
    expect(frame.floatColumn?.(0)).toBe(true);
    expect(frame.floatColumn?.(1)).toBe(false);
  });

  it("keeps a record's own float literals", () => {
    const frame = frameOf('[{"a": 1.0}, [["a", 2]]]');
    expect([0, 1].map((r) => frame.floatCell?.(r, 0))).toEqual([true, false]);
  });
});
