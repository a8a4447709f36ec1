import { describe, expect, it } from "vitest";
import type { FairnessReport } from "./fairnessReport.js";
import { formatFairnessReport } from "./formatFairnessReport.js";

const rates = {
  selection_rate: 0.5,
  accuracy: 0.75,
  true_positive_rate: 0.6,
  false_positive_rate: 0,
  precision: 1,
};

const report: FairnessReport = {
  rows: 40,
  posLabel: "yes",
  overall: { count: 40, ...rates },
  byGroup: [
    { group: { sex: "f" }, key: "sex=f", count: 36, ...rates, belowMinCount: false },
    { group: { sex: "m" }, key: "sex=m", count: 4, ...rates, selection_rate: 0.25, belowMinCount: true },
  ],
  metrics: {
    demographic_parity_difference: 0.25,
    demographic_parity_ratio: 0.5,
    equalized_odds_difference: 0,
    equalized_odds_ratio: Number.NaN,
    equal_opportunity_difference: 0,
    equal_opportunity_ratio: 1,
    predictive_parity_difference: 0,
  },
  warnings: ["1 group(s) have fewer than 30 rows"],
};

describe("formatFairnessReport", () => {
  it("lays out the metrics, the groups with flags, and the warnings as aligned text", () => {
    expect(formatFairnessReport(report)).toBe(
      [
        "Fairness assessment: 40 rows, positive label 'yes'",
        "",
        "metric                          value",
        "demographic_parity_difference  0.2500",
        "demographic_parity_ratio       0.5000",
        "equalized_odds_difference      0.0000",
        "equalized_odds_ratio              NaN",
        "equal_opportunity_difference   0.0000",
        "equal_opportunity_ratio        1.0000",
        "predictive_parity_difference   0.0000",
        "",
        "group      count  selection_rate  accuracy  true_positive_rate  false_positive_rate  precision",
        "(overall)    40           0.5000    0.7500              0.6000               0.0000     1.0000",
        "sex=f        36           0.5000    0.7500              0.6000               0.0000     1.0000",
        "sex=m         4*          0.2500    0.7500              0.6000               0.0000     1.0000",
        "* fewer rows than the minimum group count: reported, but unreliable",
        "",
        "Warnings:",
        "- 1 group(s) have fewer than 30 rows",
        "",
      ].join("\n"),
    );
  });

  it("leaves out the footnote and the warnings section when there is nothing to say", () => {
    const text = formatFairnessReport({
      ...report,
      byGroup: report.byGroup.map((group) => ({ ...group, belowMinCount: false })),
      warnings: [],
    });
    expect(text).not.toContain("*");
    expect(text).not.toContain("Warnings");
    expect(text).toContain("sex=m          4          0.2500");
  });
});
