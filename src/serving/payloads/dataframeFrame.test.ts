import { describe, expect, it } from "vitest";
import { frameFromDataframeSplit } from "./dataframeFrame.js";

describe("dataframe_split frames", () => {
  it("takes scalar column names as text, as pandas labels are matched", () => {
    const frame = frameFromDataframeSplit({ columns: ["a", 1, true, null], data: [[1, 2, 3, 4]] });
    expect(frame.columns).toEqual(["a", "1", "true", "null"]);
  });

  // Regression found by the request fuzz test: String() of an object column name with its own `toString`
  // member threw a TypeError, answered as a 500.
  it("refuses a list or object as a column name with a 400, whatever members it has", () => {
    for (const name of [{ toString: 1, hasOwnProperty: 2 }, ["a"], {}]) {
      expect(() => frameFromDataframeSplit({ columns: ["a", name], data: [[1, 2]] })).toThrow(
        expect.objectContaining({
          code: "BAD_REQUEST",
          message: expect.stringContaining("columns[1] is") as unknown,
        }),
      );
    }
  });
});
