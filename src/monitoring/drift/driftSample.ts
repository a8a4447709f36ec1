/**
 * One side of a column prepared for drift tests: numbers without NaN/±Infinity, sorted ascending, or labels
 * without missing values. Preparing once lets every test (and the plot) share the sort.
 */

import { sortedFiniteValues } from "./float64Sort.js";

export type DriftSample =
  | { readonly kind: "numerical"; readonly sorted: Float64Array }
  | { readonly kind: "categorical"; readonly labels: readonly string[] };

/** A column as tables hold it: numbers (NaN for missing) or labels (null for missing). */
export type ColumnValues = Float64Array | readonly (string | null)[];

export function prepareSample(values: ColumnValues): DriftSample {
  if (values instanceof Float64Array) return { kind: "numerical", sorted: sortedFiniteValues(values) };
  const labels: string[] = [];
  for (const value of values) if (value !== null) labels.push(value);
  return { kind: "categorical", labels };
}

export function sampleSize(sample: DriftSample): number {
  return sample.kind === "numerical" ? sample.sorted.length : sample.labels.length;
}

/** Distinct values of a sorted array, counting no further than `cap`. */
export function distinctSorted(sorted: Float64Array, cap = Number.POSITIVE_INFINITY): number {
  if (sorted.length === 0) return 0;
  let distinct = 1;
  for (let i = 1; i < sorted.length && distinct < cap; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}

/** Distinct values over both sorted arrays together, counting no further than `cap`. */
export function distinctSortedUnion(
  a: Float64Array,
  b: Float64Array,
  cap = Number.POSITIVE_INFINITY,
): number {
  let i = 0;
  let j = 0;
  let distinct = 0;
  let last = Number.NaN;
  while ((i < a.length || j < b.length) && distinct < cap) {
    const value = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (value !== last) {
      distinct++;
      last = value;
    }
  }
  return distinct;
}
