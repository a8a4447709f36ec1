/**
 * Label metrics computed from a confusion matrix exactly as scikit-learn defines them: accuracy_score,
 * balanced_accuracy_score and precision_recall_fscore_support with average macro, micro, weighted and
 * (two labels or fewer) binary for `posLabel`. Labels are the sorted union of y_true and y_pred. A ratio with
 * a zero denominator is 0, as scikit-learn's zero_division="warn", and the warning is returned as text.
 */
import { invalidParameter } from "../../errors.js";

export interface PerClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
  /** Share of this class's rows predicted as this class (the confusion matrix diagonal over the row sum). */
  accuracy: number;
}

export interface ConfusionMetrics {
  metrics: Record<string, number>;
  perClass: PerClassMetrics[];
  warnings: string[];
}

const ratio = (numerator: number, denominator: number): number =>
  denominator === 0 ? 0 : numerator / denominator;

export function confusionMetrics(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
  posLabel?: string,
): ConfusionMetrics {
  const k = labels.length;
  const tp = labels.map((_, i) => matrix[i]![i]!);
  const trueSum = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const predSum = labels.map((_, j) => matrix.reduce((a, row) => a + row[j]!, 0));
  const rows = trueSum.reduce((a, b) => a + b, 0);
  const warnings: string[] = [];

  const perClass: PerClassMetrics[] = labels.map((label, i) => {
    const recall = ratio(tp[i]!, trueSum[i]!);
    return {
      label,
      precision: ratio(tp[i]!, predSum[i]!),
      recall,
      f1: ratio(2 * tp[i]!, trueSum[i]! + predSum[i]!),
      support: trueSum[i]!,
      accuracy: recall,
    };
  });
  labels.forEach((label, i) => {
    if (trueSum[i]! > 0 && predSum[i] === 0) {
      warnings.push(`label '${label}' is in y_true but never predicted: its precision is 0 (zero_division)`);
    }
    if (trueSum[i] === 0 && predSum[i]! > 0) {
      warnings.push(`label '${label}' is predicted but never in y_true: its recall is 0 (zero_division)`);
    }
  });

  const tpTotal = tp.reduce((a, b) => a + b, 0);
  const metrics: Record<string, number> = {
    accuracy: ratio(tpTotal, rows),
    balanced_accuracy: mean(perClass.filter((c) => c.support > 0).map((c) => c.recall)),
  };
  for (const name of ["precision", "recall", "f1"] as const) {
    metrics[`${name}_macro`] = mean(perClass.map((c) => c[name]));
    metrics[`${name}_weighted`] = ratio(
      perClass.reduce((a, c) => a + c[name] * c.support, 0),
      rows,
    );
  }
  metrics.precision_micro = ratio(
    tpTotal,
    predSum.reduce((a, b) => a + b, 0),
  );
  metrics.recall_micro = ratio(tpTotal, rows);
  metrics.f1_micro = ratio(2 * tpTotal, rows + predSum.reduce((a, b) => a + b, 0));

  if (k <= 2 && k > 0) {
    const positive = posLabel ?? labels[k - 1]!;
    const index = labels.indexOf(positive);
    if (index < 0) {
      throw invalidParameter(
        `positive label '${positive}' is not among the labels found in y_true and y_pred: ${labels.join(", ")}`,
      );
    }
    metrics.precision = perClass[index]!.precision;
    metrics.recall = perClass[index]!.recall;
    metrics.f1 = perClass[index]!.f1;
  }
  return { metrics, perClass, warnings };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
