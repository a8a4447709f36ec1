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
 * parseDecimalSpan, and for a plain decimal beyond its fast path (16 or more digits, as pandas writes doubles,
 * or a large exponent) `Number()` of the span's text: the same number numericColumn gives that cell. Undefined
 * for anything else (spaces, signs alone, "NA", "inf", hex) and for a decimal that overflows to infinity,
 * which numericColumn refuses or keeps by its own options.
 */
export function readDecimalSpan(text: string, start: number, end: number): number | undefined {
  const fast = parseDecimalSpan(text, start, end);
  if (fast !== undefined || !isDecimalSyntax(text, start, end)) return fast;
  const value = Number(text.slice(start, end));
  return value - value === 0 ? value : undefined;
}

/** `[+-]digits[.digits][(e|E)[+-]digits]`, with at least one digit before the exponent. */
function isDecimalSyntax(text: string, start: number, end: number): boolean {
  let at = start;
  let code = text.charCodeAt(at);
  if (code === 45 || code === 43) at++;
  let digits = 0;
  while (at < end && isDigit(text.charCodeAt(at))) {
    at++;
    digits++;
  }
  if (at < end && text.charCodeAt(at) === 46) {
    at++;
    while (at < end && isDigit(text.charCodeAt(at))) {
      at++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (at < end && (text.charCodeAt(at) | 32) === 101) {
    at++;
    code = text.charCodeAt(at);
    if (code === 45 || code === 43) at++;
    const exponentStart = at;
    while (at < end && isDigit(text.charCodeAt(at))) at++;
    if (at === exponentStart) return false;
  }
  return at === end;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
