/**
 * Float column values as pandas writes them, for the CSV and JSON Lines writers. A float column's whole values
 * keep a decimal point there (`1.0`): written as `1`, a reader (pandas included) reads an all-whole column back
 * as int64, so the output would not read back as what MLflow's batch scoring writes.
 *
 * `to_csv` writes numpy's repr: the shortest digits that read back (a float32's own, `0.3` not
 * `0.30000001192092896`), positional from 1e-4 up to 1e16 (float32: up to 1e6), exponential outside with at
 * least two exponent digits (`1e-05`, `1e+16`, float32 `1.2345679e+08`). `to_json` writes whole floats with
 * `.0` too. It rounds every float to 10 digits (`double_precision=10`: 0.1f as `0.1000000015`) and writes
 * -0.0 as `0.0`; we keep the shortest digits that read back and the sign, so nothing is lost, and keep
 * `String`'s notation otherwise (exponential below 1e-6 and from 1e21), which any JSON reader reads as a float.
 * Non-finite values are the writers' own business; this is for finite ones.
 */

import type { ByteBuilder } from "./byteBuilder.js";
import { doubleDigits } from "./doubleDecimal.js";
import { float32Digits, type DecimalDigits } from "./float32Decimal.js";
import { float32TextBySearch } from "./tableWriter.js";

const ZERO = 48;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
const LOWER_E = 101;

/** numpy's repr is positional from 1e-4 up to this: 1e16 for float64 (Python's repr), 1e6 for float32. */
const POSITIONAL_LIMIT = 1e16;
const FLOAT32_POSITIONAL_LIMIT = 1e6;
/** From here `String` writes an exponent, which reads as a float without a point. */
const STRING_EXPONENT = 1e21;

/**
 * The rows whose value `csv` writes otherwise than `String` (`numberText` for float32): whole values, and values
 * outside 1e-4 up to 1e16 (float32: 1e6). A writer that copies number text finds them once per batch in this
 * tight loop and compares each row with the next of them: checking each value in its row loop instead made
 * writing CSV ~25 % slower.
 */
export function csvFloatRowsToFormat(values: Float64Array | Float32Array, float32: boolean): Int32Array {
  const limit = float32 ? FLOAT32_POSITIONAL_LIMIT : POSITIONAL_LIMIT;
  const rows = new RowList();
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    // Math.abs, not a test of the sign: a branch on random signs, mispredicted half the time, made this loop
    // four times slower.
    const magnitude = Math.abs(value);
    if (magnitude < 1e-4 || magnitude >= limit || Math.floor(value) === value) rows.push(i);
  }
  return rows.take(values.length);
}

/** The rows whose value is whole, which `json` writes otherwise than `String` (see csvFloatRowsToFormat). */
export function wholeFloatRows(values: Float64Array | Float32Array): Int32Array {
  const rows = new RowList();
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (Math.floor(value) === value) rows.push(i);
  }
  return rows.take(values.length);
}

/** A growing list of row numbers (few, mostly: the loops above call no function for the others). */
class RowList {
  private rows = new Int32Array(16);
  private count = 0;

  push(row: number): void {
    if (this.count === this.rows.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.count++] = row;
  }

  /**
   * The rows, then `end` (no row): a reader comparing rows with the next of these never reads past the array, a
   * read that V8 makes slow (~2 ns a value: a tenth of writing a CSV of float32 number text).
   */
  take(end: number): Int32Array {
    this.push(end);
    return this.rows.subarray(0, this.count);
  }
}

/** Writes float column values into a ByteBuilder in pandas' forms (see the module comment). */
export class PandasFloatText {
  private readonly digits: DecimalDigits = { digits: 0, exponent: 0 };

  constructor(private readonly bytes: ByteBuilder) {}

  /** A finite value as `to_csv` writes it: numpy's repr of a float64, or of a float32 when `float32`. */
  csv(value: number, float32: boolean): void {
    const bytes = this.bytes;
    const magnitude = Math.abs(value);
    if (magnitude >= 1e-4 && magnitude < (float32 ? FLOAT32_POSITIONAL_LIMIT : POSITIONAL_LIMIT)) {
      if (Number.isInteger(value)) {
        // Below 1e16 `integer`'s eight-digit steps are exact, even past 2^53.
        bytes.integer(value);
        bytes.byte(DOT);
        bytes.byte(ZERO);
      } else {
        bytes.finiteNumber(value, float32);
      }
      return;
    }
    if (magnitude === 0) {
      bytes.text(Object.is(value, -0) ? "-0.0" : "0.0");
      return;
    }
    const digits = this.digits;
    const found = float32 ? float32Digits(magnitude, digits) : doubleDigits(magnitude, digits);
    if (found) {
      this.exponential(value < 0, digits.digits, digits.exponent);
      return;
    }
    // Rare (17-digit doubles, float32 values the arithmetic declines): the digits from strings.
    const shortest = float32 ? Number(float32TextBySearch(value)) : value;
    const text = shortest.toExponential();
    const sign = text.indexOf("e") + 1;
    bytes.text(text.length === sign + 2 ? `${text.slice(0, sign + 1)}0${text.slice(sign + 1)}` : text);
  }

  /** A finite value as `to_json` writes a float, but with every digit kept (see the module comment). */
  json(value: number, float32: boolean): void {
    const bytes = this.bytes;
    const magnitude = Math.abs(value);
    if (!Number.isInteger(value) || magnitude >= STRING_EXPONENT) {
      bytes.finiteNumber(value, float32);
      return;
    }
    if (magnitude < POSITIONAL_LIMIT) {
      if (Object.is(value, -0)) bytes.byte(MINUS);
      bytes.integer(value);
    } else {
      bytes.text(String(value));
    }
    bytes.byte(DOT);
    bytes.byte(ZERO);
  }

  /** `digits * 10^exponent` (digits a positive integer below 2^53) as numpy's `d.ddde±XX`, trailing zeros off. */
  private exponential(negative: boolean, digits: number, exponent: number): void {
    while (digits % 10 === 0) {
      digits /= 10;
      exponent++;
    }
    let scale = 1;
    let count = 1;
    while (scale * 10 <= digits) {
      scale *= 10;
      count++;
    }
    const bytes = this.bytes;
    if (negative) bytes.byte(MINUS);
    // Powers of ten below 2^53 are exact doubles, and so is each step down by ten: every digit is exact.
    let rest = digits;
    for (let k = 0; k < count; k++, scale /= 10) {
      const digit = Math.floor(rest / scale);
      bytes.byte(ZERO + digit);
      if (k === 0 && count > 1) bytes.byte(DOT);
      rest -= digit * scale;
    }
    const power = exponent + count - 1;
    bytes.byte(LOWER_E);
    bytes.byte(power < 0 ? MINUS : PLUS);
    const magnitude = power < 0 ? -power : power;
    if (magnitude < 10) bytes.byte(ZERO);
    bytes.integer(magnitude);
  }
}
