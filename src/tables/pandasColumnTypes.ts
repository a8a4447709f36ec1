/**
 * Table columns typed as pandas would type them, for writers that keep types (JSON Lines, Parquet), so that a
 * column copied from the input comes out as `pandas.read_csv` or `pandas.read_json(lines=True)` would have read
 * it. CSV text: a column whose cells are all integers is int64, one whose cells are all numbers (missing
 * markers allowed) float64, anything else text; pandas' NA markers are missing (null) throughout. JSON Lines
 * numbers: a column of integers without nulls is int64. Writers of text copy CSV cells verbatim instead.
 *
 * Typing goes by the cells of one chunk, where pandas sees the whole file; the Parquet writer joins the parts'
 * types afterwards (int64 and float64 to float64, numbers and text to text: parquetColumnTypes.ts).
 */

import type { TextCells } from "./csvChunk.js";
import { cellText } from "./csvChunk.js";
import { readDecimalSpan } from "./decimalText.js";
import { int64Words } from "./int64Words.js";
import { PANDAS_NA_VALUES } from "./numericColumn.js";
import type { CellValue } from "./tableChunk.js";
import type { WriterColumn } from "./tableWriter.js";

/** What the C parser of pandas reads as a float: decimal or scientific notation, or inf/infinity. */
const FLOAT_TEXT = /^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity)\s*$/i;
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const TWO_32 = 4294967296;

/**
 * A CSV column as pandas types it: BigInt64Array (int64), Float64Array (float64 without missing values),
 * numbers and nulls (float64 with missing values), or text and nulls. With `missingAsNaN`, float64 with missing
 * values is a Float64Array too, NaN for missing, as pandas holds it: writers of text then write its whole
 * values as floats (`2.0`) and NaN as missing, where a Parquet writer would write NaN, not null.
 */
export function pandasCsvColumn(cells: TextCells, missingAsNaN = false): WriterColumn {
  const { texts, textOfRow, spans, stride, rowCount } = cells;
  const numbers = new Float64Array(rowCount);
  let integers = true;
  let exact = true;
  let missing = 0;
  for (let row = 0, at = cells.first; row < rowCount; row++, at += stride) {
    const start = spans[at] as number;
    const end = spans[at + 1] as number;
    let value: number | undefined;
    // Plain decimals are read from the text, without a string per cell; only the rest are sliced.
    if (start >= 0 && start < end) {
      const text = texts[textOfRow[row] as number] as string;
      value = readDecimalSpan(text, start, end);
      if (value !== undefined && integers) {
        // An int64 column's cells past 15 digits may not fit a double: the slow path reads them exactly.
        if (!isIntegerSpan(text, start, end)) integers = false;
        else if (value >= 1e15 || value <= -1e15) value = undefined;
      }
    }
    if (value === undefined) {
      const text = cellText(cells, row);
      if (text === null || PANDAS_NA_VALUES.has(text)) {
        missing++;
        value = Number.NaN;
      } else if (INTEGER_TEXT.test(text)) {
        const big = BigInt(text.trim());
        if (big < INT64_MIN || big > INT64_MAX) return textColumn(cells);
        value = Number(big);
        if (!Number.isSafeInteger(value)) exact = false;
      } else if (FLOAT_TEXT.test(text)) {
        value = Number(floatText(text));
        integers = false;
      } else {
        return textColumn(cells);
      }
    }
    numbers[row] = value;
  }
  if (rowCount > 0 && missing === rowCount) return new Array<CellValue>(rowCount).fill(null);
  if (missing > 0 && !missingAsNaN) return Array.from(numbers, (value) => (value === value ? value : null));
  if (missing > 0) return numbers;
  if (!integers) return numbers;
  return exact ? int64FromSafe(numbers) : int64FromText(cells);
}

/**
 * A JSON Lines column as pandas types it where that differs from its cells: numbers that are all integers
 * (2.0 included: JSON.parse gives 2 for both, and pandas makes such a column int64 too), with no null, as int64.
 * Undefined leaves the cells as they are.
 */
export function pandasJsonColumn(values: readonly CellValue[]): BigInt64Array | undefined {
  if (values.length === 0) return undefined;
  for (const value of values) {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) return undefined;
  }
  return int64FromSafe(values as readonly number[]);
}

/**
 * A JSON Lines column of numbers and nulls (at least one of each) as the float64 pandas reads it, NaN for null,
 * for writers of text, which then write its whole values as floats (`2.0`) and NaN as missing; else undefined.
 */
export function pandasJsonFloatColumn(values: readonly CellValue[]): Float64Array | undefined {
  let numbers = false;
  let nulls = false;
  for (const value of values) {
    if (value === null) nulls = true;
    else if (typeof value === "number") numbers = true;
    else return undefined;
  }
  if (!numbers || !nulls) return undefined;
  return Float64Array.from(values, (value) => (value === null ? Number.NaN : (value as number)));
}

/** True when the span is an optional sign and digits only (readDecimalSpan already checked the rest). */
function isIntegerSpan(text: string, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code === 46 || (code | 32) === 101) return false;
  }
  return true;
}

/** pandas spells the infinities "inf" and "infinity" in any case; JavaScript's Number takes only "Infinity". */
function floatText(text: string): string {
  const trimmed = text.trim();
  const bare = trimmed.replace(/^[+-]/, "").toLowerCase();
  if (bare !== "inf" && bare !== "infinity") return trimmed;
  return trimmed.startsWith("-") ? "-Infinity" : "Infinity";
}

/** Safe integers as int64, written as two 32-bit words each where the machine allows, so no BigInt per value. */
function int64FromSafe(values: ArrayLike<number>): BigInt64Array {
  const result = new BigInt64Array(values.length);
  const words = int64Words(result);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (words === undefined) {
      result[i] = BigInt(value);
      continue;
    }
    const high = Math.floor(value / TWO_32);
    words[2 * i] = value - high * TWO_32;
    words[2 * i + 1] = high;
  }
  return result;
}

/** Integers beyond 2^53 from their text, exactly. */
function int64FromText(cells: TextCells): BigInt64Array {
  const result = new BigInt64Array(cells.rowCount);
  for (let row = 0; row < cells.rowCount; row++) result[row] = BigInt((cellText(cells, row) ?? "0").trim());
  return result;
}

/** The cells as text, with pandas' NA markers (and empty cells) as null. */
function textColumn(cells: TextCells): CellValue[] {
  const values = new Array<CellValue>(cells.rowCount);
  for (let row = 0; row < cells.rowCount; row++) {
    const text = cellText(cells, row);
    values[row] = text === null || PANDAS_NA_VALUES.has(text) ? null : text;
  }
  return values;
}
