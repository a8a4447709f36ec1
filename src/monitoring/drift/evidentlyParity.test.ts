import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { detectDrift, type DriftTable } from "./datasetDrift.js";
import { buildSample, type SampleSpec } from "./fixtures/driftFixtureSamples.js";
import type { StattestName } from "./stattest.js";

/**
 * FlowOps against Evidently itself on the seeded columns of fixtures/evidentlyParity.py: evidently 0.7.23
 * (pandas 2.3.3, numpy 2.4.6, scipy 1.17.1), legacy DataDriftTable, the calculation the 0.7 DataDriftPreset
 * runs. Where the 0.7 preset picks otherwise, a comment says so: it types an int64 column with <= 10 distinct
 * values as categorical (core/datasets.py `infer_column_type`), and drops ±inf before counting n_ref.
 * Regenerate: /tmp/evd/bin/python evidentlyParity.py /tmp/parity (the "specs" part is evidentlyParitySpecs.json).
 */
type ParitySpec = SampleSpec & { missing?: [number, number]; inf?: number; as_float?: boolean };
type Expected = [method: StattestName, score: number, drifted: boolean];

const EVIDENTLY: Record<string, { datasetDrift: boolean; share: number; columns: Record<string, Expected> }> =
  {
    small: {
      datasetDrift: false,
      share: 0.3333333333333333,
      columns: {
        num_binary: ["z", 0.9175727171728429, false],
        num_constant: ["z", 1.0, false],
        // 0.7 preset (int64 column, <= 10 values: categorical): chisquare 0.07371990787509862.
        num_int10: ["ks", 0.9468806620878456, false],
        num_lowcard4: ["chisquare", 0.5147277340024063, false],
        num_nan: ["ks", 0.0002390123887796139, true],
        num_same: ["ks", 0.31214680661798777, false],
        num_shift: ["ks", 2.556318994050808e-5, true],
        cat3: ["chisquare", 0.1554553084215336, false],
        cat_binary: ["z", 0.5749303268270152, false],
        cat_constant: ["z", 1.0, false],
        cat_many: ["chisquare", 0.0023253526503921457, true],
        cat_new: ["chisquare", 0.0, true],
      },
    },
    large: {
      datasetDrift: false,
      share: 0.25,
      columns: {
        num_binary: ["jensenshannon", 9.428291637908037e-5, false],
        num_constant: ["jensenshannon", 0.0, false],
        // 0.7 preset (int64 column, <= 10 values: categorical): jensenshannon 0.02038304816638309.
        num_int10: ["wasserstein", 0.014408235809528982, false],
        num_lowcard4: ["jensenshannon", 0.03386215635353343, false],
        num_nan: ["wasserstein", 0.25146516155723114, true],
        num_same: ["wasserstein", 0.01965657919737234, false],
        num_shift: ["wasserstein", 0.23040923065424807, true],
        cat3: ["jensenshannon", 0.04613783744347039, false],
        cat_binary: ["jensenshannon", 0.012419171425381745, false],
        cat_constant: ["jensenshannon", 0.0, false],
        cat_many: ["jensenshannon", 0.07276009504795034, false],
        cat_new: ["jensenshannon", 0.31683223629927004, true],
      },
    },
    edges: {
      datasetDrift: true,
      share: 0.6,
      columns: {
        // legacy DataDriftTable keeps the inf: wasserstein, score NaN; the 0.7 preset drops it (as here).
        n1000_after_inf: ["ks", 0.1267232619198226, false],
        n1000_after_nan: ["ks", 0.282160065635373, false],
        n1001: ["wasserstein", 0.17228623346969335, true],
        union_unique3: ["jensenshannon", 0.36352532147167377, true],
        labels_missing: ["chisquare", 1.9613321458420774e-10, true],
      },
    },
    half: {
      datasetDrift: true,
      share: 0.5,
      columns: {
        moved: ["ks", 1.096624314778916e-19, true],
        still: ["ks", 0.34165950354815394, false],
      },
    },
  };

const specs = JSON.parse(
  readFileSync(new URL("./fixtures/evidentlyParitySpecs.json", import.meta.url), "utf8"),
) as Record<string, Record<string, [ParitySpec, ParitySpec]>>;

function columnValues(spec: ParitySpec): Float64Array | (string | null)[] {
  const built = buildSample(spec);
  const values: Float64Array | (string | null)[] = built instanceof Float64Array ? built : [...built];
  if (spec.missing !== undefined) {
    const [every, at] = spec.missing;
    for (let i = at; i < values.length; i += every) values[i] = values instanceof Float64Array ? NaN : null;
  }
  if (spec.inf !== undefined && values instanceof Float64Array) values[spec.inf] = Infinity;
  return values;
}

function side(caseName: string, index: 0 | 1): DriftTable {
  return Object.entries(specs[caseName]!).map(([name, pair]) => ({
    name,
    values: columnValues(pair[index]),
  }));
}

describe("detectDrift matches Evidently 0.7.23 on seeded columns", () => {
  for (const [caseName, expected] of Object.entries(EVIDENTLY)) {
    it(`${caseName}: per-column test, score, threshold and verdict, and the dataset share`, () => {
      const report = detectDrift(side(caseName, 0), side(caseName, 1));
      const actual = Object.fromEntries(report.columns.map((column) => [column.column, column]));
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected.columns).sort());
      for (const [name, [method, score, drifted]] of Object.entries(expected.columns)) {
        const column = actual[name]!;
        expect({ name, method: column.method, drifted: column.drifted }).toEqual({ name, method, drifted });
        expect(column.threshold).toBe(method === "wasserstein" || method === "jensenshannon" ? 0.1 : 0.05);
        const tolerance = Math.max(1e-7 * Math.abs(score), 1e-15);
        expect(
          Math.abs(column.score - score),
          `${name} score ${column.score} vs ${score}`,
        ).toBeLessThanOrEqual(tolerance);
      }
      expect(report.share).toBeCloseTo(expected.share, 15);
      expect(report.datasetDrift).toBe(expected.datasetDrift);
    });
  }
});
