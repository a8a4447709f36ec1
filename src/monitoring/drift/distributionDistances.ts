/**
 * Distances between two binned distributions (shares from `binnedShares`), as Evidently computes them:
 * Jensen-Shannon distance (scipy `distance.jensenshannon`, natural log, so at most √ln 2 ≈ 0.833), KL divergence
 * (scipy `entropy(reference, current)`, each side renormalised to sum 1) and PSI (Σ (r - c) ln(r / c), not
 * renormalised). KL and PSI expect zero-filled shares.
 */

/** x ln(x / y) with scipy `rel_entr`'s conventions at zero. */
function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

function total(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

export function jensenShannonDistance(reference: Float64Array, current: Float64Array): number {
  const referenceTotal = total(reference);
  const currentTotal = total(current);
  let left = 0;
  let right = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / referenceTotal;
    const q = current[i]! / currentTotal;
    const m = (p + q) / 2;
    left += relativeEntropy(p, m);
    right += relativeEntropy(q, m);
  }
  return Math.sqrt((left + right) / 2);
}

export function klDivergence(reference: Float64Array, current: Float64Array): number {
  const referenceTotal = total(reference);
  const currentTotal = total(current);
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    sum += relativeEntropy(reference[i]! / referenceTotal, current[i]! / currentTotal);
  }
  return sum;
}

export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    sum += (r - c) * Math.log(r / c);
  }
  return sum;
}
