import { describe, expect, it } from "vitest";
import { numberCell, prepareCells } from "./frameCells.js";

describe("frame cells", () => {
  it("reads numeric text, pandas' spellings of inf and nan included, and leaves other text as it is", () => {
    expect(
      ["1", " 2.5 ", "1.", ".5", "-1e3", "+inf", "-Infinity", "NaN", "1.2.3", "e5", "x"].map(numberCell),
    ).toEqual([1, 2.5, 1, 0.5, -1000, Infinity, -Infinity, NaN, "1.2.3", "e5", "x"]);
  });

  // Regression found by the request fuzz test: the numeric-text pattern could split a run of digits at any
  // point, so text that failed at its end took quadratic time; a 40,000-digit cell held the server 3.5 s.
  it("tells a very long run of digits that is not a number in linear time", () => {
    const cells: unknown[] = [`${"1".repeat(60_000)}x`, `${"1".repeat(30_000)}.${"1".repeat(30_000)}x`];
    const started = performance.now();
    prepareCells(cells, "FP32");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(cells.map((cell) => (cell as string).length)).toEqual([60_001, 60_002]);
  });
});
