/**
 * The order of class labels, as scikit-learn sorts them on FlowOps' inputs (np.unique): when every label
 * reads as a finite number the labels sort numerically, otherwise as strings in code point order. Metrics,
 * confusion matrices and score columns all follow this order; fairness reports reuse it.
 */
import { compareCodePoints } from "../data/dirManifest.js";

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function numericValue(label: string): number | undefined {
  if (!NUMBER_PATTERN.test(label.trim())) return undefined;
  const value = Number(label);
  return Number.isFinite(value) ? value : undefined;
}

export { compareCodePoints };

/** Distinct labels in scikit-learn's order: numeric when all are finite numbers, else by code point. */
export function sortLabels(labels: Iterable<string>): string[] {
  const distinct = [...new Set(labels)];
  const numbers = distinct.map(numericValue);
  if (distinct.length > 0 && numbers.every((n) => n !== undefined)) {
    const order = distinct.map((label, i) => ({ label, value: numbers[i] as number }));
    order.sort((p, q) => p.value - q.value || compareCodePoints(p.label, q.label));
    return order.map((entry) => entry.label);
  }
  return distinct.sort(compareCodePoints);
}
