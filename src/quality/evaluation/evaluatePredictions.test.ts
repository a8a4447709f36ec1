import { describe, expect, it } from "vitest";

import { memoryTable } from "../../../test/fixtures/quality/sklearn/memoryTable.js";
import { FlowOpsError } from "../../errors.js";
import {
  evaluatePredictions,
  type ClassificationReport,
  type RegressionReport,
} from "./evaluatePredictions.js";
import { CLASSIFICATION_METRIC_NAMES, REGRESSION_METRIC_NAMES } from "./metricNames.js";

const classify = { task: "classification", yTrue: "y", yPred: "p" } as const;
const regress = { task: "regression", yTrue: "y", yPred: "p" } as const;

describe("evaluatePredictions for classification", () => {
  it("warns about a label never predicted and a label only predicted, scoring both 0 as zero_division", async () => {
    const source = memoryTable(
      ["y", "p"],
      [
        ["a", "a"],
        ["b", "a"],
        ["b", "d"],
      ],
    );
    const report = (await evaluatePredictions(source, classify)) as ClassificationReport;
    expect(report.labels).toEqual(["a", "b", "d"]);
    expect(report.perClass.find((c) => c.label === "b")?.precision).toBe(0);
    expect(report.perClass.find((c) => c.label === "d")?.recall).toBe(0);
    expect(report.warnings).toEqual([
      "label 'b' is in y_true but never predicted: its precision is 0 (zero_division)",
      "label 'd' is predicted but never in y_true: its recall is 0 (zero_division)",
    ]);
  });

  it("sorts numeric labels numerically and reports posLabel precision for two labels", async () => {
    const rows = [
      ["10", "10"],
      ["9", "10"],
      ["9", "9"],
    ];
    const report = (await evaluatePredictions(memoryTable(["y", "p"], rows), {
      ...classify,
      posLabel: "9",
    })) as ClassificationReport;
    expect(report.labels).toEqual(["9", "10"]);
    expect(report.confusionMatrix).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(report.metrics.precision).toBe(1);
    expect(report.metrics.recall).toBe(0.5);
  });

  it("rejects a posLabel that is not among the labels, listing them", async () => {
    const source = memoryTable(["y", "p"], [["x", "y"]]);
    await expect(evaluatePredictions(source, { ...classify, posLabel: "z" })).rejects.toThrow(
      "positive label 'z' is not among the labels found in y_true and y_pred: x, y",
    );
  });

  it("names the column and row of a score that is not a number", async () => {
    const rows = [
      ["0", "0", "0.2"],
      ["1", "1", "NaN"],
    ];
    const source = memoryTable(["y", "p", "s"], rows);
    const error = await evaluatePredictions(source, { ...classify, yScore: ["s"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as Error).message).toMatch(/column s, row 2 \(line 3\)/);
  });

  it("names the column and row of a missing label", async () => {
    const source = memoryTable(
      ["y", "p"],
      [
        ["a", "a"],
        [null, "a"],
      ],
    );
    await expect(evaluatePredictions(source, classify)).rejects.toThrow(
      "column y, row 2 (line 3): the label is missing",
    );
  });

  it("lists the classes when the score columns do not match them", async () => {
    const rows = [
      ["a", "a", "0.5", "0.5"],
      ["b", "b", "0.5", "0.5"],
      ["c", "c", "0.5", "0.5"],
    ];
    const source = memoryTable(["y", "p", "s1", "s2"], rows);
    await expect(evaluatePredictions(source, { ...classify, yScore: ["s1", "s2"] })).rejects.toThrow(
      "y_score has 2 column(s) (s1, s2) but y_true has 3 classes: a, b, c",
    );
  });

  it("skips log loss but keeps ROC AUC for binary decision scores outside [0, 1]", async () => {
    const rows = [
      ["0", "0", "-2.5"],
      ["1", "1", "3"],
      ["0", "1", "0.5"],
    ];
    const report = (await evaluatePredictions(memoryTable(["y", "p", "s"], rows), {
      ...classify,
      yScore: ["s"],
    })) as ClassificationReport;
    expect(report.metrics.log_loss).toBeUndefined();
    expect(report.metrics.roc_auc).toBe(1);
    expect(report.warnings[0]).toMatch(
      /outside \[0, 1\] \(first at row 1 \(line 2\)\): log_loss was not computed/,
    );
  });

  it("skips multiclass ROC AUC with a warning when score rows are not probabilities", async () => {
    const rows = [
      ["a", "a", "0.5", "0.3", "0.1"],
      ["b", "b", "0.2", "0.7", "0.1"],
      ["c", "c", "0.1", "0.1", "0.8"],
    ];
    const report = (await evaluatePredictions(memoryTable(["y", "p", "a", "b", "c"], rows), {
      ...classify,
      yScore: ["a", "b", "c"],
    })) as ClassificationReport;
    expect(report.metrics.roc_auc_ovr_macro).toBeUndefined();
    expect(report.metrics.log_loss).toBeCloseTo(-(Math.log(0.5) + Math.log(0.7) + Math.log(0.8)) / 3, 12);
    expect(report.warnings.join("\n")).toMatch(/first at row 1 \(line 2\).*not computed/);
  });

  it("reports only metric names from the published list", async () => {
    const rows = [
      ["0", "0", "0.1"],
      ["1", "1", "0.9"],
    ];
    const report = await evaluatePredictions(memoryTable(["y", "p", "s"], rows), {
      ...classify,
      yScore: ["s"],
    });
    for (const name of Object.keys(report.metrics)) expect(CLASSIFICATION_METRIC_NAMES).toContain(name);
  });

  it("rejects a table without data rows", async () => {
    await expect(evaluatePredictions(memoryTable(["y", "p"], []), classify)).rejects.toThrow(
      "memory.csv has no data rows",
    );
  });
});

describe("evaluatePredictions for regression", () => {
  it("names the column and row of an infinite value", async () => {
    const source = memoryTable(
      ["y", "p"],
      [
        ["1", "1"],
        ["2", "inf"],
      ],
    );
    await expect(evaluatePredictions(source, regress)).rejects.toThrow(/column p, row 2 \(line 3\)/);
  });

  it("agrees with a direct computation across many chunks and samples at most 5000 points", async () => {
    const rows: string[][] = [];
    for (let i = 0; i < 12_000; i++)
      rows.push([String(1e6 + i * 0.37), String(1e6 + i * 0.37 + ((i % 7) - 3))]);
    const progress: number[] = [];
    const report = (await evaluatePredictions(memoryTable(["y", "p"], rows, 999), regress, {
      onProgress: (n) => progress.push(n),
    })) as RegressionReport;
    const y = rows.map((r) => Number(r[0]));
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    const ssRes = rows.reduce((a, r) => a + (Number(r[0]) - Number(r[1])) ** 2, 0);
    expect(report.metrics.r2).toBeCloseTo(1 - ssRes / ssTot, 12);
    expect(report.metrics.median_absolute_error).toBeCloseTo(2, 6);
    expect(report.sample.actual).toHaveLength(5000);
    expect(progress.at(-1)).toBe(12_000);
    for (const name of Object.keys(report.metrics)) expect(REGRESSION_METRIC_NAMES).toContain(name);
  });

  it("draws the same plot sample on every run", async () => {
    const rows = Array.from({ length: 7000 }, (_, i) => [String(i), String(i + 1)]);
    const first = (await evaluatePredictions(memoryTable(["y", "p"], rows), regress)) as RegressionReport;
    const second = (await evaluatePredictions(memoryTable(["y", "p"], rows), regress)) as RegressionReport;
    expect(first.sample).toEqual(second.sample);
    expect(new Set(first.sample.actual).size).toBe(5000);
  });

  it("rejects score columns for a regression task", async () => {
    const source = memoryTable(["y", "p"], [["1", "1"]]);
    await expect(evaluatePredictions(source, { ...regress, yScore: ["s"] })).rejects.toThrow(
      "y_score columns apply to classification only",
    );
  });
});
