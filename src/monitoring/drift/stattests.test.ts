import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { columnDrift } from "./columnDrift.js";
import { prepareSample } from "./driftSample.js";
import { buildSample, type SampleSpec } from "./fixtures/driftFixtureSamples.js";
import { ksPValue, ksStatistic, populationStd, wassersteinDistance } from "./numericTests.js";
import { runStattest } from "./stattests.js";
import { DEFAULT_THRESHOLDS, isStattestName } from "./stattest.js";

interface FixtureCase {
  name: string;
  reference: SampleSpec;
  current: SampleSpec;
  scipy?: { ksStatistic: number; ksPValue: number; wassersteinDistance: number; referenceStd: number };
  evidently?: { defaultMethod: string; scores: Record<string, { score: number; drifted: boolean }> };
}

const fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/stattestFixtures.json", import.meta.url), "utf8"),
) as { cases: FixtureCase[] };

const sorted = (values: Float64Array | string[]): Float64Array => {
  const sample = prepareSample(values as Float64Array);
  if (sample.kind !== "numerical") throw new Error("numeric sample expected");
  return sample.sorted;
};

describe("numeric drift statistics match scipy 1.17", () => {
  for (const fixture of fixtures.cases.filter((c) => c.scipy !== undefined)) {
    it(`matches ks_2samp and wasserstein_distance: ${fixture.name}`, () => {
      const reference = sorted(buildSample(fixture.reference));
      const current = sorted(buildSample(fixture.current));
      const expected = fixture.scipy!;
      expect(ksStatistic(reference, current)).toBeCloseTo(expected.ksStatistic, 12);
      expect(Math.abs(ksPValue(reference, current) - expected.ksPValue)).toBeLessThan(1e-6);
      expect(Math.abs(wassersteinDistance(reference, current) - expected.wassersteinDistance)).toBeLessThan(
        1e-6,
      );
      expect(Math.abs(populationStd(reference) - expected.referenceStd)).toBeLessThan(1e-9);
    });
  }
});

const evidentlyCases = fixtures.cases.filter((c) => c.evidently !== undefined);

describe.runIf(evidentlyCases.length > 0)("stattests match Evidently's", () => {
  for (const fixture of evidentlyCases) {
    it(`scores every method and picks the default as Evidently: ${fixture.name}`, () => {
      const reference = buildSample(fixture.reference);
      const current = buildSample(fixture.current);
      const expected = fixture.evidently!;
      for (const [method, { score, drifted }] of Object.entries(expected.scores)) {
        if (!isStattestName(method)) throw new Error(`unknown method ${method} in fixture`);
        const result = runStattest(
          method,
          prepareSample(reference),
          prepareSample(current),
          DEFAULT_THRESHOLDS[method],
        );
        if (Number.isNaN(score)) expect(result.score).toBeNaN();
        else expect(Math.abs(result.score - score), method).toBeLessThan(1e-6);
        expect(result.drifted, method).toBe(drifted);
      }
      expect(columnDrift("x", reference, current).method).toBe(expected.defaultMethod);
    });
  }
});
