/**
 * Evidently's `get_binned_data` (stattests/utils.py), the shares PSI, KL divergence and Jensen-Shannon compare:
 * a numeric column whose reference holds more than 20 distinct values is cut on numpy's Sturges edges over both
 * samples together; anything else gets one bin per value over the union of both sides. PSI and KL then replace
 * empty bins (zero-fill); Jensen-Shannon does not.
 */

import type { DriftSample, NumericalSample } from "./driftSample.js";

/** Counts per category over the union of both sides, in first-seen order. */
export interface CategoryCounts {
  readonly keys: readonly (string | number)[];
  readonly reference: Float64Array;
  readonly current: Float64Array;
  readonly referenceSize: number;
  readonly currentSize: number;
}

export interface BinnedShares {
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

const MAX_VALUE_BINS_DISTINCT = 20;

export function categoryCounts(reference: DriftSample, current: DriftSample): CategoryCounts {
  const index = new Map<string | number, number>();
  const referenceCounts: number[] = [];
  const currentCounts: number[] = [];
  const count = (key: string | number, side: number[], other: number[]): void => {
    let at = index.get(key);
    if (at === undefined) {
      at = index.size;
      index.set(key, at);
      side.push(0);
      other.push(0);
    }
    side[at]!++;
  };
  const addRuns = (sample: DriftSample, side: number[], other: number[]): number => {
    if (sample.kind === "categorical") {
      for (const label of sample.labels) count(label, side, other);
      return sample.labels.length;
    }
    const sorted = sample.sorted;
    for (let start = 0; start < sorted.length;) {
      let end = start + 1;
      while (end < sorted.length && sorted[end] === sorted[start]) end++;
      const key = sorted[start]! === 0 ? 0 : sorted[start]!;
      count(key, side, other);
      side[index.get(key)!]! += end - start - 1;
      start = end;
    }
    return sorted.length;
  };
  const referenceSize = addRuns(reference, referenceCounts, currentCounts);
  const currentSize = addRuns(current, currentCounts, referenceCounts);
  return {
    keys: [...index.keys()],
    reference: Float64Array.from(referenceCounts),
    current: Float64Array.from(currentCounts),
    referenceSize,
    currentSize,
  };
}

/** numpy `histogram_bin_edges(concat(a, b), bins="sturges")` for two non-empty samples. */
export function sturgesEdges(a: NumericalSample, b: NumericalSample): Float64Array {
  return sturgesEdgesOfRange(Math.min(a.min, b.min), Math.max(a.max, b.max), a.length + b.length);
}

/** numpy `histogram_bin_edges(values, bins="sturges")` from the values' minimum, maximum and count. */
export function sturgesEdgesOfRange(first: number, last: number, size: number): Float64Array {
  return equalWidthEdges(first, last, sturgesBinCount(first, last, size));
}

function sturgesBinCount(first: number, last: number, size: number): number {
  const width = (last - first) / (Math.log2(size) + 1);
  return width ? Math.ceil((last - first) / width) : 1;
}

/** numpy `linspace(first, last, bins + 1)` after `_get_outer_edges` widens an empty range by ±0.5. */
export function equalWidthEdges(first: number, last: number, bins: number): Float64Array {
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/**
 * numpy `histogram(values, edges)` counts, values in any order: bins [e_i, e_i+1), the last one closed, values
 * outside the edges not counted. A value's bin is read from its position between equal-width edges; one within
 * a billionth of a bin width of an edge (or out of range) is settled afterwards by comparing with the edges
 * themselves, as numpy settles its guess, so rounding never moves a value across an edge. Four tallies taken in
 * turn keep consecutive values from waiting on one counter, which is most of the cost otherwise.
 */
export function histogramCounts(values: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const last = edges[bins]!;
  const scale = bins / (last - first);
  // `bins` marks a value to settle against the edges.
  const guess = (value: number): number => {
    const position = (value - first) * scale;
    const bin = position | 0;
    const fraction = position - bin;
    return position >= 0 && bin < bins && fraction > 1e-9 && fraction < 1 - 1e-9 ? bin : bins;
  };
  const tallies = new Uint32Array(4 * bins + 4);
  const unsettled: number[] = [];
  const whole = values.length - (values.length % 4);
  for (let i = 0; i < whole; i += 4) {
    const b0 = guess(values[i]!);
    const b1 = guess(values[i + 1]!);
    const b2 = guess(values[i + 2]!);
    const b3 = guess(values[i + 3]!);
    tallies[4 * b0]!++;
    tallies[4 * b1 + 1]!++;
    tallies[4 * b2 + 2]!++;
    tallies[4 * b3 + 3]!++;
    if (b0 === bins || b1 === bins || b2 === bins || b3 === bins) {
      for (let j = i; j < i + 4; j++) if (guess(values[j]!) === bins) unsettled.push(values[j]!);
    }
  }
  for (let i = whole; i < values.length; i++) {
    if (guess(values[i]!) === bins) unsettled.push(values[i]!);
    else tallies[4 * guess(values[i]!)]!++;
  }
  const counts = new Float64Array(bins);
  for (let bin = 0; bin < bins; bin++) {
    counts[bin] = tallies[4 * bin]! + tallies[4 * bin + 1]! + tallies[4 * bin + 2]! + tallies[4 * bin + 3]!;
  }
  for (const value of unsettled) {
    if (!(value >= first && value <= last)) continue;
    let bin = Math.min(Math.floor((value - first) * scale), bins - 1);
    while (bin > 0 && value < edges[bin]!) bin--;
    while (bin < bins - 1 && value >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return counts;
}

/** Whether Evidently bins this pair on Sturges edges rather than one bin per value. */
export function usesSturgesBins(reference: DriftSample): reference is DriftSample & { kind: "numerical" } {
  return (
    reference.kind === "numerical" &&
    reference.distinctValues(MAX_VALUE_BINS_DISTINCT + 1) > MAX_VALUE_BINS_DISTINCT
  );
}

export function binnedShares(reference: DriftSample, current: DriftSample, zeroFill: boolean): BinnedShares {
  let shares: BinnedShares;
  if (usesSturgesBins(reference) && current.kind === "numerical") {
    const edges = sturgesEdges(reference, current);
    shares = {
      reference: toShares(histogramCounts(reference.values, edges), reference.length),
      current: toShares(histogramCounts(current.values, edges), current.length),
    };
  } else {
    const counts = categoryCounts(reference, current);
    shares = {
      reference: toShares(counts.reference, counts.referenceSize),
      current: toShares(counts.current, counts.currentSize),
    };
  }
  if (zeroFill) {
    fillZeros(shares.reference);
    fillZeros(shares.current);
  }
  return shares;
}

function toShares(counts: Float64Array, size: number): Float64Array {
  for (let i = 0; i < counts.length; i++) counts[i] = counts[i]! / size;
  return counts;
}

/** Empty bins become min_nonzero / 1e6 when the smallest share is at most 1e-4, else 1e-4. */
function fillZeros(shares: Float64Array): void {
  let smallest = Number.POSITIVE_INFINITY;
  for (const share of shares) if (share !== 0 && share < smallest) smallest = share;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}
