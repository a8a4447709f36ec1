/**
 * Reads the common line of a JSON Lines table without `JSON.parse`: a flat object whose keys are the table's
 * columns, all of them, in the order of the first line, each holding a number, a string without escapes, a
 * boolean or null. `JSON.parse` made an object per line and a string or number per value, which was most of
 * the time spent reading such a file; this reads the values into reusable slots instead. A line of any other
 * shape (keys missing, added, reordered or escaped, nested values, escapes, integers of 16 digits or more, which
 * take the exact big-integer path, anything not valid JSON) is refused as a whole, and the reader parses it with
 * `JSON.parse` as before, so the values and the errors are those `JSON.parse` gives.
 */

import { readDecimalSpan } from "./decimalText.js";

/** What a slot holds after a successful `scan`. */
export const FlatValueKind = { Number: 0, String: 1, True: 2, False: 3, Null: 4 } as const;
type FlatValueKind = (typeof FlatValueKind)[keyof typeof FlatValueKind];

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN = 123;
const CLOSE = 125;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const LOWER_E = 101;

/** Integer literals this long may lie beyond 2^53: the reader's exact path (jsonBigIntegers.ts) takes them. */
const BIG_INTEGER_DIGITS = 16;

export class FlatJsonLineScanner {
  /** Per key, its JSON text with quotes; undefined when a key needs escapes, which no line is read for here. */
  private readonly quotedKeys: readonly string[] | undefined;
  /** Per key, after a successful scan: what it holds, and its number or string. */
  readonly kinds: Uint8Array;
  readonly numbers: Float64Array;
  readonly strings: (string | undefined)[];
  /**
   * Per key holding a number: where its text starts and ends in the line when that text is the one `String`
   * gives the number (and so what a writer would write), else an end of -1. A writer can then copy it.
   */
  readonly textStarts: Int32Array;
  readonly textEnds: Int32Array;

  constructor(keys: readonly string[]) {
    const quoted = keys.map((key) => JSON.stringify(key));
    this.quotedKeys = quoted.every((text, k) => text.length === (keys[k] as string).length + 2)
      ? quoted
      : undefined;
    this.kinds = new Uint8Array(keys.length);
    this.numbers = new Float64Array(keys.length);
    this.strings = new Array<string | undefined>(keys.length).fill(undefined);
    this.textStarts = new Int32Array(keys.length);
    this.textEnds = new Int32Array(keys.length);
  }

  /**
   * Reads the line `text[start, end)` (`end` at its line feed or the end of the text) into the slots; false,
   * with the slots in any state, when the line is not of the shape read here.
   */
  scan(text: string, start: number, end: number): boolean {
    const keys = this.quotedKeys;
    if (keys === undefined) return false;
    let at = skipSpace(text, start);
    if (text.charCodeAt(at) !== OPEN) return false;
    for (let k = 0; k < keys.length; k++) {
      at = skipSpace(text, at + 1);
      const key = keys[k] as string;
      if (!text.startsWith(key, at)) return false;
      at = skipSpace(text, at + key.length);
      if (text.charCodeAt(at) !== COLON) return false;
      at = this.value(text, skipSpace(text, at + 1), end, k);
      if (at < 0) return false;
      at = skipSpace(text, at);
      if (text.charCodeAt(at) !== (k === keys.length - 1 ? CLOSE : COMMA)) return false;
    }
    if (keys.length === 0) {
      at = skipSpace(text, at + 1);
      if (text.charCodeAt(at) !== CLOSE) return false;
    }
    return skipSpace(text, at + 1) === end;
  }

  /** Reads the value at `at` into slot `k`; returns where it ends, or -1. */
  private value(text: string, at: number, end: number, k: number): number {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      const from = at + 1;
      for (at = from; at < end; at++) {
        const c = text.charCodeAt(at);
        if (c === QUOTE) {
          this.kinds[k] = FlatValueKind.String;
          this.strings[k] = text.slice(from, at);
          return at + 1;
        }
        if (c < 32 || c === BACKSLASH) return -1;
      }
      return -1;
    }
    if (code === MINUS || (code >= ZERO && code <= ZERO + 9)) return this.number(text, at, k);
    if (text.startsWith("true", at)) return this.literal(k, FlatValueKind.True, at + 4);
    if (text.startsWith("false", at)) return this.literal(k, FlatValueKind.False, at + 5);
    if (text.startsWith("null", at)) return this.literal(k, FlatValueKind.Null, at + 4);
    return -1;
  }

  private literal(k: number, kind: FlatValueKind, end: number): number {
    this.kinds[k] = kind;
    return end;
  }

  /**
   * A number in JSON's grammar (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), which is stricter than
   * readDecimalSpan's. Its digits are summed on the way: up to 15 of them, without an exponent, the value is that
   * integer divided by a power of ten, one correctly rounded operation (Clinger's fast path); other numbers go to
   * readDecimalSpan.
   *
   * Such a number's text is `String`'s when it has no trailing zero in its fraction, is not "-0", and, below 1,
   * is at least 1e-6 (below it `String` writes an exponent): no shorter decimal reads
   * back as the same double, since decimals of up to 15 digits each read back as a double of their own.
   */
  private number(text: string, start: number, k: number): number {
    let at = start;
    const negative = text.charCodeAt(at) === MINUS;
    if (negative) at++;
    const integerStart = at;
    let mantissa = 0;
    let code = text.charCodeAt(at) - ZERO;
    if (code === 0) {
      at++;
    } else if (code > 0 && code <= 9) {
      for (; code >= 0 && code <= 9; code = text.charCodeAt(++at) - ZERO) mantissa = mantissa * 10 + code;
    } else {
      return -1;
    }
    let digits = at - integerStart;
    let fraction = 0;
    if (text.charCodeAt(at) === DOT) {
      const fractionStart = ++at;
      for (code = text.charCodeAt(at) - ZERO; code >= 0 && code <= 9; code = text.charCodeAt(++at) - ZERO) {
        mantissa = mantissa * 10 + code;
      }
      fraction = at - fractionStart;
      if (fraction === 0) return -1;
      digits += fraction;
    }
    let value: number | undefined;
    let canonical = false;
    if ((text.charCodeAt(at) | 32) === LOWER_E) {
      at++;
      const sign = text.charCodeAt(at);
      if (sign === PLUS || sign === MINUS) at++;
      if (!isDigit(text.charCodeAt(at))) return -1;
      at = skipDigits(text, at + 1);
      // Undefined only for a value beyond the doubles, which JSON.parse makes Infinity: that line goes there.
      value = readDecimalSpan(text, start, at);
    } else if (digits <= 15) {
      value = fraction === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fraction] as number);
      if (negative) value = -value;
      if (fraction === 0) {
        canonical = !negative || mantissa !== 0;
      } else if (text.charCodeAt(at - 1) !== ZERO) {
        // At least 1e-6: mantissa / 10^fraction >= 10^-6.
        canonical = fraction <= 6 || mantissa >= (POWERS_OF_TEN[fraction - 6] as number);
      }
    } else if (fraction === 0 && digits >= BIG_INTEGER_DIGITS) {
      return -1;
    } else {
      value = readDecimalSpan(text, start, at);
    }
    if (value === undefined) return -1;
    this.kinds[k] = FlatValueKind.Number;
    this.numbers[k] = value;
    this.textStarts[k] = start;
    this.textEnds[k] = canonical ? at : -1;
    return at;
  }
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

function skipDigits(text: string, at: number): number {
  while (isDigit(text.charCodeAt(at))) at++;
  return at;
}

/** JSON's white space within a line: a line feed ends the line, so it never counts here. */
function skipSpace(text: string, at: number): number {
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== 32 && code !== 9 && code !== 13) return at;
    at++;
  }
}
