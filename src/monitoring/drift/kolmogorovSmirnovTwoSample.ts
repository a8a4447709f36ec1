/**
 * The p-value of scipy's `ks_2samp(data1, data2)` (two-sided, method "auto") from the statistic D and the two
 * sample sizes: the exact distribution when both samples have at most 10,000 values (Hodges' lattice-path
 * count, with Viehmann's recursion for 1 - p), Smirnov's asymptotic `kstwo.sf(D, round(n1 n2 / (n1 + n2)))`
 * otherwise or when the exact computation is not finite.
 */

import { kolmogorovSurvival } from "./kolmogorovDistribution.js";

const MAX_EXACT_SIZE = 10_000;

export function ksTwoSampleP(statistic: number, n1: number, n2: number): number {
  if (Math.max(n1, n2) <= MAX_EXACT_SIZE) {
    const exact = exactTwoSidedP(n1, n2, statistic);
    if (exact !== undefined) return Math.min(1, Math.max(0, exact));
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const effective = (m * n) / (m + n);
  return Math.min(1, Math.max(0, kolmogorovSurvival(roundHalfEven(effective), statistic)));
}

/** numpy rounds halves to even; `round(en)` meets halves when n1 n2 / (n1 + n2) is x.5. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** scipy `_attempt_exact_2kssamp`; undefined where scipy falls back to the asymptotic formula. */
function exactTwoSidedP(n1: number, n2: number, statistic: number): number | undefined {
  const g = greatestCommonDivisor(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(statistic * lcm);
  if (h === 0) return 1;
  const p = n1 === n2 ? probabilityOutsideSquare(n1, h) : outerProbabilityInsideMethod(n1, n2, g, h);
  return Number.isFinite(p) && p >= 0 && p <= 1 ? p : undefined;
}

/** Pr(D_{n,n} ≥ h/n) by a Horner-like alternating sum (scipy `_compute_prob_outside_square`). */
function probabilityOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave |x/m - y/n| < h / lcm(m, n)
 * (scipy `_compute_outer_prob_inside_method`), keeping one sliding column of the path-count matrix.
 */
function outerProbabilityInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let currentLength = maxJ - minJ;
  const column = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = currentLength;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let jj = 0; jj < maxJ - minJ; jj++) {
      const j = jj + minJ;
      value = (column[jj + minJ - lastMinJ]! * i + value * j) / (i + j);
      column[jj] = value;
    }
    currentLength = maxJ - minJ;
    if (lastLength > currentLength) column.fill(1, maxJ - minJ, maxJ - minJ + (lastLength - currentLength));
  }
  return column[maxJ - minJ - 1]!;
}
