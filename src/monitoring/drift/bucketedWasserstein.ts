/**
 * scipy's `wasserstein_distance` (the area between the two empirical CDFs) for large samples without sorting
 * them. The range is cut into equal-width buckets (an element's bucket is a monotone function of its value,
 * so buckets never interleave) and each side's count and sum of values are kept per bucket. Over a bucket where
 * D = F_ref - F_cur cannot change sign, the area is linear in the elements:
 *
 *   ∫ D dx over [a, b) = D(a⁻)·(b - a) + Σ_ref (b - x)/n - Σ_cur (b - y)/m
 *
 * with [a, b) the bucket's span. Only buckets where D may cross zero (its value
 * before the bucket is within the bucket's own counts of zero) are gathered, sorted and integrated point by
 * point. Two samples from one distribution cross zero in a few hundred of 65,536 buckets; shifted ones in a
 * handful, so this is a few passes over the data where a sort is dozens.
 */

import type { NumericalSample } from "./driftSample.js";
import { sortRange } from "./float64Sort.js";
import { wassersteinDistance } from "./numericTests.js";

/** Below this many values (both sides) sorting costs little and the sorted formula is used. */
export const MIN_BUCKETED_VALUES = 8192;
const MAX_BUCKETS = 1 << 16;
/** Elements per bucket aimed for: few enough that a bucket to gather is cheap to sort. */
const VALUES_PER_BUCKET = 16;

export function sampleWassersteinDistance(
  reference: NumericalSample,
  current: NumericalSample,
  minBucketedValues = MIN_BUCKETED_VALUES,
): number {
  const n = reference.length;
  const m = current.length;
  const low = Math.min(reference.min, current.min);
  const high = Math.max(reference.max, current.max);
  const buckets = bucketCount(n + m);
  // Counts scaled by n·m are compared exactly only while they stay integers a double holds.
  const exactCounts = n * m <= Number.MAX_SAFE_INTEGER;
  if (
    n + m < minBucketedValues ||
    !exactCounts ||
    !Number.isFinite(buckets / (high - low)) ||
    !(high > low)
  ) {
    return high > low ? wassersteinDistance(reference.sorted, current.sorted) : 0;
  }
  return bucketedDistance(reference.values, current.values, low, high, buckets);
}

function bucketCount(values: number): number {
  let buckets = 1;
  while (buckets < MAX_BUCKETS && buckets * VALUES_PER_BUCKET < values) buckets *= 2;
  return buckets;
}

/**
 * Per bucket k, spanning [low + k·width, low + (k+1)·width): each side's count and Σ (x - low), interleaved so a
 * value's two updates touch one cache line. Offsets keep the sums' rounding relative to the range, not to the
 * values. An element may land one rounding step outside its bucket's nominal span; that moves the area by as
 * little, far below what the tests or the threshold can see.
 */
function accumulate(values: Float64Array, low: number, scale: number, buckets: number): Float64Array {
  const totals = new Float64Array(2 * buckets);
  const last = buckets - 1;
  for (let i = 0; i < values.length; i++) {
    const offset = values[i]! - low;
    let k = (offset * scale) | 0;
    if (k > last) k = last;
    totals[2 * k]! += 1;
    totals[2 * k + 1]! += offset;
  }
  return totals;
}

function bucketedDistance(
  a: Float64Array,
  b: Float64Array,
  low: number,
  high: number,
  buckets: number,
): number {
  const n = a.length;
  const m = b.length;
  const width = (high - low) / buckets;
  const scale = buckets / (high - low);
  const totalsA = accumulate(a, low, scale, buckets);
  const totalsB = accumulate(b, low, scale, buckets);
  // Buckets where D may cross zero: [bucket, elements of a below it, elements of b below it] triples.
  const crossing: number[] = [];
  let area = 0;
  let before = 0;
  let beforeB = 0;
  for (let k = 0; k < buckets; k++) {
    const countA = totalsA[2 * k]!;
    const countB = totalsB[2 * k]!;
    // D·n·m at its lowest and highest over the bucket.
    const lowest = before * m - (beforeB + countB) * n;
    const highest = (before + countA) * m - beforeB * n;
    if (lowest >= 0 || highest <= 0) {
      const endOffset = (k + 1) * width;
      const signed =
        (before / n - beforeB / m) * width +
        (countA * endOffset - totalsA[2 * k + 1]!) / n -
        (countB * endOffset - totalsB[2 * k + 1]!) / m;
      area += lowest >= 0 ? signed : -signed;
    } else {
      crossing.push(k, before, beforeB);
    }
    before += countA;
    beforeB += countB;
  }
  if (crossing.length > 0) {
    area += crossingArea(a, b, { low, width, scale, buckets, totalsA, totalsB, crossing });
  }
  return area;
}

interface CrossingBuckets {
  readonly low: number;
  readonly width: number;
  readonly scale: number;
  readonly buckets: number;
  readonly totalsA: Float64Array;
  readonly totalsB: Float64Array;
  readonly crossing: readonly number[];
}

/** Gathers the elements of the buckets where D may cross zero, sorts each bucket's and integrates exactly. */
function crossingArea(a: Float64Array, b: Float64Array, at: CrossingBuckets): number {
  const count = at.crossing.length / 3;
  const slot = new Int32Array(at.buckets).fill(-1);
  const startA = new Uint32Array(count + 1);
  const startB = new Uint32Array(count + 1);
  for (let c = 0; c < count; c++) {
    const k = at.crossing[3 * c]!;
    slot[k] = c;
    startA[c + 1] = startA[c]! + at.totalsA[2 * k]!;
    startB[c + 1] = startB[c]! + at.totalsB[2 * k]!;
  }
  const gatheredA = gather(a, at, slot, startA);
  const gatheredB = gather(b, at, slot, startB);
  const n = a.length;
  const m = b.length;
  let area = 0;
  for (let c = 0; c < count; c++) {
    const k = at.crossing[3 * c]!;
    let below = at.crossing[3 * c + 1]!;
    let belowB = at.crossing[3 * c + 2]!;
    let i = startA[c]!;
    let j = startB[c]!;
    const endA = startA[c + 1]!;
    const endB = startB[c + 1]!;
    sortRange(gatheredA, i, endA);
    sortRange(gatheredB, j, endB);
    // From the bucket's start to its first element D keeps its value from before the bucket.
    let position = at.low + k * at.width;
    while (i < endA || j < endB) {
      const value = j >= endB || (i < endA && gatheredA[i]! <= gatheredB[j]!) ? gatheredA[i]! : gatheredB[j]!;
      area += Math.abs(below / n - belowB / m) * (value - position);
      while (i < endA && gatheredA[i] === value) {
        i++;
        below++;
      }
      while (j < endB && gatheredB[j] === value) {
        j++;
        belowB++;
      }
      position = value;
    }
    area += Math.abs(below / n - belowB / m) * (at.low + (k + 1) * at.width - position);
  }
  return area;
}

function gather(
  values: Float64Array,
  at: CrossingBuckets,
  slot: Int32Array,
  start: Uint32Array,
): Float64Array {
  const gathered = new Float64Array(start[start.length - 1]!);
  const next = start.slice(0, start.length - 1);
  const last = at.buckets - 1;
  const { low, scale } = at;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let k = ((value - low) * scale) | 0;
    if (k > last) k = last;
    const index = slot[k]!;
    if (index >= 0) gathered[next[index]!++] = value;
  }
  return gathered;
}
