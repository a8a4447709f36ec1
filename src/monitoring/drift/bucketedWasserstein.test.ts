import { describe, expect, it } from "vitest";

import { mulberry32 } from "../../seededRandom.js";
import { histogramCounts, sturgesEdges } from "./binning.js";
import { sampleWassersteinDistance } from "./bucketedWasserstein.js";
import { finiteSample } from "./driftSample.js";
import { populationStd, wassersteinDistance } from "./numericTests.js";

const random = mulberry32(20261202);

function normal(size: number, mean = 0, sd = 1): Float64Array {
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const u = random() || Number.MIN_VALUE;
    values[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return values;
}

function sortedDistance(a: Float64Array, b: Float64Array): number {
  return wassersteinDistance(finiteSample(a).sorted, finiteSample(b).sorted);
}

/** The bucketed path forced on (threshold 0) against the sorted formula on the same values. */
function expectSameDistance(a: Float64Array, b: Float64Array): void {
  const expected = sortedDistance(a, b);
  const bucketed = sampleWassersteinDistance(finiteSample(a), finiteSample(b), 0);
  expect(Math.abs(bucketed - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

describe("sampleWassersteinDistance without sorting", () => {
  it("equals the sorted formula for two samples of one distribution, where D crosses zero often", () => {
    expectSameDistance(normal(50_000), normal(40_000));
  });

  it("equals the sorted formula for a mean shift and for a variance change", () => {
    expectSameDistance(normal(30_000), normal(30_000, 0.5));
    expectSameDistance(normal(30_000), normal(20_000, 0, 2));
  });

  it("equals the sorted formula with ties, zeros of both signs and few distinct values", () => {
    const a = Float64Array.from({ length: 20_000 }, () => Math.floor(random() * 7) - 3);
    const b = Float64Array.from({ length: 15_000 }, () => Math.floor(random() * 5) - 2);
    a[0] = -0;
    b[1] = 0;
    expectSameDistance(a, b);
  });

  it("equals the sorted formula with far outliers that crowd the rest into a few buckets", () => {
    const a = normal(20_000);
    const b = normal(20_000, 0.1);
    a[5] = 1e12;
    b[7] = -1e9;
    expectSameDistance(a, b);
  });

  it("keeps its precision for values far from zero with a narrow spread", () => {
    const a = normal(20_000, 1e6, 1e-3);
    const b = normal(25_000, 1e6 + 1e-4, 1e-3);
    expectSameDistance(a, b);
  });

  it("is zero for identical samples and for one repeated value", () => {
    const a = normal(10_000);
    expect(sampleWassersteinDistance(finiteSample(a), finiteSample(a.slice()), 0)).toBeCloseTo(0, 15);
    const constant = new Float64Array(10_000).fill(4.5);
    expect(sampleWassersteinDistance(finiteSample(constant), finiteSample(constant), 0)).toBe(0);
  });

  it("ignores NaN and infinities as the sorted formula does", () => {
    const a = normal(10_000);
    const b = normal(10_000, 0.3);
    a[3] = Number.NaN;
    b[9] = Number.POSITIVE_INFINITY;
    expectSameDistance(a, b);
  });

  it("is the shift for two samples that differ only by a constant", () => {
    const a = normal(40_000);
    const shifted = a.map((x) => x + 0.25);
    expect(sampleWassersteinDistance(finiteSample(a), finiteSample(shifted))).toBeCloseTo(0.25, 9);
  });
});

describe("histogramCounts on values in any order", () => {
  it("counts as the sorted search did: bins closed on the left, the last closed on both sides", () => {
    const values = Float64Array.from([2, 0, 1, 0.5, 1.5, 2.5, 2.5, 1]);
    const edges = Float64Array.from([0, 1, 2, 2.5]);
    expect(Array.from(histogramCounts(values, edges))).toEqual([2, 3, 3]);
  });

  it("puts every value of a large sample into the bin its edges bound", () => {
    const reference = finiteSample(normal(20_000));
    const current = finiteSample(normal(20_000, 0.4));
    const edges = sturgesEdges(reference, current);
    const counts = histogramCounts(current.values, edges);
    const sorted = current.sorted;
    const misplaced: number[] = [];
    let at = 0;
    for (let bin = 0; bin < counts.length; bin++) {
      const upper = bin < counts.length - 1 ? edges[bin + 1]! : Number.POSITIVE_INFINITY;
      for (let k = 0; k < counts[bin]!; k++, at++) {
        if (!(sorted[at]! >= edges[bin]! && sorted[at]! < upper)) misplaced.push(sorted[at]!);
      }
    }
    expect(misplaced).toEqual([]);
    expect(at).toBe(sorted.length);
  });
});

describe("finiteSample's standard deviation, from one pass", () => {
  it("agrees with numpy's two-pass formula on a narrow spread far from zero, an outlier first and non-finite values", () => {
    const narrow = normal(50_000, 1e6, 1e-3);
    const outlierFirst = normal(50_000);
    outlierFirst[0] = 1e9;
    const withGaps = normal(20_000, -3, 7);
    withGaps[0] = Number.NaN;
    withGaps[10] = Number.NEGATIVE_INFINITY;
    for (const values of [narrow, outlierFirst, withGaps]) {
      const sample = finiteSample(values);
      const expected = populationStd(sample.sorted);
      expect(Math.abs(sample.std - expected) / expected).toBeLessThan(1e-9);
    }
    expect(finiteSample(new Float64Array(100).fill(2.5)).std).toBe(0);
  });
});
