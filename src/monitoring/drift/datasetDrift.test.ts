import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../../errors.js";
import { detectDrift, type DriftTable } from "./datasetDrift.js";

/** Seeded standard normals (Box-Muller over a 32-bit LCG), so every run sees the same data. */
function normals(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return values;
}

function labels(seed: number, n: number, categories: readonly string[]): string[] {
  const u = normals(seed, n);
  return Array.from(u, (z) => categories[Math.min(categories.length - 1, Math.floor(Math.abs(z) * 2))]!);
}

function table(
  seed: number,
  n: number,
  shift: Partial<Record<string, "mean" | "variance" | "category">>,
): DriftTable {
  return [
    { name: "age", values: normals(seed, n, shift.age === "mean" ? 0.5 : 0) },
    { name: "income", values: normals(seed + 1, n, 0, shift.income === "variance" ? 1.6 : 1) },
    {
      name: "city",
      values: labels(seed + 2, n, shift.city === "category" ? ["a", "b", "c", "new"] : ["a", "b", "c"]),
    },
  ];
}

describe("detectDrift on synthetic data with known shifts", () => {
  for (const n of [500, 5000]) {
    it(`reports no drift when nothing shifted (${n} rows)`, () => {
      const report = detectDrift(table(1, n, {}), table(101, n, {}));
      expect(report.columns.map((c) => c.drifted)).toEqual([false, false, false]);
      expect(report.datasetDrift).toBe(false);
    });

    it(`finds a mean shift, a variance change and a new category (${n} rows)`, () => {
      const report = detectDrift(
        table(1, n, {}),
        table(201, n, { age: "mean", income: "variance", city: "category" }),
      );
      expect(report.columns.map((c) => [c.column, c.drifted])).toEqual([
        ["age", true],
        ["income", true],
        ["city", true],
      ]);
      expect(report).toMatchObject({ driftedColumns: 3, share: 1, datasetDrift: true });
    });
  }

  it("uses Evidently's default tests by reference size and column type", () => {
    const small = detectDrift(table(1, 1000, {}), table(2, 300, {}));
    expect(small.columns.map((c) => c.method)).toEqual(["ks", "ks", "chisquare"]);
    const large = detectDrift(table(1, 1001, {}), table(2, 300, {}));
    expect(large.columns.map((c) => c.method)).toEqual(["wasserstein", "wasserstein", "jensenshannon"]);
  });

  it("treats a numeric column with at most five distinct values as categorical when choosing the test", () => {
    const few = Float64Array.from({ length: 400 }, (_, i) => i % 5);
    const two = Float64Array.from({ length: 400 }, (_, i) => i % 2);
    const report = detectDrift(
      [
        { name: "five", values: few },
        { name: "two", values: two },
      ],
      [
        { name: "five", values: few },
        { name: "two", values: two },
      ],
    );
    expect(report.columns.map((c) => [c.method, c.columnType])).toEqual([
      ["chisquare", "numerical"],
      ["z", "numerical"],
    ]);
  });

  it("counts the dataset as drifted when the drifted share reaches driftShare", () => {
    const shifted = table(301, 2000, { age: "mean" });
    const reference = table(1, 2000, {});
    expect(detectDrift(reference, shifted).datasetDrift).toBe(false);
    const report = detectDrift(reference, shifted, { driftShare: 1 / 3 });
    expect(report.share).toBeCloseTo(1 / 3, 12);
    expect(report.datasetDrift).toBe(true);
  });

  it("applies per-column methods and thresholds, and per-type methods", () => {
    const report = detectDrift(table(1, 2000, {}), table(2, 2000, {}), {
      perColumn: { age: { method: "psi", threshold: 0.2 } },
      numericalMethod: "ks",
      categoricalMethod: "chisquare",
    });
    expect(report.columns.map((c) => [c.method, c.threshold])).toEqual([
      ["psi", 0.2],
      ["ks", 0.05],
      ["chisquare", 0.05],
    ]);
  });

  it("drops NaN and infinite values before testing, as Evidently does", () => {
    const reference = normals(7, 300);
    const current = Float64Array.from([...normals(8, 300), Number.NaN, Infinity, -Infinity]);
    const report = detectDrift([{ name: "x", values: reference }], [{ name: "x", values: current }]);
    expect(report.columns[0]).toMatchObject({ referenceSize: 300, currentSize: 300 });
  });

  it("rejects a column missing from the current data, naming it", () => {
    expect(() =>
      detectDrift([{ name: "x", values: normals(1, 10) }], [{ name: "y", values: normals(2, 10) }]),
    ).toThrow(/current data has no column 'x'/);
  });

  it("rejects a column numerical on one side and text on the other, naming the first text cell", () => {
    expect(() =>
      detectDrift([{ name: "y", values: normals(1, 10) }], [{ name: "y", values: ["2", "", "abc", "x"] }]),
    ).toThrow(
      "column 'y' is numerical in the reference but categorical in the current data: row 3 of the current data (header not counted) holds 'abc'",
    );
  });

  it("names the option, not an internal field, for a per-column setting of an unknown column", () => {
    expect(() =>
      detectDrift([{ name: "x", values: normals(1, 10) }], [{ name: "x", values: normals(1, 10) }], {
        perColumn: { zzz: { method: "psi" } },
      }),
    ).toThrow(/^a per-column method or threshold names column 'zzz', which is not compared/);
  });

  it("rejects a numeric-only test on a categorical column", () => {
    const run = () =>
      detectDrift([{ name: "c", values: ["a", "b"] }], [{ name: "c", values: ["a", "b"] }], {
        perColumn: { c: { method: "ks" } },
      });
    expect(run).toThrow(FlowOpsError);
    expect(run).toThrow(/'ks' needs a numerical column, but column 'c' is categorical/);
  });

  it("rejects a column with no finite values on one side", () => {
    expect(() =>
      detectDrift([{ name: "x", values: normals(1, 10) }], [{ name: "x", values: new Float64Array([NaN]) }]),
    ).toThrow(/column 'x' has no finite values in the current data/);
  });
});
