/**
 * Exact median of a Float64Array in expected linear time (quickselect), as numpy's median: the middle
 * value, or the mean of the two middle values for an even count. Reorders the array in place.
 */

export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const upper = selectInPlace(values, n >> 1, 0, n - 1);
  if (n % 2 === 1) return upper;
  // After selection everything left of n/2 is <= upper, so the lower middle is the largest of them.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) {
    const v = values[i] as number;
    if (v > lower) lower = v;
  }
  return (lower + upper) / 2;
}

/** Places the k-th smallest value at index k, smaller ones before it, larger after; returns it. */
export function selectInPlace(values: Float64Array, k: number, left: number, right: number): number {
  let lo = left;
  let hi = right;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const pivot = medianOfThree(values[lo] as number, values[mid] as number, values[hi] as number);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k] as number;
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}
