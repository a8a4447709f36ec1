/**
 * The survival function of the two-sided one-sample Kolmogorov-Smirnov statistic D_n, scipy's `kstwo.sf(d, n)`
 * (scipy/stats/_ksstats.py, Simard & L'Ecuyer 2011), which `ks_2samp` evaluates at n = round(n1 n2 / (n1 + n2))
 * for large samples. The branch structure follows scipy's `_kolmogn` exactly: Ruben-Gambino at the ends, twice
 * the one-sided Smirnov tail for large n x², the Durbin matrix (Marsaglia-Tsang-Wang), Pomeranz's recursion for
 * n ≤ 140, and Pelz-Good otherwise. The one-sided tail uses the Birnbaum-Tingey sum in log space instead of
 * cephes' double-double arithmetic: the same terms, about 1e-12 relative instead of 1e-16.
 */

const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;
const MIN_LOG = -708;
const CEPHES_MIN_LOG = -708.3964185322641;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
// scipy's _STIRLING_COEFFS, written as the doubles they round to.
const STIRLING_COEFFICIENTS = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
] as const;

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** Pr(D_n > x), scipy `kstwo.sf(x, n)` for a positive integer n. */
export function kolmogorovSurvival(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSurvival(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip(1 - durbinMatrixCdf(n, x));
    if (nxSquared <= 4) return clip(1 - pomeranzCdf(n, x));
    return clip(2 * smirnovSurvival(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip(2 * smirnovSurvival(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

/** log(n! / n^n) by Stirling's series. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let polynomial = 0;
  for (const coefficient of STIRLING_COEFFICIENTS) polynomial = polynomial * (rn / n) + coefficient;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * polynomial;
}

/**
 * Pr(D+_n ≥ x), the one-sided Smirnov tail (cephes `smirnov`):
 * x Σ_{j=0}^{⌊n(1-x)⌋} C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1).
 */
export function smirnovSurvival(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  let nxFloor = Math.floor(nx);
  let alpha = nx - nxFloor;
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) return 1 - x * (1 + x) ** (n - 1);
  if (-2 * n * x * x < CEPHES_MIN_LOG) return 0;
  if (nxFloor >= n - 1) return (1 - x) ** n;
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logP = -((6 * n * x + 1) ** 2) / 18 / n;
    return logP < -Math.LN2 ? Math.exp(logP) : 1 + Math.expm1(logP);
  }
  // cephes leaves out the last term of the lower sum in both cases (n x an integer or not).
  const termCount = n - nxFloor;
  let sum = 0;
  let logBinomial = 0;
  for (let j = 0; j < termCount; j++) {
    const term =
      j === 0
        ? (1 - x) ** n / x
        : Math.exp(logBinomial + (n - j) * Math.log((n - j) / n - x) + (j - 1) * Math.log(x + j / n));
    sum += term;
    if (term !== 0 && 4 * (termCount - j) * term < Number.EPSILON * sum && j !== termCount - 1) break;
    if (term === 0 && j > n / 2) break;
    logBinomial += Math.log((n - j) / (j + 1));
  }
  return clip(x * sum);
}

/** Pr(D_n ≤ d) by the Durbin matrix, as Marsaglia, Tsang and Wang compute it. */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * factorial;
  let matrix: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let row = i - 1; row < m; row++) matrix[row * m + i] = w[row - i + 1]!;
  }
  for (let row = 0; row < m; row++) matrix[row * m] = v[row]!;
  for (let col = 0; col < m; col++) matrix[(m - 1) * m + col] = v[m - 1 - col]!;

  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let matrixExponent = 0;
  let remaining = n;
  while (remaining > 0) {
    if (remaining % 2) {
      power = multiply(power, matrix, m);
      exponent += matrixExponent;
    }
    matrix = multiply(matrix, matrix, m);
    matrixExponent *= 2;
    if (Math.abs(matrix[(k - 1) * m + (k - 1)]!) > SCALE_UP) {
      for (let i = 0; i < matrix.length; i++) matrix[i] = matrix[i]! / SCALE_UP;
      matrixExponent += SCALE_EXPONENT;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
  }
  if (exponent !== 0) p *= 2 ** exponent;
  return clip(p);
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const result = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const factor = a[i * m + l]!;
      if (factor === 0) continue;
      for (let j = 0; j < m; j++) result[i * m + j] = result[i * m + j]! + factor * b[l * m + j]!;
    }
  }
  return result;
}

function pomeranzInterval(i: number, n: number, ll: number, ceilF: number, roundF: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilF - 1;
    j2 = ll + ceilF - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilF - 1;
        j2 = n + ll + ceilF - 1;
      } else {
        j1 = half - 1 - ll - roundF - 1;
        j2 = half + ll - 1 + ceilF - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundF - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n ≤ x) by Pomeranz's recursion (scipy `_kolmogn_Pomeranz`). */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilF = f > 0 ? 1 : 0;
  const roundF = f > 0.5 ? 1 : 0;
  const powers = 2 * (ll + 1);
  const gPower = new Float64Array(powers);
  const twoGPower = new Float64Array(powers);
  const oneMinusTwoGPower = new Float64Array(powers);
  gPower[0] = twoGPower[0] = oneMinusTwoGPower[0] = 1;
  for (let m = 1; m < powers; m++) {
    gPower[m] = (gPower[m - 1]! * (g / n)) / m;
    twoGPower[m] = (twoGPower[m - 1]! * ((2 * g) / n)) / m;
    oneMinusTwoGPower[m] = (oneMinusTwoGPower[m - 1]! * ((1 - 2 * g) / n)) / m;
  }
  let v0 = new Float64Array(powers);
  let v1 = new Float64Array(powers);
  v1[0] = 1;
  let v0Start = 0;
  let v1Start = 0;
  let exponent = 0;
  let [j1, j2] = pomeranzInterval(0, n, ll, ceilF, roundF);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0Start, v1Start] = [v1Start, v0Start];
    v1.fill(0);
    [j1, j2] = pomeranzInterval(i, n, ll, ceilF, roundF);
    const weights = i === 1 || i === 2 * n + 1 ? gPower : i % 2 ? twoGPower : oneMinusTwoGPower;
    const length = j2 - k1 + 1;
    if (length > 0) {
      const convStart = j1 - k1;
      const convLength = j2 - j1 + 1;
      const offset = k1 - v0Start;
      // scipy takes the maximum over the whole row, whose tail past convLength is zero.
      let largest = convLength < v1.length ? 0 : -Infinity;
      for (let out = 0; out < convLength; out++) {
        const at = convStart + out;
        let sum = 0;
        for (let s = Math.max(0, at - length + 1); s <= Math.min(at, length - 1); s++) {
          sum += v0[offset + s]! * weights[at - s]!;
        }
        v1[out] = sum;
        if (sum > largest) largest = sum;
      }
      if (largest > 0 && largest < SCALE_DOWN) {
        for (let s = 0; s < v1.length; s++) v1[s] = v1[s]! * SCALE_UP;
        exponent -= SCALE_EXPONENT;
      }
      v1Start = v0Start + j1 - k1;
    }
  }
  let answer = v1[n - v1Start]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += SCALE_EXPONENT;
    }
    answer *= m;
  }
  if (exponent !== 0) answer *= 2 ** exponent;
  return clip(answer);
}

/** Pr(D_n ≤ x) by the Pelz-Good asymptotic series (scipy `_kolmogn_PelzGood`). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const pi2 = Math.PI ** 2;
  const pi4 = Math.PI ** 4;
  const pi6 = Math.PI ** 6;
  const qLog = -pi2 / 8 / z2;
  if (qLog < MIN_LOG) return 0;
  let q = Math.exp(qLog);
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const k = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let index = maxK; index > 0; index--) {
    const m = 2 * index - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qPower = q ** (8 * index);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) k[i] = k[i]! * qPower + coefficients[i]!;
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) k[i] = (k[i]! * q * Math.sqrt(2 * Math.PI)) / divisors[i]!;
  q = Math.exp(-pi2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2Extra = 0;
  let k3Extra = 0;
  for (let index = maxK; index > 0; index--) {
    const squared = index * index;
    const qPowers = q ** squared;
    k2Extra += squared * qPowers;
    const kPi = Math.PI * index;
    k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * squared * qPowers;
  }
  k[2] = k[2]! + (k2Extra * pi2 * Math.sqrt(2 * Math.PI)) / (-36 * z3);
  k[3] = k[3]! + (k3Extra * pi2 * Math.sqrt(2 * Math.PI)) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += k[i]! / n ** (i / 2);
  return sum;
}
