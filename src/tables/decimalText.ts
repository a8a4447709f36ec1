/**
 * Reads a plain decimal number ("-12", "0.25", "3e-5") straight from a span of text without slicing it into a
 * string first, for the CSV number path: the CSV readers keep cells as spans of their text, and a string per
 * cell made reading numbers the costliest part of a CSV. Exact, the same double `Number(text)` gives.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number `Number()` gives a plain decimal span (`[+-]digits[.digits][(e|E)[+-]digits]`), or undefined for
 * anything else (spaces, signs alone, "NA", "inf", hex) and for a decimal that overflows to infinity, which
 * numericColumn refuses or keeps by its own options. An integer mantissa under 2^53 with a power of ten within
 * 10^22 is one correctly rounded multiplication or division (Clinger's fast path). Up to 19 digits (pandas
 * writes doubles with 17) it is read exactly too, with double-double arithmetic (nearDecimalValue), because
 * `Number()` of a slice cost three times as much and such files are common. Anything longer or larger goes to
 * `Number()` of the slice.
 */
export function readDecimalSpan(text: string, start: number, end: number): number | undefined {
  let at = start;
  let negative = false;
  let code = text.charCodeAt(at);
  if (code === 45 || code === 43) {
    negative = code === 45;
    at++;
  }
  // The digits as a double (exact below 2^53, within 2^22 of the integer up to 19 digits) and, exactly, as
  // their low 32 bits: together they give a 19-digit integer exactly without a branch per digit.
  let mantissa = 0;
  let low32 = 0;
  const integerStart = at;
  for (; at < end; at++) {
    code = text.charCodeAt(at) - 48;
    if (code >>> 0 > 9) break;
    mantissa = mantissa * 10 + code;
    low32 = (Math.imul(low32, 10) + code) | 0;
  }
  let digits = at - integerStart;
  let exponent = 0;
  if (at < end && text.charCodeAt(at) === 46) {
    const fractionStart = ++at;
    for (; at < end; at++) {
      code = text.charCodeAt(at) - 48;
      if (code >>> 0 > 9) break;
      mantissa = mantissa * 10 + code;
      low32 = (Math.imul(low32, 10) + code) | 0;
    }
    exponent = fractionStart - at;
    digits -= exponent;
  }
  if (digits === 0) return undefined;
  if (at < end && (text.charCodeAt(at) | 32) === 101) {
    at++;
    let exponentSign = 1;
    code = text.charCodeAt(at);
    if (code === 45 || code === 43) {
      exponentSign = code === 45 ? -1 : 1;
      at++;
    }
    let written = 0;
    const exponentStart = at;
    for (; at < end; at++) {
      code = text.charCodeAt(at) - 48;
      if (code >>> 0 > 9) break;
      if (written < 1e6) written = written * 10 + code;
    }
    if (at === exponentStart) return undefined;
    exponent += exponentSign * written;
  }
  if (at !== end) return undefined;
  const value = decimalValue(mantissa, low32, digits, exponent);
  if (value === undefined) {
    const read = Number(text.slice(start, end));
    return read - read === 0 ? read : undefined;
  }
  return negative ? -value : value;
}

/**
 * The double nearest `w * 10^exponent`, for the integer w of a decimal's `digits` digits given as `mantissa`
 * (its digits summed in doubles) and `low32` (summed in 32-bit integers, `(Math.imul(low32, 10) + digit) | 0`),
 * or undefined where only `Number()` of the text can tell (more than 19 digits, a power beyond 10^22, a value
 * too near halfway between two doubles).
 */
export function decimalValue(
  mantissa: number,
  low32: number,
  digits: number,
  exponent: number,
): number | undefined {
  if (exponent < -22 || exponent > 22) return undefined;
  if (mantissa < EXACT_INTEGERS) {
    // The sum of digits stays exact while under 2^53 (the running values only grow).
    const power = POWERS_OF_TEN[exponent < 0 ? -exponent : exponent] as number;
    return exponent < 0 ? mantissa / power : mantissa * power;
  }
  return digits <= 19 ? nearDecimalValue(mantissa, low32 >>> 0, exponent) : undefined;
}

const EXACT_INTEGERS = 2 ** 53;
const TWO_32 = 2 ** 32;
const SPLITTER = 134_217_729; // 2^27 + 1: Veltkamp's split of a double into two 26-bit halves
/** Far above the error of nearDecimalValue's double-double (< 2^-100 of the value), far below half an ulp. */
const AMBIGUITY = 2 ** -90;

/**
 * `w * 10^exponent` correctly rounded, for an integer w under 10^19 given as `approximate` (its digits summed
 * in doubles, within 2^22 of it) and `low32` (w mod 2^32, exact), or undefined when it lies too close to
 * halfway between two doubles to tell (then the caller asks `Number()`). w is rebuilt exactly as a sum of two
 * doubles; one multiplication or division by the exact 10^|exponent| (|exponent| <= 22) gives the value as
 * H + L with an error under 2^-100 of it (Dekker's products, no FMA in JavaScript). Rounding is monotonic, so
 * when H + L moved by far more than that error either way rounds to the same double, that double is the
 * correctly rounded value; a decimal within 2^-90 of a halfway point is the only case that falls back.
 */
function nearDecimalValue(approximate: number, low32: number, exponent: number): number | undefined {
  // w = upper * 2^32 + low32: the approximation's error is far below 2^31, so rounding finds `upper` exactly.
  const upper = Math.round((approximate - low32) / TWO_32) * TWO_32;
  const wHigh = upper + low32;
  const wLow = low32 - (wHigh - upper);
  let valueHigh: number;
  let valueLow: number;
  if (exponent >= 0) {
    const power = POWERS_OF_TEN[exponent] as number;
    valueHigh = wHigh * power;
    valueLow = productError(wHigh, power, valueHigh) + wLow * power;
  } else {
    const power = POWERS_OF_TEN[-exponent] as number;
    valueHigh = wHigh / power;
    const product = valueHigh * power;
    // wHigh - product is exact (Sterbenz: they are within one rounding of each other).
    valueLow = (wHigh - product - productError(valueHigh, power, product) + wLow) / power;
  }
  const margin = (valueHigh < 0 ? -valueHigh : valueHigh) * AMBIGUITY;
  const below = valueHigh + (valueLow - margin);
  return below === valueHigh + (valueLow + margin) ? below : undefined;
}

/** The rounding error of `a * b` against its double `product`, exactly: Dekker's product, Veltkamp's splits. */
export function productError(a: number, b: number, product: number): number {
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
}
