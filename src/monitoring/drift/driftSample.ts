/**
 * One side of a column prepared for drift tests: numbers without NaN/±Infinity, or labels without missing
 * values. Numbers keep their range and are sorted (a copy) only when a test needs the order (KS, per-value bins):
 * the default large-sample test (normed Wasserstein) and the Sturges histogram work on them unsorted, and a
 * sort is most of what a million-row column would otherwise cost.
 */

import { sortFloat64InPlace } from "./float64Sort.js";

export type DriftSample =
  NumericalSample | { readonly kind: "categorical"; readonly labels: readonly string[] };

/** A column as tables hold it: numbers (NaN for missing) or labels (null for missing). */
export type ColumnValues = Float64Array | readonly (string | null)[];

export class NumericalSample {
  readonly kind = "numerical";
  private ordered: Float64Array | undefined;
  private distinct: { cap: number; count: number } | undefined;

  /**
   * `values` must be finite. They may be the caller's array: the sample never writes to them, and sorts a
   * copy when a test asks for the order.
   */
  constructor(
    readonly values: Float64Array,
    readonly min: number,
    readonly max: number,
    /** numpy `std(values)` (ddof = 0). */
    readonly std: number,
  ) {}

  get length(): number {
    return this.values.length;
  }

  /** The values in ascending order (-0 before +0), sorted on first use. */
  get sorted(): Float64Array {
    if (this.ordered === undefined) {
      const copy = Float64Array.from(this.values);
      sortFloat64InPlace(copy);
      this.ordered = copy;
    }
    return this.ordered;
  }

  /** Distinct values, counted no further than `cap` (0 and -0 are one value). */
  distinctValues(cap: number): number {
    if (this.distinct === undefined || this.distinct.cap !== cap) {
      const count =
        this.ordered !== undefined
          ? distinctSorted(this.ordered, cap)
          : distinctValuesUnion([this.values], cap);
      this.distinct = { cap, count };
    }
    return this.distinct.count;
  }
}

export function prepareSample(values: ColumnValues): DriftSample {
  if (values instanceof Float64Array) return finiteSample(values);
  const labels: string[] = [];
  for (const value of values) if (value !== null) labels.push(value);
  return { kind: "categorical", labels };
}

/**
 * The finite values with their range and standard deviation: the array itself when all are finite, else a copy
 * without the rest. The deviation comes from sums of differences to the first value in the same pass (the
 * shifted-data formula: with the shift inside the data, it keeps the precision numpy's two passes have).
 */
export function finiteSample(values: Float64Array): NumericalSample {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let finite = 0;
  let shift = Number.NaN;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // x - x is 0 for finite x and NaN for NaN and ±Infinity.
    if (value - value !== 0) continue;
    if (finite === 0) shift = value;
    finite++;
    if (value < min) min = value;
    if (value > max) max = value;
    const difference = value - shift;
    sum += difference;
    squares += difference * difference;
  }
  const std = finite === 0 ? Number.NaN : Math.sqrt(Math.max(0, (squares - (sum * sum) / finite) / finite));
  if (finite === values.length) return new NumericalSample(values, min, max, std);
  const copy = new Float64Array(finite);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value - value === 0) copy[at++] = value;
  }
  return new NumericalSample(copy, min, max, std);
}

export function sampleSize(sample: DriftSample): number {
  return sample.kind === "numerical" ? sample.length : sample.labels.length;
}

/** Distinct values of a sorted array, counting no further than `cap`. */
function distinctSorted(sorted: Float64Array, cap = Number.POSITIVE_INFINITY): number {
  if (sorted.length === 0) return 0;
  let distinct = 1;
  for (let i = 1; i < sorted.length && distinct < cap; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}

/**
 * Distinct values over arrays in any order, counting no further than `cap`: the values seen are kept in a
 * small list, so this is for small caps (choosing a test needs 6, choosing the bins 21).
 */
export function distinctValuesUnion(arrays: readonly Float64Array[], cap: number): number {
  const seen = new Float64Array(Math.max(cap, 1));
  let distinct = 0;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      let known = false;
      for (let s = 0; s < distinct; s++) {
        if (seen[s] === value) {
          known = true;
          break;
        }
      }
      if (known) continue;
      seen[distinct++] = value;
      if (distinct >= cap) return distinct;
    }
  }
  return distinct;
}
