/**
 * The digits `String(value)` writes for a double, found with arithmetic, for the doubles that have a decimal form
 * of at most 15 significant digits, as numbers read from text mostly do. `String` runs a general shortest-digits
 * search (~150 ns a value here), which made it most of the time spent writing numbers that came from JSON Lines
 * or Parquet; this is one multiplication by a power of ten, a rounding, and one division that checks the answer
 * reads back as the same double.
 *
 * The answer is String's, not just close: 15-digit decimals lie over 1e-15 of their value apart, more than the
 * width of the interval that reads back as one double (2^-52 of it), so at most one of them reads back as the
 * double. When one does, it is the shortest form, and String's digits are its digits less trailing zeros.
 * Doubles without such a form (17 digits), and scalings beyond the powers of ten a double holds exactly, return
 * false and the caller uses `String`.
 */

import { productError } from "./decimalText.js";
import { decimalExponent, decimalValue, type DecimalDigits } from "./float32Decimal.js";

const FIFTEEN_DIGITS = 1e15;

/**
 * Sets `out` to `digits * 10^exponent`, the value of `String(magnitude)` (trailing zeros possibly left in
 * `digits`), for a positive finite double; false where no 15-digit decimal reads back as it or the scaling is
 * not exact.
 */
export function doubleDigits(magnitude: number, out: DecimalDigits): boolean {
  // Scaled to 15 integer digits; the estimate of the power of ten may be one low, giving 16.
  let exponent = decimalExponent(magnitude) - 14;
  let digits = Math.round(decimalValue(magnitude, -exponent));
  if (digits >= FIFTEEN_DIGITS) {
    exponent += 1;
    digits = Math.round(decimalValue(magnitude, -exponent));
  }
  // NaN (a scaling beyond 10^22) fails this too.
  if (!(digits < FIFTEEN_DIGITS) || decimalValue(digits, exponent) !== magnitude) return false;
  // Trailing zeros off here, where most of the 15 digits are zeros: `%` on a value past 2^31 is a slow
  // floating-point remainder, so the zeros are counted in the low seven digits, or the high eight if those are
  // all zeros, each below 2^31.
  const high = Math.floor(digits / 1e7);
  let part = (digits - high * 1e7) | 0;
  let zeros = 0;
  if (part === 0) {
    part = high | 0;
    zeros = 7;
  }
  while (zeros < 15 && part % 10 === 0) {
    part = (part / 10) | 0;
    zeros++;
  }
  out.digits = zeros === 0 ? digits : digits / (POWERS_OF_TEN[zeros] as number);
  out.exponent = exponent + zeros;
  return true;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

const TWO_32 = 2 ** 32;
/** Far above the error of the double-double arithmetic below, far below the distances it compares. */
const MARGIN = 1e-6;
const doubleBits = new Float64Array(1);
const doubleWords = new Uint32Array(doubleBits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Whether the decimal `w * 10^-fraction` of 16 or 17 significant digits, whose double is `magnitude` (positive,
 * at least 1e-6), is the text `String` writes for it: no decimal of one digit fewer reads back as the double,
 * and no other decimal of as many digits lies closer to it. `w` comes as the scanners sum it: `approximate` (its
 * digits summed in doubles, within 2^22 of it) and `low32` (w mod 2^32, exactly); `lastDigit` is its last
 * digit, not 0. Python's `repr` and JavaScript write such texts for doubles without a shorter form, so a JSON
 * Lines file of them keeps its own text instead of each number being written again (`String` takes ~250 ns).
 * A case too close to call (a tie, a neighbour on the edge of rounding to the double) answers false, and the
 * caller writes the number itself.
 */
export function isStringDigits(
  magnitude: number,
  approximate: number,
  low32: number,
  fraction: number,
  lastDigit: number,
): boolean {
  if (fraction > 22) return false;
  // w exactly, as wHigh + wLow (as decimalText.ts's nearDecimalValue rebuilds it).
  const upper = Math.round((approximate - (low32 >>> 0)) / TWO_32) * TWO_32;
  const wHigh = upper + (low32 >>> 0);
  const wLow = (low32 >>> 0) - (wHigh - upper);
  // d = w - magnitude * 10^fraction, exactly enough: in units of the decimal's last digit, how far it lies from
  // the double. The product is exact as p + e (Dekker), and wHigh - p is exact (they are within a factor of two).
  const power = POWERS_OF_TEN_22[fraction] as number;
  const p = magnitude * power;
  const e = productError(magnitude, power, p);
  const d = wHigh - p + (wLow - e);
  doubleBits[0] = magnitude;
  const high = doubleWords[HIGH] as number;
  const powerOfTwo = (high & 0xfffff) === 0 && doubleWords[1 - HIGH] === 0;
  const exponent = (high >>> 20) & 0x7ff;
  // Closest: within half a unit of the last digit, so no other decimal of as many digits is nearer.
  const distance = Math.abs(d);
  if (!(distance < 0.5 - MARGIN)) {
    // Exactly halfway between two such decimals String rounds the last digit to even, as Gay's dtoa (and so
    // Python's repr) does. d is a multiple of 2^(ulp's exponent + fraction): where that is at least 2^-16, d
    // near 1/2 is 1/2 exactly; elsewhere so near is too close to call.
    const tie = Math.abs(distance - 0.5) < MARGIN && exponent - 1075 + fraction >= -16;
    if (!tie || lastDigit % 2 !== 0) return false;
  }
  // Shortest: the neighbours with one digit fewer, w rounded down and up to a multiple of ten, lie outside
  // the interval of decimals that read back as the double (half an ulp either side; half of that below a power
  // of two, whose ulp below is half the one above). Any shorter decimal that read back would make one of them.
  doubleWords[HIGH] = (exponent - 52) << 20;
  doubleWords[1 - HIGH] = 0;
  const halfUlp = ((doubleBits[0] as number) * power) / 2;
  const below = powerOfTwo ? halfUlp / 2 : halfUlp;
  const down = d - lastDigit;
  const up = down + 10;
  // A neighbour reads back as the double inside (-below, halfUlp); one near either edge is too close to call.
  return down < -below - MARGIN && up > halfUlp + MARGIN;
}

const POWERS_OF_TEN_22 = Array.from({ length: 23 }, (_, k) => 10 ** k);
