import { describe, expect, it } from "vitest";
import { inferCells, numberCell, prepareCells } from "./frameCells.js";

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

  // Regression: CSV "True"/"false" reached a model without a signature as text, where read_csv reads booleans.
  it("types CSV text true or false in any letter case as booleans, nulls kept, as read_csv does", () => {
    expect(inferCells(["True", "false", "TRUE", "TrUe", null], "csv")).toEqual({
      cells: [true, false, true, true, null],
      floats: false,
    });
    // read_csv trims nothing, and a column mixing booleans with numbers or other text stays text.
    for (const column of [
      [" True", "False"],
      ["True", "1"],
      ["True", "yes"],
    ]) {
      expect(inferCells(column, "csv").cells).toEqual(column);
    }
    expect(inferCells(["1", "2.5", null], "csv")).toEqual({ cells: [1, 2.5, NaN], floats: true });
  });

  // Regression: a JSON string "1" reached a model without a signature as the number 1; pandas keeps it text.
  it("keeps JSON strings text, numeric or boolean, and leaves cells of unknown source numbers as before", () => {
    expect(inferCells(["1", "True", null], "json").cells).toEqual(["1", "True", null]);
    expect(inferCells(["1", "2"], undefined).cells).toEqual([1, 2]);
    expect(inferCells(["True", "False"], undefined).cells).toEqual(["True", "False"]);
  });
});
