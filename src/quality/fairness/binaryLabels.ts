/**
 * The two class labels of a fairness assessment and which one is positive. Fairlearn's rates are binary
 * only (`_get_labels_for_confusion_matrix` rejects a third value), so a third label value is an error as
 * soon as it is seen, which also keeps the per-group tallies at four counts each.
 */

import { invalidParameter } from "../../errors.js";
import { sortLabels } from "../labelOrder.js";

/** The distinct values of y_true and y_pred together, in order of first appearance (at most two). */
export class BinaryLabelSet {
  private readonly values: string[] = [];

  get labels(): readonly string[] {
    return this.values;
  }

  /** Index (0 or 1) of `label`, or -1 when it has not been seen. */
  indexOf(label: string): number {
    return this.values.indexOf(label);
  }

  /** Adds a label not seen before and returns its index; `where` names the row for a third value's error. */
  add(label: string, where: string): number {
    if (this.values.length === 2) {
      const named = [...this.values, label].map((value) => `'${value}'`).join(", ");
      throw invalidParameter(
        `${where}: found a third label value; fairness metrics are binary only, and y_true and ` +
          `y_pred together hold ${named}`,
      );
    }
    this.values.push(label);
    return this.values.length - 1;
  }
}

function sameLabel(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  // "1.0" given on the command line names the label a Parquet float 1.0 was read as ("1").
  return a.trim() !== "" && b.trim() !== "" && Number.isFinite(x) && Number.isFinite(y) && x === y;
}

const ZERO_ONE = new Set(["0", "1"]);
const MINUS_ONE_ONE = new Set(["-1", "1"]);

/**
 * The positive label. Given `posLabel`, it must be one of the observed labels when two were observed
 * (Fairlearn: "Must have pos_label in y values"); with one observed label, the other one simply never
 * occurs. Without it: labels within {0, 1} or {-1, 1} give "1" as Fairlearn does; otherwise the greater of
 * two labels in `sortLabels` order (Fairlearn would ask for pos_label; FlowOps follows scikit-learn's
 * binary convention instead). A single label outside those sets leaves no way to choose, so it is an error.
 */
export function resolvePositiveLabel(observed: readonly string[], posLabel: string | undefined): string {
  const named = observed.map((value) => `'${value}'`).join(", ");
  if (posLabel !== undefined) {
    const match = observed.find((label) => sameLabel(label, posLabel));
    if (match !== undefined) return match;
    if (observed.length === 2) {
      throw invalidParameter(`posLabel '${posLabel}' is not one of the label values ${named}`);
    }
    return posLabel;
  }
  if (observed.every((label) => ZERO_ONE.has(label)) || observed.every((label) => MINUS_ONE_ONE.has(label))) {
    return "1";
  }
  if (observed.length === 2) {
    const sorted = sortLabels(observed);
    return sorted[sorted.length - 1] as string;
  }
  throw invalidParameter(
    `y_true and y_pred hold the single label value ${named}; pass posLabel to say whether it is the positive one`,
  );
}
