/**
 * Reads the common line of a JSON Lines table without `JSON.parse`: a flat object whose keys are the table's
 * columns, all of them, in the order of the first line, each holding a number, a string without escapes, a
 * boolean or null. `JSON.parse` made an object per line and a string or number per value, which was most of
 * the time spent reading such a file; this reads the values into reusable slots instead. A line of any other
 * shape (keys missing, added, reordered or escaped, nested values, escapes, integers of 16 digits or more, which
 * take the exact big-integer path, anything not valid JSON) is refused as a whole, and the reader parses it with
 * `JSON.parse` as before, so the values and the errors are those `JSON.parse` gives.
 *
 * It reads the file's bytes, not decoded text: indexing a byte array is cheaper than `charCodeAt`, and a line of
 * numbers needs no decoding at all. Only a string value is decoded, strictly; a line holding bytes that are not
 * UTF-8 is refused, and the reader's decoding of it reports the line.
 */

import { decimalValue } from "./decimalText.js";
import { isStringDigits } from "./doubleDecimal.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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
const LOWER_T = 116;
const LOWER_F = 102;
const LOWER_N = 110;

/** Integer literals this long may lie beyond 2^53: the reader's exact path (jsonBigIntegers.ts) takes them. */
const BIG_INTEGER_DIGITS = 16;

export class FlatJsonLineScanner {
  /** Per key, its JSON text with quotes as UTF-8; undefined when a key needs escapes, which no line is read for. */
  private readonly quotedKeys: readonly Uint8Array[] | undefined;
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
      ? quoted.map((text) => new TextEncoder().encode(text))
      : undefined;
    this.kinds = new Uint8Array(keys.length);
    this.numbers = new Float64Array(keys.length);
    this.strings = new Array<string | undefined>(keys.length).fill(undefined);
    this.textStarts = new Int32Array(keys.length);
    this.textEnds = new Int32Array(keys.length);
  }

  /**
   * Reads the line `bytes[start, end)` (`end` at its line feed or the end of the bytes) into the slots; false,
   * with the slots in any state, when the line is not of the shape read here.
   */
  scan(bytes: Buffer, start: number, end: number): boolean {
    const keys = this.quotedKeys;
    if (keys === undefined) return false;
    let at = skipSpace(bytes, start);
    if (bytes[at] !== OPEN) return false;
    for (let k = 0; k < keys.length; k++) {
      at = skipSpace(bytes, at + 1);
      const key = keys[k] as Uint8Array;
      for (let i = 0; i < key.length; i++) if (bytes[at + i] !== key[i]) return false;
      at = skipSpace(bytes, at + key.length);
      if (bytes[at] !== COLON) return false;
      at = this.value(bytes, skipSpace(bytes, at + 1), end, k);
      if (at < 0) return false;
      at = skipSpace(bytes, at);
      if (bytes[at] !== (k === keys.length - 1 ? CLOSE : COMMA)) return false;
    }
    if (keys.length === 0) {
      at = skipSpace(bytes, at + 1);
      if (bytes[at] !== CLOSE) return false;
    }
    return skipSpace(bytes, at + 1) === end;
  }

  /** Reads the value at `at` into slot `k`; returns where it ends, or -1. */
  private value(bytes: Buffer, at: number, end: number, k: number): number {
    const code = bytes[at] as number;
    if (code === QUOTE) return this.string(bytes, at + 1, end, k);
    if (code === MINUS || (code >= ZERO && code <= ZERO + 9)) return this.number(bytes, at, k);
    if (code === LOWER_T && matches(bytes, at, TRUE)) return this.literal(k, FlatValueKind.True, at + 4);
    if (code === LOWER_F && matches(bytes, at, FALSE)) return this.literal(k, FlatValueKind.False, at + 5);
    if (code === LOWER_N && matches(bytes, at, NULL)) return this.literal(k, FlatValueKind.Null, at + 4);
    return -1;
  }

  /** A string without escapes or control characters from `from` to its closing quote, decoded strictly. */
  private string(bytes: Buffer, from: number, end: number, k: number): number {
    let ascii = true;
    for (let at = from; at < end; at++) {
      const c = bytes[at] as number;
      if (c === QUOTE) {
        let value: string;
        if (ascii) {
          value = bytes.toString("latin1", from, at);
        } else {
          try {
            value = strictUtf8.decode(bytes.subarray(from, at));
          } catch {
            return -1;
          }
        }
        this.kinds[k] = FlatValueKind.String;
        this.strings[k] = value;
        return at + 1;
      }
      if (c < 32 || c === BACKSLASH) return -1;
      if (c >= 128) ascii = false;
    }
    return -1;
  }

  private literal(k: number, kind: FlatValueKind, end: number): number {
    this.kinds[k] = kind;
    return end;
  }

  /**
   * A number in JSON's grammar (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`). Its digits are summed on the way: up to
   * 15 of them, without an exponent, the value is that integer divided by a power of ten, one correctly rounded
   * operation (Clinger's fast path); other numbers go to decimalValue (decimalText.ts), exact as the CSV reader's
   * numbers are, or to `Number()` of their text where it cannot tell.
   *
   * Such a number's text is `String`'s when it has no trailing zero in its fraction, is not "-0", and, below 1,
   * is at least 1e-6 (below it `String` writes an exponent): no shorter decimal reads
   * back as the same double, since decimals of up to 15 digits each read back as a double of their own.
   */
  private number(bytes: Buffer, start: number, k: number): number {
    let at = start;
    const negative = bytes[at] === MINUS;
    if (negative) at++;
    const integerStart = at;
    let mantissa = 0;
    let low32 = 0;
    let code = (bytes[at] as number) - ZERO;
    if (code === 0) {
      at++;
    } else if (code > 0 && code <= 9) {
      for (; code >= 0 && code <= 9; code = (bytes[++at] as number) - ZERO) {
        low32 = (Math.imul(low32, 10) + code) | 0;
      }
    } else {
      return -1;
    }
    let digits = at - integerStart;
    let fraction = 0;
    if (bytes[at] === DOT) {
      const fractionStart = ++at;
      for (
        code = (bytes[at] as number) - ZERO;
        code >= 0 && code <= 9;
        code = (bytes[++at] as number) - ZERO
      ) {
        low32 = (Math.imul(low32, 10) + code) | 0;
      }
      fraction = at - fractionStart;
      if (fraction === 0) return -1;
      digits += fraction;
    }
    // The digits were summed in 32-bit integers only (a line scanned ~3 % faster than also summing doubles on
    // the way). Up to nine digits that sum is the integer; longer ones are summed again, in doubles (exact
    // below 2^53, and what decimalValue needs above).
    if (digits <= 9) {
      mantissa = low32;
    } else {
      for (let i = integerStart; i < at; i++) {
        const digit = (bytes[i] as number) - ZERO;
        if (digit >= 0) mantissa = mantissa * 10 + digit;
      }
    }
    let value: number | undefined;
    let canonical = false;
    if (((bytes[at] as number) | 32) === LOWER_E) {
      at++;
      const sign = bytes[at];
      if (sign === PLUS || sign === MINUS) at++;
      const exponentStart = at;
      let written = 0;
      for (
        code = (bytes[at] as number) - ZERO;
        code >= 0 && code <= 9;
        code = (bytes[++at] as number) - ZERO
      ) {
        if (written < 1e6) written = written * 10 + code;
      }
      if (at === exponentStart) return -1;
      value = this.decimal(
        bytes,
        start,
        at,
        negative,
        mantissa,
        low32,
        digits,
        (sign === MINUS ? -written : written) - fraction,
      );
    } else if (digits <= 15) {
      value = fraction === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fraction] as number);
      if (negative) value = -value;
      if (fraction === 0) {
        canonical = !negative || mantissa !== 0;
      } else if (bytes[at - 1] !== ZERO) {
        // At least 1e-6: mantissa / 10^fraction >= 10^-6.
        canonical = fraction <= 6 || mantissa >= (POWERS_OF_TEN[fraction - 6] as number);
      }
    } else if (fraction === 0 && digits >= BIG_INTEGER_DIGITS) {
      return -1;
    } else {
      value = this.decimal(bytes, start, at, negative, mantissa, low32, digits, -fraction);
      const last = (bytes[at - 1] as number) - ZERO;
      if (value !== undefined && fraction > 0 && last !== 0) {
        canonical = longTextIsString(bytes, integerStart, digits, fraction, value, mantissa, low32, last);
      }
    }
    // Undefined only for a value beyond the doubles, which JSON.parse makes Infinity: that line goes there.
    if (value === undefined) return -1;
    this.kinds[k] = FlatValueKind.Number;
    this.numbers[k] = value;
    this.textStarts[k] = start;
    this.textEnds[k] = canonical ? at : -1;
    return at;
  }

  /** The value of the number `bytes[start, end)` whose digits were summed, or undefined when it is infinite. */
  private decimal(
    bytes: Buffer,
    start: number,
    end: number,
    negative: boolean,
    mantissa: number,
    low32: number,
    digits: number,
    exponent: number,
  ): number | undefined {
    let value = decimalValue(mantissa, low32, digits, exponent);
    if (value === undefined) {
      value = Number(bytes.toString("latin1", start, end));
      return value - value === 0 ? value : undefined;
    }
    return negative ? -value : value;
  }
}

/**
 * Whether a number of more than 15 digits with a fraction (not ending in 0) is written as `String` writes its
 * double `value`: plainly (at least 1e-6), with as many significant digits as the double needs and no other
 * text of as many lying closer (isStringDigits). Python's `json.dumps` writes doubles so, with up to 17 digits.
 */
function longTextIsString(
  bytes: Buffer,
  integerStart: number,
  digits: number,
  fraction: number,
  value: number,
  mantissa: number,
  low32: number,
  last: number,
): boolean {
  // Leading zeros ("0.000123...") are not significant; more than five after the point make String write an
  // exponent (below 1e-6).
  let leading = 0;
  if (bytes[integerStart] === ZERO) {
    leading = 1;
    while (bytes[integerStart + 1 + leading] === ZERO) leading++;
    if (leading > 6) return false;
  }
  const significant = digits - leading;
  if (significant <= 15) return true;
  if (significant > 17) return false;
  return isStringDigits(value < 0 ? -value : value, mantissa, low32, fraction, last);
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);
const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];

function matches(bytes: Buffer, at: number, word: readonly number[]): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** JSON's white space within a line: a line feed ends the line, so it never counts here. */
function skipSpace(bytes: Buffer, at: number): number {
  for (;;) {
    const code = bytes[at];
    if (code !== 32 && code !== 9 && code !== 13) return at;
    at++;
  }
}
