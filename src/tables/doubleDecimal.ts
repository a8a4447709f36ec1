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
