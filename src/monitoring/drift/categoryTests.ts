/**
 * The tests on category counts: Pearson's chi-square of the current counts against the reference counts
 * rescaled to the current size (Evidently `chi_stat_test`, scipy `chisquare`), and the two-proportion z test
 * (Evidently `z_stat_test`), both over the union of the categories seen on either side.
 */

import type { CategoryCounts } from "./binning.js";
import { chiSquareSurvival, normalTwoSidedP } from "./incompleteGamma.js";

/**
 * p-value of `chisquare(f_obs=current, f_exp=reference * n_cur / n_ref)`. A category absent from the reference
 * has an expected count of 0, so the statistic is infinite and p is 0; a single category has no degrees of
 * freedom and p is NaN, as in scipy.
 */
export function chiSquareP(counts: CategoryCounts): number {
  const scale = counts.currentSize / counts.referenceSize;
  let statistic = 0;
  for (let i = 0; i < counts.keys.length; i++) {
    const expected = counts.reference[i]! * scale;
    const difference = counts.current[i]! - expected;
    statistic += (difference * difference) / expected;
  }
  return chiSquareSurvival(statistic, counts.keys.length - 1);
}

/**
 * Two-sided p of the two-proportion z statistic for "value is not the smallest category". 1 when both sides
 * hold one and the same value, as Evidently special-cases it.
 */
export function twoProportionZP(counts: CategoryCounts): number {
  // One key over the union of two non-empty sides: both hold the same single value.
  if (counts.keys.length === 1) return 1;
  const first = smallestKeyIndex(counts.keys);
  const n1 = counts.referenceSize;
  const n2 = counts.currentSize;
  const p1 = (n1 - counts.reference[first]!) / n1;
  const p2 = (n2 - counts.current[first]!) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return normalTwoSidedP(Math.abs(z));
}

function smallestKeyIndex(keys: readonly (string | number)[]): number {
  let smallest = 0;
  for (let i = 1; i < keys.length; i++) if (keys[i]! < keys[smallest]!) smallest = i;
  return smallest;
}
