import { describe, expect, it } from "vitest";
import { differenceBetweenGroups, pythonMax, pythonMin, ratioBetweenGroups } from "./groupDisparity.js";

describe("between-groups disparity", () => {
  it("takes the largest minus the smallest value as the difference", () => {
    expect(differenceBetweenGroups([0.5, 0.75, 0.5])).toBe(0.25);
  });

  it("takes the smallest over the largest value as the ratio", () => {
    expect(ratioBetweenGroups([0.5, 0.75, 0.5])).toBeCloseTo(2 / 3, 15);
    expect(ratioBetweenGroups([0, 0.4])).toBe(0);
  });

  it("gives 0 and 1 for a single group", () => {
    expect(differenceBetweenGroups([0.3])).toBe(0);
    expect(ratioBetweenGroups([0.3])).toBe(1);
  });

  it("gives a NaN ratio when every group is 0, as pandas does in Fairlearn", () => {
    expect(ratioBetweenGroups([0, 0])).toBeNaN();
  });
});

describe("Python's min and max over two values", () => {
  it("keep the first value when the second is NaN", () => {
    expect(pythonMin(0.5, Number.NaN)).toBe(0.5);
    expect(pythonMax(0.5, Number.NaN)).toBe(0.5);
  });

  it("keep a NaN first value, as Python's min() does for Fairlearn's worst case", () => {
    expect(pythonMin(Number.NaN, 0.5)).toBeNaN();
  });

  it("pick the smaller or larger of two numbers", () => {
    expect(pythonMin(0.7, 0.2)).toBe(0.2);
    expect(pythonMax(0.7, 0.2)).toBe(0.7);
  });
});
