import { describe, expect, it } from "vitest";

import {
  agreementRate,
  histogramCounts,
  populationStabilityIndex,
  sturgesEdges,
} from "./populationStability.js";

// The inputs below are rebuilt in generate_reference.py, which computes the expected numbers with numpy the way
// Evidently's get_binned_data + psi_stat_test do.
const reference = Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) / 10);
const current = Array.from({ length: 150 }, (_, i) => ((i * 53) % 97) / 10 + 1.5);

describe("sturgesEdges", () => {
  it("matches np.histogram_bin_edges(bins='sturges') bit for bit", () => {
    expect(sturgesEdges([...reference, ...current])).toEqual([
      0.0, 1.1099999999999999, 2.2199999999999998, 3.3299999999999996, 4.4399999999999995, 5.549999999999999,
      6.659999999999999, 7.77, 8.879999999999999, 9.989999999999998, 11.1,
    ]);
  });

  it("widens a single repeated value to ±0.5 with one bin, as numpy does", () => {
    expect(sturgesEdges([3, 3, 3])).toEqual([2.5, 3.5]);
  });
});

describe("histogramCounts", () => {
  it("uses half-open bins with the last bin closed and skips values outside", () => {
    expect(histogramCounts([0, 0.5, 1, 1.5, 2, 2.5], [0, 1, 2])).toEqual([2, 3]);
  });
});

describe("populationStabilityIndex", () => {
  it("bins numbers with more than 20 unique reference values on Sturges edges (Evidently: 1.0889454431234624)", () => {
    const result = populationStabilityIndex(reference, current);
    expect(result.binning).toBe("sturges");
    expect(result.bins).toHaveLength(10);
    expect(result.psi).toBeCloseTo(1.0889454431234624, 12);
  });

  it("uses one bin per category with Evidently's zero-fill (3.089923365701524)", () => {
    const ref = [
      ...Array<string>(50).fill("a"),
      ...Array<string>(30).fill("b"),
      ...Array<string>(20).fill("c"),
    ];
    const cur = [
      ...Array<string>(40).fill("a"),
      ...Array<string>(40).fill("b"),
      ...Array<string>(20).fill("d"),
    ];
    const result = populationStabilityIndex(ref, cur);
    expect(result.binning).toBe("values");
    expect(result.bins.map((bin) => bin.label)).toEqual(["a", "b", "d", "c"]);
    expect(result.bins.find((bin) => bin.label === "c")?.currentShare).toBe(0.0001);
    expect(result.psi).toBeCloseTo(3.089923365701524, 12);
  });

  it("uses one bin per value for numbers with few unique reference values (3.2148908965183822)", () => {
    const result = populationStabilityIndex([0, 1, 1, 2, 2, 2], [1, 2, 2, 3]);
    expect(result.binning).toBe("values");
    expect(result.psi).toBeCloseTo(3.2148908965183822, 12);
  });

  it("is zero for identical distributions and ignores NaN", () => {
    expect(populationStabilityIndex(reference, [...reference, Number.NaN]).psi).toBe(0);
  });

  it("rejects infinities and sides with no values", () => {
    expect(() => populationStabilityIndex(reference, [1, Infinity])).toThrow(/current holds Infinity/);
    expect(() => populationStabilityIndex([Number.NaN], reference)).toThrow(
      /reference has no non-missing values/,
    );
  });
});

describe("agreementRate", () => {
  it("counts equal labels, or numbers within the tolerance", () => {
    expect(agreementRate(["cat", "dog", "cat", "owl"], ["cat", "cat", "cat", "owl"])).toBe(0.75);
    expect(agreementRate([1.0, 2.0, 3.0], [1.05, 2.5, 3.0], 0.1)).toBeCloseTo(2 / 3, 15);
  });

  it("rejects unpaired or empty inputs", () => {
    expect(() => agreementRate([1], [1, 2])).toThrow(/1 stable and 2 candidate/);
    expect(() => agreementRate([], [])).toThrow(/at least one pair/);
  });
});
