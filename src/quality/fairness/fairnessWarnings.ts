/**
 * The caveats a fairness report carries in words: small groups, the zero conventions Fairlearn and
 * scikit-learn apply to undefined rates, and ratios that come out as NaN.
 */

import type { FairnessMetrics, GroupMetrics } from "./fairnessReport.js";
import type { ConfusionCounts } from "./confusionRates.js";

export interface WarningInputs {
  posLabel: string;
  positiveObserved: boolean;
  minGroupCount: number;
  byGroup: readonly { metrics: GroupMetrics; counts: ConfusionCounts }[];
  metrics: FairnessMetrics;
}

/** Names at most this many groups in one warning, so a column with thousands of values stays readable. */
const NAMED_GROUPS = 20;

function nameGroups(groups: readonly GroupMetrics[], withCount = false): string {
  const named = groups
    .slice(0, NAMED_GROUPS)
    .map((group) => (withCount ? `${group.key} (${group.count})` : group.key))
    .join(", ");
  return groups.length > NAMED_GROUPS ? `${named} and ${groups.length - NAMED_GROUPS} more` : named;
}

export function fairnessWarnings(inputs: WarningInputs): string[] {
  const { posLabel, metrics } = inputs;
  const byGroup = inputs.byGroup.map((group) => group.metrics);
  const groupsWhere = (test: (counts: ConfusionCounts) => boolean) =>
    inputs.byGroup.filter((group) => test(group.counts)).map((group) => group.metrics);
  const warnings: string[] = [];
  if (!inputs.positiveObserved) {
    warnings.push(`the positive label '${posLabel}' never occurs in y_true or y_pred`);
  }
  const small = byGroup.filter((group) => group.belowMinCount);
  if (small.length > 0) {
    warnings.push(
      `${small.length} group(s) have fewer than ${inputs.minGroupCount} rows; their metrics are reported and ` +
        `flagged but unreliable: ${nameGroups(small, true)}`,
    );
  }
  if (byGroup.length === 1) {
    warnings.push(
      `only one group (${byGroup[0]?.key}): differences are 0 and ratios 1 (or NaN) by definition`,
    );
  }
  const noActualPositives = groupsWhere((c) => c.truePositives + c.falseNegatives === 0);
  if (noActualPositives.length > 0) {
    warnings.push(
      `true_positive_rate is 0 by convention (no rows with y_true '${posLabel}'; scikit-learn's nan_to_num) ` +
        `for: ${nameGroups(noActualPositives)}`,
    );
  }
  const noActualNegatives = groupsWhere((c) => c.falsePositives + c.trueNegatives === 0);
  if (noActualNegatives.length > 0) {
    warnings.push(
      `false_positive_rate is 0 by convention (no rows with a negative y_true; scikit-learn's nan_to_num) ` +
        `for: ${nameGroups(noActualNegatives)}`,
    );
  }
  const noPredictedPositives = groupsWhere((c) => c.truePositives + c.falsePositives === 0);
  if (noPredictedPositives.length > 0) {
    warnings.push(
      `precision is 0 by convention (no rows with y_pred '${posLabel}'; scikit-learn's zero_division) ` +
        `for: ${nameGroups(noPredictedPositives)}`,
    );
  }
  const undefinedRatio = (name: keyof FairnessMetrics, rate: string) => {
    if (Number.isNaN(metrics[name]))
      warnings.push(`${name} is NaN: every group's ${rate} is 0 (0/0, as Fairlearn)`);
  };
  undefinedRatio("demographic_parity_ratio", "selection_rate");
  undefinedRatio("equalized_odds_ratio", "true_positive_rate");
  undefinedRatio("equal_opportunity_ratio", "true_positive_rate");
  return warnings;
}
