/**
 * A growing byte buffer that text writers encode rows into, so a batch becomes bytes without a string per cell,
 * per line and for the batch (whose garbage, not the formatting, was most of the time spent writing CSV).
 * Text goes in as UTF-8, byte by byte while it is ASCII, through Node's encoder otherwise; numbers go in as the
 * digits JavaScript's `String` gives them, written without making that string.
 */

import { doubleDigits } from "./doubleDecimal.js";
import { float32Digits, type DecimalDigits } from "./float32Decimal.js";
import { numberText } from "./tableWriter.js";

/** Strings this long or longer go to Node's encoder at once; shorter ones are cheaper to copy here. */
const NATIVE_TEXT_LENGTH = 64;
const ZERO = 48;
const MINUS = 45;

export class ByteBuilder {
  private buffer: Buffer;
  /** The buffer as a DataView, for copies four bytes at a time (keyedWords). */
  private view: DataView;
  /** Bytes written so far; a writer may also set it after filling `reserve`'s room itself. */
  length = 0;
  private readonly digits: DecimalDigits = { digits: 0, exponent: 0 };

  constructor(capacity = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(capacity);
    this.view = viewOf(this.buffer);
  }

  /** The buffer, with room for `count` more bytes after `length`. Valid until the next call that may grow it. */
  reserve(count: number): Uint8Array {
    const needed = this.length + count;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
      this.view = viewOf(grown);
    }
    return this.buffer;
  }

  byte(code: number): void {
    this.reserve(1)[this.length++] = code;
  }

  /** `source[start, end)` as it is; short runs (a key, a number) are copied here, cheaper than `set` for a few bytes. */
  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const count = end - start;
    const bytes = this.reserve(count);
    if (count < NATIVE_TEXT_LENGTH) {
      for (let i = start, at = this.length; i < end; i++) bytes[at++] = source[i] as number;
    } else {
      bytes.set(source.subarray(start, end), this.length);
    }
    this.length += count;
  }

  /**
   * `key[0, keyLength)` and then `source[start, end)`, both short (a JSON key, a number's text), copied four
   * bytes at a time, as 32-bit integers through DataViews where `source` has three more bytes after `end`: a
   * DataView's 32-bit read or write costs about what a typed array's one byte does, and copying the bytes one
   * by one was much of the time spent writing JSON Lines numbers. Up to three bytes past the end are written
   * and then left to the next write; `key` must be padded to a multiple of four bytes.
   */
  keyedWords(key: DataView, keyLength: number, source: DataView, start: number, end: number): void {
    const count = end - start;
    this.reserve(keyLength + count + 8);
    const view = this.view;
    let at = this.length;
    for (let i = 0; i < keyLength; i += 4) view.setUint32(at + i, key.getUint32(i, true), true);
    at += keyLength;
    if (end + 3 <= source.byteLength) {
      for (let i = 0; i < count; i += 4) view.setUint32(at + i, source.getUint32(start + i, true), true);
    } else {
      for (let i = 0; i < count; i++) view.setUint8(at + i, source.getUint8(start + i));
    }
    this.length = at + count;
  }

  /**
   * A separator byte (none when `separator` is negative) and then `source[start, end)`, short (a number's
   * text), copied four bytes at a time as `keyedWords` copies: up to three bytes past the end are written and
   * left to the next write.
   */
  separatedWords(separator: number, source: DataView, start: number, end: number): void {
    const count = end - start;
    this.reserve(count + 8);
    const view = this.view;
    let at = this.length;
    if (separator >= 0) view.setUint8(at++, separator);
    if (end + 3 <= source.byteLength) {
      for (let i = 0; i < count; i += 4) view.setUint32(at + i, source.getUint32(start + i, true), true);
    } else {
      for (let i = 0; i < count; i++) view.setUint8(at + i, source.getUint8(start + i));
    }
    this.length = at + count;
  }

  /** `text` as UTF-8 (a lone surrogate as U+FFFD, as `Buffer.from` writes it). */
  text(text: string): void {
    const count = text.length;
    if (count < NATIVE_TEXT_LENGTH) {
      const bytes = this.reserve(count);
      let at = this.length;
      let i = 0;
      for (; i < count; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        bytes[at++] = code;
      }
      if (i === count) {
        this.length = at;
        return;
      }
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4).
    this.reserve(count * 3);
    this.length += this.buffer.write(text, this.length, "utf8");
  }

  /** A safe integer as `String(value)` writes it. */
  integer(value: number): void {
    if (value < 0) {
      this.byte(MINUS);
      value = -value;
    }
    this.integerDigits(value, digitCount(value), 0);
  }

  /**
   * `sign * digits * 10^exponent` (digits a positive integer below 2^53) as `String` writes the double that
   * decimal reads as, when no shorter decimal reads as that double: plain notation from 1e-6 up to 1e21,
   * exponential (`1.5e-7`, `1e+21`) outside, and no trailing zeros.
   */
  decimal(negative: boolean, decimal: DecimalDigits): void {
    let { digits, exponent } = decimal;
    // Trailing zeros off; `%` on a value past 2^31 would be a slow floating-point remainder.
    if (digits < 2147483648) {
      let small = digits | 0;
      while (small !== 0 && small % 10 === 0) {
        small = (small / 10) | 0;
        exponent++;
      }
      digits = small;
    } else {
      for (let next = Math.floor(digits / 10); next * 10 === digits; next = Math.floor(digits / 10)) {
        digits = next;
        exponent++;
      }
    }
    if (negative) this.byte(MINUS);
    const count = digitCount(digits);
    // Where the decimal point falls, counted in digits from the first (ECMAScript's Number::toString `n`).
    const point = count + exponent;
    if (count <= point && point <= 21) {
      this.integerDigits(digits, count, 0);
      for (let k = count; k < point; k++) this.byte(ZERO);
    } else if (point > 0 && point <= 21) {
      this.integerDigits(digits, count, point);
    } else if (point > -6 && point <= 0) {
      this.byte(ZERO);
      this.byte(46);
      for (let k = point; k < 0; k++) this.byte(ZERO);
      this.integerDigits(digits, count, 0);
    } else {
      this.integerDigits(digits, count, count > 1 ? 1 : 0);
      this.byte(101);
      this.byte(point > 0 ? 43 : MINUS);
      this.integer(Math.abs(point - 1));
    }
  }

  /**
   * `decimal` for digits below 10^9 (a float32's at most), in 32-bit integer arithmetic and two digits a step
   * from a table: a float32 value's digits went through `decimal`'s general path, whose double divisions, one
   * per digit, cost about a seventh of writing the value. Exponential notation goes to `decimal`.
   */
  shortDecimal(negative: boolean, decimal: DecimalDigits): void {
    let digits = decimal.digits | 0;
    let exponent = decimal.exponent;
    if (digits <= 0 || digits !== decimal.digits) {
      this.decimal(negative, decimal);
      return;
    }
    while (digits % 10 === 0) {
      digits = (digits / 10) | 0;
      exponent++;
    }
    const count = shortDigitCount(digits);
    const point = count + exponent;
    if (point <= -6 || point > 21) {
      this.decimal(negative, decimal);
      return;
    }
    // A sign, "0." and five zeros, nine digits; or nine digits and up to twelve zeros.
    const bytes = this.reserve(24);
    let at = this.length;
    if (negative) bytes[at++] = MINUS;
    if (point >= count) {
      at = writeDigitsAt(bytes, at, digits, count);
      for (let k = count; k < point; k++) bytes[at++] = ZERO;
    } else if (point > 0) {
      const unit = INT32_POWERS_OF_TEN[count - point] as number;
      const whole = (digits / unit) | 0;
      at = writeDigitsAt(bytes, at, whole, point);
      bytes[at++] = 46;
      at = writeDigitsAt(bytes, at, digits - whole * unit, count - point);
    } else {
      bytes[at++] = ZERO;
      bytes[at++] = 46;
      for (let k = point; k < 0; k++) bytes[at++] = ZERO;
      at = writeDigitsAt(bytes, at, digits, count);
    }
    this.length = at;
  }

  /**
   * A finite number as `numberText` writes it (float32 values in their shortest form): safe integers and the
   * digits float32Digits or doubleDigits find are written here, and only the values they leave make a string.
   */
  finiteNumber(value: number, float32: boolean): void {
    if (Number.isSafeInteger(value)) {
      this.integer(value);
      return;
    }
    const magnitude = value < 0 ? -value : value;
    const found = float32
      ? !Number.isInteger(value) && float32Digits(magnitude, this.digits)
      : doubleDigits(magnitude, this.digits);
    if (!found) this.text(numberText(value, float32));
    else if (float32) this.shortDecimal(value < 0, this.digits);
    else this.decimal(value < 0, this.digits);
  }

  /** The bytes written since the last `take`; they stay valid until the next write. */
  take(): Uint8Array {
    const bytes = this.buffer.subarray(0, this.length);
    this.length = 0;
    return bytes;
  }

  /** The `count` digits of `digits`, with a decimal point after the first `point` of them when it is above 0. */
  private integerDigits(digits: number, count: number, point: number): void {
    const width = point > 0 ? count + 1 : count;
    const bytes = this.reserve(width);
    let at = this.length + width;
    // Eight digits at a time in 32-bit integers, whose division by ten is a multiplication: a double's division
    // per digit was most of the cost of writing a number.
    let rest = digits;
    for (let k = count; k > 0;) {
      let part: number;
      let partDigits: number;
      if (k > 8) {
        const upper = Math.floor(rest / 1e8);
        part = (rest - upper * 1e8) | 0;
        rest = upper;
        partDigits = 8;
      } else {
        part = rest | 0;
        partDigits = k;
      }
      for (const last = k - partDigits; k > last; k--) {
        if (k === point) bytes[--at] = 46;
        const next = (part / 10) | 0;
        bytes[--at] = ZERO + part - next * 10;
        part = next;
      }
    }
    this.length += width;
  }
}

function digitCount(value: number): number {
  let count = 1;
  for (let bound = 10; value >= bound && count < 16; bound *= 10) count++;
  return count;
}

const INT32_POWERS_OF_TEN = Int32Array.from({ length: 10 }, (_, k) => 10 ** k);
/** The ASCII digits of 00 to 99, two bytes each. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) =>
  i % 2 === 0 ? ZERO + Math.floor(i / 20) : ZERO + (((i - 1) / 2) % 10),
);

/** The number of digits of a positive int32. */
function shortDigitCount(value: number): number {
  let count = 1;
  while (count < 10 && value >= (INT32_POWERS_OF_TEN[count] as number)) count++;
  return count;
}

/** `value` (a non-negative int32 below 10^count) as exactly `count` digits, leading zeros kept; returns the end. */
function writeDigitsAt(bytes: Uint8Array, at: number, value: number, count: number): number {
  let end = at + count;
  let rest = value | 0;
  let left = count;
  for (; left >= 2; left -= 2) {
    const next = (rest / 100) | 0;
    const pair = (rest - next * 100) << 1;
    bytes[--end] = DIGIT_PAIRS[pair + 1] as number;
    bytes[--end] = DIGIT_PAIRS[pair] as number;
    rest = next;
  }
  if (left === 1) bytes[--end] = ZERO + rest;
  return at + count;
}

/** A DataView of exactly `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
