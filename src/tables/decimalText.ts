/**
 * Reads a plain decimal number ("-12", "0.25", "3e-5") straight from a span of text without slicing it into a
 * string first, for the CSV number path. Exact by construction: it only answers when the digits fit in 15
 * (so the integer mantissa is exact in a double) and the power of ten is at most 22 (exact too), where one
 * multiplication or division is correctly rounded and so equals `Number(text)` (Clinger's fast path).
 * Anything else (more digits, spaces, "inf", "NA") returns undefined and the caller parses the slow way.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

export function parseDecimalSpan(text: string, start: number, end: number): number | undefined {
  let at = start;
  let negative = false;
  let code = text.charCodeAt(at);
  if (code === 45 || code === 43) {
    negative = code === 45;
    at++;
  }
  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  let sawDigit = false;
  while (at < end) {
    code = text.charCodeAt(at) - 48;
    if (code < 0 || code > 9) break;
    if (mantissa !== 0 || code !== 0) digits++;
    mantissa = mantissa * 10 + code;
    sawDigit = true;
    at++;
  }
  if (at < end && text.charCodeAt(at) === 46) {
    at++;
    while (at < end) {
      code = text.charCodeAt(at) - 48;
      if (code < 0 || code > 9) break;
      if (mantissa !== 0 || code !== 0) digits++;
      mantissa = mantissa * 10 + code;
      exponent--;
      sawDigit = true;
      at++;
    }
  }
  if (!sawDigit || digits > 15) return undefined;
  if (at < end && (text.charCodeAt(at) | 32) === 101) {
    at++;
    let exponentSign = 1;
    code = text.charCodeAt(at);
    if (code === 45 || code === 43) {
      exponentSign = code === 45 ? -1 : 1;
      at++;
    }
    let written = 0;
    let exponentDigits = 0;
    while (at < end && exponentDigits < 5) {
      code = text.charCodeAt(at) - 48;
      if (code < 0 || code > 9) break;
      written = written * 10 + code;
      exponentDigits++;
      at++;
    }
    if (exponentDigits === 0) return undefined;
    exponent += exponentSign * written;
  }
  if (at !== end) return undefined;
  let value: number;
  if (exponent === 0 || mantissa === 0) value = mantissa;
  else if (exponent > 0 && exponent <= 22) value = mantissa * (POWERS_OF_TEN[exponent] as number);
  else if (exponent < 0 && exponent >= -22) value = mantissa / (POWERS_OF_TEN[-exponent] as number);
  else return undefined;
  return negative ? -value : value;
}

/**
 * The number `Number()` gives a plain decimal span (`[+-]digits[.digits][(e|E)[+-]digits]`), or undefined for
 * anything else (spaces, signs alone, "NA", "inf", hex) and for a decimal that overflows to infinity, which
 * numericColumn refuses or keeps by its own options. Up to 15 digits it is parseDecimalSpan's exact fast path.
 * 16 to 19 digits (pandas writes doubles with 17) with a power of ten within 10^22 are read exactly too, with
 * double-double arithmetic (nearDecimalValue), because `Number()` of a slice cost three times as much and such
 * files are common. Anything longer or larger goes to `Number()` of the slice.
 */
export function readDecimalSpan(text: string, start: number, end: number): number | undefined {
  let at = start;
  let negative = false;
  let code = text.charCodeAt(at);
  if (code === 45 || code === 43) {
    negative = code === 45;
    at++;
  }
  // The first 15 significant digits go to `high`, the next 4 to `low`; leading zeros are not significant.
  let high = 0;
  let low = 0;
  let lowDigits = 0;
  let digits = 0;
  let exponent = 0;
  let sawDigit = false;
  while (at < end) {
    code = text.charCodeAt(at) - 48;
    if (code < 0 || code > 9) break;
    sawDigit = true;
    at++;
    if (digits === 0 && code === 0) continue;
    digits++;
    if (digits <= 15) high = high * 10 + code;
    else if (digits <= 19) {
      low = low * 10 + code;
      lowDigits++;
    } else exponent++;
  }
  if (at < end && text.charCodeAt(at) === 46) {
    at++;
    while (at < end) {
      code = text.charCodeAt(at) - 48;
      if (code < 0 || code > 9) break;
      sawDigit = true;
      at++;
      if (digits === 0 && code === 0) {
        exponent--;
        continue;
      }
      digits++;
      if (digits <= 15) high = high * 10 + code;
      else if (digits <= 19) {
        low = low * 10 + code;
        lowDigits++;
      } else continue;
      exponent--;
    }
  }
  if (!sawDigit) return undefined;
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
    while (at < end) {
      code = text.charCodeAt(at) - 48;
      if (code < 0 || code > 9) break;
      if (written < 1e6) written = written * 10 + code;
      at++;
    }
    if (at === exponentStart) return undefined;
    exponent += exponentSign * written;
  }
  if (at !== end) return undefined;
  let value: number | undefined;
  if (digits <= 19 && exponent >= -22 && exponent <= 22) {
    if (lowDigits === 0) {
      const power = POWERS_OF_TEN[exponent < 0 ? -exponent : exponent] as number;
      value = high === 0 ? 0 : exponent < 0 ? high / power : high * power;
    } else {
      value = nearDecimalValue(high, low, lowDigits, exponent);
    }
  }
  if (value === undefined) {
    value = Number(text.slice(start, end));
    return value - value === 0 ? value : undefined;
  }
  return negative ? -value : value;
}

const SPLITTER = 134_217_729; // 2^27 + 1: Veltkamp's split of a double into two 26-bit halves
/** Far above the error of nearDecimalValue's double-double (< 2^-100 of the value), far below half an ulp. */
const AMBIGUITY = 2 ** -90;

/**
 * `(high * 10^lowDigits + low) * 10^exponent` correctly rounded, or undefined when it lies too close to halfway
 * between two doubles to tell (then the caller asks `Number()`). The integer, under 10^19, is held exactly as a
 * sum of two doubles; one multiplication or division by the exact 10^|exponent| (|exponent| <= 22) gives the
 * value as H + L with an error under 2^-100 of it (Dekker's products, no FMA in JavaScript). Rounding is
 * monotonic, so when H + L moved by far more than that error either way rounds to the same double, that double
 * is the correctly rounded value; a decimal within 2^-90 of a halfway point is the only case that falls back.
 */
function nearDecimalValue(
  high: number,
  low: number,
  lowDigits: number,
  exponent: number,
): number | undefined {
  // w = high * 10^lowDigits + low, exactly, as wHigh + wLow.
  const scale = POWERS_OF_TEN[lowDigits] as number;
  let product = high * scale;
  let t = SPLITTER * high;
  let aHigh = t - (t - high);
  let aLow = high - aHigh;
  t = SPLITTER * scale;
  let bHigh = t - (t - scale);
  let bLow = scale - bHigh;
  let productError = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
  const sum = product + low;
  const virtual = sum - product;
  const sumError = product - (sum - virtual) + (low - virtual);
  // Both errors are integers under 2^11 (w < 2^64), so their sum is exact.
  const tail = sumError + productError;
  const wHigh = sum + tail;
  const wLow = tail - (wHigh - sum);
  let valueHigh: number;
  let valueLow: number;
  if (exponent >= 0) {
    const power = POWERS_OF_TEN[exponent] as number;
    product = wHigh * power;
    t = SPLITTER * wHigh;
    aHigh = t - (t - wHigh);
    aLow = wHigh - aHigh;
    t = SPLITTER * power;
    bHigh = t - (t - power);
    bLow = power - bHigh;
    productError = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
    valueHigh = product;
    valueLow = productError + wLow * power;
  } else {
    const power = POWERS_OF_TEN[-exponent] as number;
    const quotient = wHigh / power;
    product = quotient * power;
    t = SPLITTER * quotient;
    aHigh = t - (t - quotient);
    aLow = quotient - aHigh;
    t = SPLITTER * power;
    bHigh = t - (t - power);
    bLow = power - bHigh;
    productError = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
    // wHigh - product is exact (Sterbenz: they are within one rounding of each other).
    const remainder = wHigh - product - productError + wLow;
    valueHigh = quotient;
    valueLow = remainder / power;
  }
  const margin = (valueHigh < 0 ? -valueHigh : valueHigh) * AMBIGUITY;
  const below = valueHigh + (valueLow - margin);
  return below === valueHigh + (valueLow + margin) ? below : undefined;
}
