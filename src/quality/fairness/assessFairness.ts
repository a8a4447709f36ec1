/**
 * Fairlearn's MetricFrame and scalar fairness metrics over a table, streamed chunk by chunk: one pass counts
 * each sensitive group's (y_true, y_pred) pairs, and every metric follows from those counts, so memory is
 * bounded by the number of groups, not rows. Definitions follow Fairlearn 0.15 (`method="between_groups"`,
 * `agg="worst_case"`); test/fixtures/quality/fairlearn/generate.py holds the reference numbers.
 *
 * - Several sensitive columns give their intersections (MetricFrame with several sensitive features); a
 *   group's key reads "a=x,b=y" in column order. Only combinations that occur are groups, so a group never
 *   has zero rows.
 * - Groups below `minGroupCount` are kept and flagged (`belowMinCount`) with a warning, never dropped.
 * - predictive_parity_difference has no Fairlearn function: it is MetricFrame(precision_score).difference(),
 *   the between-groups difference of precision.
 * This module computes and reports; it does not judge pass or fail (that is the gate's job).
 */

import { invalidParameter } from "../../errors.js";
import type { TableSource } from "../../tables/tableChunk.js";
import { sortLabels } from "../labelOrder.js";
import { resolvePositiveLabel } from "./binaryLabels.js";
import { addCounts, confusionRates, type ConfusionCounts, type GroupRates } from "./confusionRates.js";
import { fairnessWarnings } from "./fairnessWarnings.js";
import { differenceBetweenGroups, pythonMax, pythonMin, ratioBetweenGroups } from "./groupDisparity.js";
import type { FairnessMetrics, FairnessReport } from "./fairnessReport.js";
import { confusionCounts, GroupTally, type TalliedGroup } from "./groupTally.js";

export type { FairnessMetrics, FairnessReport, GroupMetrics } from "./fairnessReport.js";

export interface FairnessOptions {
  yTrue: string;
  yPred: string;
  sensitive: readonly string[];
  posLabel?: string;
  minGroupCount?: number /* default 30 */;
}

export const DEFAULT_MIN_GROUP_COUNT = 30;

export async function assessFairness(source: TableSource, options: FairnessOptions): Promise<FairnessReport> {
  const minGroupCount = checkOptions(options);
  const tally = new GroupTally(source.path, options);
  for await (const chunk of source.chunks()) tally.observe(chunk);
  if (tally.rows === 0) {
    throw invalidParameter(`${source.path}: no data rows; fairness metrics need at least one row`);
  }

  const observed = tally.labels.labels;
  const posLabel = resolvePositiveLabel(observed, options.posLabel);
  const positiveIndex = observed.indexOf(posLabel);
  const overallCounts: ConfusionCounts = {
    truePositives: 0,
    falsePositives: 0,
    trueNegatives: 0,
    falseNegatives: 0,
  };
  const groups = orderGroups([...tally.groups.values()], options.sensitive.length).map((tallied) => {
    const counts = confusionCounts(tallied, positiveIndex);
    addCounts(overallCounts, counts);
    const rates = confusionRates(counts);
    const group = Object.fromEntries(
      options.sensitive.map((name, index) => [name, tallied.values[index] as string]),
    );
    const key = options.sensitive.map((name, index) => `${name}=${tallied.values[index]}`).join(",");
    return { metrics: { group, key, ...rates, belowMinCount: rates.count < minGroupCount }, counts };
  });

  const byGroup = groups.map((group) => group.metrics);
  const metrics = fairnessMetrics(byGroup);
  const positiveObserved = positiveIndex >= 0;
  return {
    rows: tally.rows,
    posLabel,
    overall: confusionRates(overallCounts),
    byGroup,
    metrics,
    warnings: fairnessWarnings({ posLabel, positiveObserved, minGroupCount, byGroup: groups, metrics }),
  };
}

export function fairnessMetrics(byGroup: readonly GroupRates[]): FairnessMetrics {
  const selection = byGroup.map((group) => group.selection_rate);
  const tpr = byGroup.map((group) => group.true_positive_rate);
  const fpr = byGroup.map((group) => group.false_positive_rate);
  const precision = byGroup.map((group) => group.precision);
  return {
    demographic_parity_difference: differenceBetweenGroups(selection),
    demographic_parity_ratio: ratioBetweenGroups(selection),
    equalized_odds_difference: pythonMax(differenceBetweenGroups(tpr), differenceBetweenGroups(fpr)),
    equalized_odds_ratio: pythonMin(ratioBetweenGroups(tpr), ratioBetweenGroups(fpr)),
    equal_opportunity_difference: differenceBetweenGroups(tpr),
    equal_opportunity_ratio: ratioBetweenGroups(tpr),
    predictive_parity_difference: differenceBetweenGroups(precision),
  };
}

function checkOptions(options: FairnessOptions): number {
  for (const field of ["yTrue", "yPred"] as const) {
    if (options[field].trim() === "")
      throw invalidParameter(`fairness option ${field}: expected a column name`);
  }
  if (options.sensitive.length === 0) {
    throw invalidParameter("fairness option sensitive: expected at least one sensitive column");
  }
  const repeated = options.sensitive.filter((name, index) => options.sensitive.indexOf(name) !== index);
  if (repeated.length > 0) {
    throw invalidParameter(`fairness option sensitive: column '${repeated[0]}' is listed more than once`);
  }
  const minGroupCount = options.minGroupCount ?? DEFAULT_MIN_GROUP_COUNT;
  if (!Number.isInteger(minGroupCount) || minGroupCount < 0) {
    throw invalidParameter(
      `fairness option minGroupCount: expected a whole number >= 0, got ${minGroupCount}`,
    );
  }
  return minGroupCount;
}

/** Fairlearn's by_group order: each sensitive column's values sorted (numbers numerically), column by column. */
function orderGroups(groups: TalliedGroup[], columnCount: number): TalliedGroup[] {
  const ranks = Array.from({ length: columnCount }, (_, column) => {
    const sorted = sortLabels(new Set(groups.map((group) => group.values[column] as string)));
    return new Map(sorted.map((value, rank) => [value, rank]));
  });
  const rank = (group: TalliedGroup, column: number) =>
    ranks[column]?.get(group.values[column] as string) ?? 0;
  return groups.sort((a, b) => {
    for (let column = 0; column < columnCount; column++) {
      const order = rank(a, column) - rank(b, column);
      if (order !== 0) return order;
    }
    return 0;
  });
}
