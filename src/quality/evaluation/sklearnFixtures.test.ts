import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { fixturePath, fixtureTable } from "../../../test/fixtures/quality/sklearn/memoryTable.js";
import { openTable } from "../../tables/openTable.js";
import { evaluatePredictions, type EvaluationOptions, type EvaluationReport } from "./evaluatePredictions.js";

interface ExpectedCase {
  file: string;
  options: EvaluationOptions;
  rows: number;
  metrics: Record<string, number>;
  labels?: string[];
  confusionMatrix?: number[][];
  perClass?: Array<Record<string, number | string>>;
  curves?: {
    roc: Array<{ label: string; fpr: number[]; tpr: number[]; auc: number }>;
    pr: Array<{ label: string; precision: number[]; recall: number[]; averagePrecision: number }>;
  };
}

const expected = JSON.parse(readFileSync(fixturePath("expected.json"), "utf8")) as {
  sklearn_version: string;
  cases: Record<string, ExpectedCase>;
};

/** Within 1e-9, relative to the magnitude for large values (MAPE with a zero y_true is ~1e14). */
function expectClose(actual: number | undefined, wanted: number, what: string): void {
  expect(actual, what).toBeTypeOf("number");
  const tolerance = 1e-9 * Math.max(1, Math.abs(wanted));
  expect(Math.abs((actual as number) - wanted), `${what}: ${actual} vs ${wanted}`).toBeLessThanOrEqual(
    tolerance,
  );
}

function expectAllClose(
  actual: readonly number[] | undefined,
  wanted: readonly number[],
  what: string,
): void {
  expect(actual?.length, `${what} length`).toBe(wanted.length);
  wanted.forEach((value, i) => expectClose(actual?.[i], value, `${what}[${i}]`));
}

function compare(report: EvaluationReport, want: ExpectedCase): void {
  expect(report.rows).toBe(want.rows);
  expect(Object.keys(report.metrics).sort()).toEqual(Object.keys(want.metrics).sort());
  for (const [name, value] of Object.entries(want.metrics)) expectClose(report.metrics[name], value, name);
  if (report.task !== "classification") return;
  expect(report.labels).toEqual(want.labels);
  expect(report.confusionMatrix).toEqual(want.confusionMatrix);
  want.perClass?.forEach((row, i) => {
    const got = report.perClass[i] as unknown as Record<string, number | string>;
    expect(got.label).toBe(row.label);
    for (const key of ["precision", "recall", "f1", "support", "accuracy"]) {
      expectClose(got[key] as number, row[key] as number, `${String(row.label)} ${key}`);
    }
  });
  if (want.curves === undefined) {
    expect(report.curves).toBeUndefined();
    return;
  }
  want.curves.roc.forEach((roc, i) => {
    const got = report.curves?.roc[i];
    expect(got?.label).toBe(roc.label);
    expectAllClose(got?.fpr, roc.fpr, `${roc.label} fpr`);
    expectAllClose(got?.tpr, roc.tpr, `${roc.label} tpr`);
    expectClose(got?.auc, roc.auc, `${roc.label} auc`);
  });
  want.curves.pr.forEach((pr, i) => {
    const got = report.curves?.pr[i];
    expect(got?.label).toBe(pr.label);
    expectAllClose(got?.precision, pr.precision, `${pr.label} precision`);
    expectAllClose(got?.recall, pr.recall, `${pr.label} recall`);
    expectClose(got?.averagePrecision, pr.averagePrecision, `${pr.label} average precision`);
  });
}

describe(`evaluatePredictions against scikit-learn ${expected.sklearn_version}`, () => {
  for (const [name, want] of Object.entries(expected.cases)) {
    it(`matches scikit-learn on ${name} within 1e-9, streamed in chunks of 37 rows`, async () => {
      compare(await evaluatePredictions(fixtureTable(want.file, 37), want.options), want);
    });
  }

  it("matches scikit-learn when the fixture is read from disk through openTable", async () => {
    for (const name of ["multiclass_scores", "regression"]) {
      const want = expected.cases[name] as ExpectedCase;
      const source = openTable(fixturePath(want.file), { chunkRows: 100 });
      compare(await evaluatePredictions(source, want.options), want);
    }
  });

  it("reproduces the documented vectors: animals macro F1, spam log loss and the auc example", () => {
    expect(expected.cases.docstring_animals?.metrics.f1_macro).toBeCloseTo(0.2667, 4);
    expect(expected.cases.docstring_log_loss?.metrics.log_loss).toBeCloseTo(0.21616, 5);
    expect(expected.cases.docstring_roc?.metrics.roc_auc).toBe(0.75);
  });
});
