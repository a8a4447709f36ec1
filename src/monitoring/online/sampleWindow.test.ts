import { describe, expect, it } from "vitest";
import { SampleWindow } from "./sampleWindow.js";

describe("SampleWindow", () => {
  it("pads a column missing from some batches so every column has one value per row", () => {
    const window = new SampleWindow("churn", "models:/churn/1", 0, 100);
    window.append(2, new Map([["age", Float64Array.from([30, 40])]]));
    window.append(1, new Map([["plan", ["pro"]]]));
    window.append(
      1,
      new Map<string, Float64Array | string[]>([
        ["age", Float64Array.from([50])],
        ["plan", ["basic"]],
      ]),
    );
    const closed = window.close(15_000);
    expect(closed.rows).toBe(4);
    expect(
      closed.table.map((column) => [column.name, Array.from(column.values as ArrayLike<unknown>)]),
    ).toEqual([
      ["age", [30, 40, Number.NaN, 50]],
      ["plan", [null, null, "pro", "basic"]],
    ]);
  });

  it("keeps its first maxRows rows and counts the rest as dropped", () => {
    const window = new SampleWindow("churn", "models:/churn/1", 0, 1000);
    for (let i = 0; i < 7; i++) window.append(300, new Map([["x", new Float64Array(300).fill(i)]]));
    const closed = window.close(1);
    expect(closed.rows).toBe(1000);
    expect(closed.dropped).toBe(1100);
    expect(closed.table[0]?.values.length).toBe(1000);
    expect((closed.table[0]?.values as Float64Array)[999]).toBe(3);
  });
});
