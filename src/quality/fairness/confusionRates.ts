/**
 * Fairlearn's per-group base metrics from a group's binary confusion counts. Counting is all a group needs,
 * so the assessment streams with memory bounded by the number of groups.
 *
 * Conventions, as Fairlearn 0.15 / scikit-learn 1.9 compute them:
 * - true/false positive rates come from `confusion_matrix(normalize="true")`, whose `nan_to_num` turns a
 *   row without samples into zeros: no actual positives -> TPR 0, no actual negatives -> FPR 0;
 * - precision is `precision_score` with the default `zero_division="warn"`: no predicted positives -> 0.
 */

export interface ConfusionCounts {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

export interface GroupRates {
  count: number;
  selection_rate: number;
  accuracy: number;
  true_positive_rate: number;
  false_positive_rate: number;
  precision: number;
}

const rateOrZero = (numerator: number, denominator: number): number =>
  denominator === 0 ? 0 : numerator / denominator;

export function confusionRates(counts: ConfusionCounts): GroupRates {
  const { truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn } = counts;
  const count = tp + fp + tn + fn;
  return {
    count,
    selection_rate: rateOrZero(tp + fp, count),
    accuracy: rateOrZero(tp + tn, count),
    true_positive_rate: rateOrZero(tp, tp + fn),
    false_positive_rate: rateOrZero(fp, fp + tn),
    precision: rateOrZero(tp, tp + fp),
  };
}

export function addCounts(into: ConfusionCounts, from: ConfusionCounts): void {
  into.truePositives += from.truePositives;
  into.falsePositives += from.falsePositives;
  into.trueNegatives += from.trueNegatives;
  into.falseNegatives += from.falseNegatives;
}
