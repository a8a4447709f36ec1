import { describe, expect, it } from "vitest";

import { detectDrift, type DriftTable } from "./datasetDrift.js";
import { buildProfile, OTHER_CATEGORIES_LABEL, profileToTable } from "./referenceProfile.js";

function uniforms(seed: number, n: number, scale = 1, offset = 0): Float64Array {
  let state = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return offset + (scale * state) / 2 ** 32;
  });
}

const table = (seed: number, n: number): DriftTable => [
  { name: "x", values: uniforms(seed, n, 10) },
  {
    name: "colour",
    values: Array.from(uniforms(seed + 1, n), (u) => (u < 0.5 ? "red" : u < 0.8 ? "blue" : null)),
  },
];

describe("reference profiles", () => {
  it("summarises numeric and categorical columns", () => {
    const values = Float64Array.from([1, 2, 2, 3, Number.NaN, Infinity]);
    const profile = buildProfile([
      { name: "n", values },
      { name: "c", values: ["a", "b", "a", null, "a", "c"] },
    ]);
    expect(profile.rows).toBe(6);
    expect(profile.columns[0]).toMatchObject({
      kind: "numerical",
      count: 4,
      missing: 2,
      min: 1,
      max: 3,
      mean: 2,
      distinct: 3,
      sample: [1, 2, 2, 3],
    });
    const numeric = profile.columns[0]!;
    if (numeric.kind !== "numerical") throw new Error("numerical profile expected");
    expect(numeric.std).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(numeric.histogram.counts).toHaveLength(20);
    expect(numeric.histogram.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(numeric.histogram.counts[19]).toBe(1);
    expect(profile.columns[1]).toMatchObject({
      kind: "categorical",
      count: 5,
      missing: 1,
      distinct: 3,
      frequencies: [
        ["a", 3],
        ["b", 1],
        ["c", 1],
      ],
      otherCount: 0,
    });
  });

  it("is JSON-serialisable and deterministic for the same data and seed", () => {
    const data = table(1, 50_000);
    const first = JSON.stringify(buildProfile(data, { seed: 7 }));
    expect(JSON.stringify(JSON.parse(first))).toBe(first);
    expect(JSON.stringify(buildProfile(data, { seed: 7 }))).toBe(first);
    expect(JSON.stringify(buildProfile(data, { seed: 8 }))).not.toBe(first);
  });

  it("keeps a sorted sample of at most sampleSize values", () => {
    const profile = buildProfile(table(1, 50_000), { sampleSize: 2000 });
    const column = profile.columns[0]!;
    if (column.kind !== "numerical") throw new Error("numerical profile expected");
    expect(column.sample).toHaveLength(2000);
    expect([...column.sample].sort((a, b) => a - b)).toEqual(column.sample);
  });

  it("gives the same drift report as the data when columns fit in the sample", () => {
    const reference = table(1, 5000);
    const current = table(99, 3000);
    const fromProfile = detectDrift(profileToTable(buildProfile(reference)), current);
    const fromData = detectDrift(reference, current);
    // The profile holds the values sorted, so sums (the reference's std) may differ in the last bit.
    const withoutScores = (report: typeof fromData): unknown => ({
      ...report,
      columns: report.columns.map(({ score: _score, ...rest }) => rest),
    });
    expect(withoutScores(fromProfile)).toEqual(withoutScores(fromData));
    fromProfile.columns.forEach((column, i) => {
      expect(column.score).toBeCloseTo(fromData.columns[i]!.score, 12);
    });
  });

  it("finds the same drift from a sampled profile as from the data on a shifted window", () => {
    const reference = table(1, 200_000);
    const shifted: DriftTable = [
      { name: "x", values: uniforms(5, 5000, 10, 2) },
      { name: "colour", values: Array.from(uniforms(6, 5000), (u) => (u < 0.2 ? "red" : "blue")) },
    ];
    const stable = table(77, 5000);
    const profileTable = profileToTable(buildProfile(reference));
    expect(detectDrift(profileTable, shifted).columns.map((c) => c.drifted)).toEqual([true, true]);
    expect(detectDrift(profileTable, stable).columns.map((c) => c.drifted)).toEqual([false, false]);
  });

  it("folds labels beyond maxCategories into one count", () => {
    const labels = ["a", "a", "a", "b", "b", "c", "d"];
    const profile = buildProfile([{ name: "c", values: labels }], { maxCategories: 2 });
    expect(profile.columns[0]).toMatchObject({
      frequencies: [
        ["a", 3],
        ["b", 2],
      ],
      otherCount: 2,
    });
    const restored = profileToTable(profile)[0]!.values as string[];
    expect(restored.filter((label) => label === OTHER_CATEGORIES_LABEL)).toHaveLength(2);
  });
});
