/**
 * The statistics on two sorted numeric samples: Kolmogorov-Smirnov (scipy `ks_2samp` p-value) and scipy's
 * `wasserstein_distance`, each one pass over the two sorted arrays with no allocation per element (large
 * samples get the Wasserstein distance without a sort: bucketedWasserstein.ts), and numpy's `std`.
 */

import { ksTwoSampleP } from "./kolmogorovSmirnovTwoSample.js";

/** sup |F_ref - F_cur| over the observed values, as `ks_2samp` computes it (both arrays sorted, non-empty). */
export function ksStatistic(reference: Float64Array, current: Float64Array): number {
  const n1 = reference.length;
  const n2 = current.length;
  let i = 0;
  let j = 0;
  let supremum = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && reference[i]! <= current[j]!) ? reference[i]! : current[j]!;
    while (i < n1 && reference[i] === value) i++;
    while (j < n2 && current[j] === value) j++;
    const difference = Math.abs(i / n1 - j / n2);
    if (difference > supremum) supremum = difference;
  }
  return supremum;
}

/**
 * scipy `wasserstein_distance` (both arrays sorted, non-empty). scipy integrates |F_ref - F_cur| over the
 * merged values; this integrates |F_ref⁻¹(u) - F_cur⁻¹(u)| over u in [0, 1], the same area, whose breakpoints
 * k/n1 and l/n2 follow a fixed pattern. The merge by value branches at random and is the slowest loop of a
 * large report; this one the CPU predicts (with equal sizes it is a plain mean of |x_k - y_k|).
 */
export function wassersteinDistance(reference: Float64Array, current: Float64Array): number {
  const n1 = reference.length;
  const n2 = current.length;
  if (n1 === n2) {
    let sum = 0;
    for (let k = 0; k < n1; k++) sum += Math.abs(reference[k]! - current[k]!);
    return sum / n1;
  }
  let i = 0;
  let j = 0;
  let area = 0;
  let u = 0;
  while (i < n1 && j < n2) {
    // Next breakpoint: (i + 1) / n1 or (j + 1) / n2, compared exactly in integers.
    const order = (i + 1) * n2 - (j + 1) * n1;
    const next = order <= 0 ? (i + 1) / n1 : (j + 1) / n2;
    area += Math.abs(reference[i]! - current[j]!) * (next - u);
    u = next;
    if (order <= 0) i++;
    if (order >= 0) j++;
  }
  return area;
}

/** scipy `ks_2samp(reference, current).pvalue` for sorted samples. */
export function ksPValue(reference: Float64Array, current: Float64Array): number {
  return ksTwoSampleP(ksStatistic(reference, current), reference.length, current.length);
}

/** numpy `std(values)` (ddof = 0), by the two-pass formula numpy uses. */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const deviation = values[i]! - mean;
    squares += deviation * deviation;
  }
  return Math.sqrt(squares / n);
}
