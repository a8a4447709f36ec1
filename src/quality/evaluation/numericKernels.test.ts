import { describe, expect, it } from "vitest";

import { rankBinary } from "./binaryRanking.js";
import { CompensatedSum } from "./compensatedSum.js";
import { medianInPlace } from "./medianSelect.js";

describe("CompensatedSum", () => {
  it("keeps small terms that a plain running sum loses", () => {
    const sum = new CompensatedSum();
    let naive = 0;
    for (const v of [1e16, 1, 1, 1, 1, -1e16]) {
      sum.add(v);
      naive += v;
    }
    expect(sum.value).toBe(4);
    expect(naive).not.toBe(4);
  });
});

describe("medianInPlace", () => {
  it("returns the middle value, or the mean of the two middle values", () => {
    expect(medianInPlace(Float64Array.from([5, 1, 3]))).toBe(3);
    expect(medianInPlace(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
    expect(medianInPlace(Float64Array.from([2, 2, 2, 2]))).toBe(2);
  });

  it("agrees with sorting on random data with many ties", () => {
    let state = 7;
    for (const n of [1, 2, 10, 101, 1000]) {
      const values = Float64Array.from({ length: n }, () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state % 17;
      });
      const sorted = Float64Array.from(values).sort();
      const want = n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      expect(medianInPlace(values)).toBe(want);
    }
  });
});

describe("rankBinary", () => {
  it("counts a tie between a positive and a negative as one half", () => {
    const ranking = rankBinary(Float64Array.from([0.5]), Float64Array.from([0.5]));
    expect(ranking.auc).toBe(0.5);
    expect(ranking.roc).toEqual({ fpr: [0, 1], tpr: [0, 1] });
  });

  it("thins a long curve to the point limit while AUC still uses every threshold", () => {
    const positives = Float64Array.from({ length: 5000 }, (_, i) => 0.5 + i / 10000);
    const negatives = Float64Array.from({ length: 5000 }, (_, i) => i / 10000);
    const ranking = rankBinary(positives, negatives, 100);
    expect(ranking.auc).toBe(1);
    expect(ranking.averagePrecision).toBe(1);
    expect(ranking.roc.fpr.length).toBeLessThanOrEqual(101);
    expect(ranking.roc.fpr.at(-1)).toBe(1);
    expect(ranking.pr.recall.at(-1)).toBe(0);
    expect(ranking.pr.precision.length).toBeLessThanOrEqual(101);
  });
});
