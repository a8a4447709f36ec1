/**
 * Reading a column as numbers or as labels, the two ways quality checks consume a table. Text is parsed as
 * pandas.read_csv would read a float column: decimal or scientific notation with optional sign and surrounding
 * spaces; pandas' default missing-value markers ("", "NA", "NaN", "nan", "null", "N/A", ...) are missing; "inf",
 * "-inf", "Infinity" are infinite. Missing and infinite values are errors unless the caller allows them, so a
 * metric is never computed over values nobody meant to include.
 */

import { FlowOpsError } from "../errors.js";
import { hasTypedColumns, type NumericArray } from "./columnarTableChunk.js";
import { cellText, hasPlainNumbers, hasTextCells, type TextCells } from "./csvChunk.js";
import { readDecimalSpan } from "./decimalText.js";
import type { CellValue, TableChunk } from "./tableChunk.js";

/** pandas' default `na_values` (pandas/_libs/parsers.pyx STR_NA_VALUES), plus the empty field. */
export const PANDAS_NA_VALUES: ReadonlySet<string> = new Set([
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "-nan",
  "1.#IND",
  "1.#QNAN",
  "<NA>",
  "N/A",
  "NA",
  "NULL",
  "NaN",
  "None",
  "n/a",
  "nan",
  "null",
]);

const INFINITY_TEXT = /^\s*([+-])?(inf|infinity)\s*$/i;

export interface NumericColumnOptions {
  /** Missing values become NaN instead of an error. */
  allowMissing?: boolean;
  /** Infinite values are kept instead of an error. */
  allowInfinite?: boolean;
  /** Said after a refused missing value, to tell the reader why the caller could not take it. */
  missingNote?: string;
}

/** Parses a column to float64; errors name the column and `chunk.describeRow(row)`. */
export function numericColumn(
  chunk: TableChunk,
  name: string,
  options: NumericColumnOptions = {},
): Float64Array {
  const typed = hasTypedColumns(chunk) ? chunk.typedColumn(name) : undefined;
  if (typed !== undefined) return numbersFromTyped(chunk, name, typed, options);
  const parsed = hasPlainNumbers(chunk) ? chunk.plainNumbers(name) : undefined;
  if (parsed !== undefined) return new Float64Array(parsed);
  const cells = hasTextCells(chunk) ? chunk.textCells(name) : undefined;
  if (cells !== undefined) return numbersFromText(chunk, name, cells, options);
  const values = chunk.column(name);
  const result = new Float64Array(chunk.rowCount);
  for (let index = 0; index < values.length; index++) {
    result[index] = cellNumber(chunk, name, index, values[index] as CellValue, options);
  }
  return result;
}

/**
 * Columns of one CSV chunk as numbers, each when every cell of it is a plain decimal (readDecimalSpan: the
 * number numericColumn gives that cell), else undefined from its first cell that is not; every other cell, and
 * every error, is left to numericColumn. Batch inference reads its CSV features with this, on the reading
 * thread or its own. The cells are read row by row, in the order the parser stored them: column by column at a
 * stride of a row was ~30 % slower.
 */
export function plainDecimalColumns(columns: readonly TextCells[]): (Float64Array | undefined)[] {
  const head = columns[0];
  if (head === undefined) return [];
  if (columns.some((cells) => cells.spans !== head.spans)) {
    return columns.map((cells) => plainDecimalColumns([cells])[0]);
  }
  const { spans, stride, texts, textOfRow, rowCount } = head;
  const firsts = Int32Array.from(columns, (cells) => cells.first);
  const results: (Float64Array | undefined)[] = columns.map(() => new Float64Array(rowCount));
  let live = columns.length;
  for (let row = 0; row < rowCount && live > 0; row++) {
    const text = texts[textOfRow[row] as number] as string;
    const base = row * stride;
    for (let c = 0; c < firsts.length; c++) {
      const out = results[c];
      if (out === undefined) continue;
      const pair = base + (firsts[c] as number);
      const start = spans[pair] as number;
      const end = spans[pair + 1] as number;
      const value = start >= 0 && start < end ? readDecimalSpan(text, start, end) : undefined;
      if (value === undefined) {
        results[c] = undefined;
        live--;
      } else {
        out[row] = value;
      }
    }
  }
  return results;
}

/** The typed-array path: one copy; only NaN and infinities go through the cell checks that may reject them. */
function numbersFromTyped(
  chunk: TableChunk,
  name: string,
  typed: NumericArray,
  options: NumericColumnOptions,
): Float64Array {
  const result = new Float64Array(typed);
  for (let row = 0; row < result.length; row++) {
    const value = result[row] as number;
    if (value - value !== 0) cellNumber(chunk, name, row, value, options);
  }
  return result;
}

/** The CSV path: plain decimals are read from the text; only other cells become strings. */
function numbersFromText(
  chunk: TableChunk,
  name: string,
  cells: TextCells,
  options: NumericColumnOptions,
): Float64Array {
  const { texts, textOfRow, spans, stride } = cells;
  const result = new Float64Array(chunk.rowCount);
  for (let row = 0, at = cells.first; row < result.length; row++, at += stride) {
    const start = spans[at] as number;
    const end = spans[at + 1] as number;
    const fast =
      start >= 0 && start < end
        ? readDecimalSpan(texts[textOfRow[row] as number] as string, start, end)
        : undefined;
    result[row] = fast ?? cellNumber(chunk, name, row, cellText(cells, row), options);
  }
  return result;
}

function cellNumber(
  chunk: TableChunk,
  name: string,
  index: number,
  value: CellValue,
  options: NumericColumnOptions,
): number {
  let number: number;
  if (typeof value === "string") {
    number = +value;
    // `+` accepts blank text (as 0) and hex/octal/binary literals, which pandas does not: check those aside.
    if (
      number - number !== 0 ||
      (number === 0 && !(value.charCodeAt(0) > 32)) ||
      (value.charCodeAt(0) === 48 && value.length > 2 && isLetter(value.charCodeAt(1)))
    ) {
      number = parseNumericText(value, number);
    }
  } else if (typeof value === "number") {
    number = value;
  } else if (typeof value === "boolean") {
    number = value ? 1 : 0;
  } else {
    number = Number.NaN;
  }
  if (number - number !== 0) {
    if (number !== number) {
      if (!isMissing(value)) throw cellError(chunk, name, index, `${quoted(value)} is not a number`);
      if (options.allowMissing !== true) {
        const note = options.missingNote === undefined ? "" : ` (${options.missingNote})`;
        throw cellError(chunk, name, index, `missing value ${missingText(value)}${note}`);
      }
    } else if (options.allowInfinite !== true) {
      throw cellError(chunk, name, index, `${quoted(value)} is infinite`);
    }
  }
  return number;
}

/** Label values as strings (numbers as JS String(n), so 1.0 -> "1"); null stays null. */
export function labelColumn(chunk: TableChunk, name: string): readonly (string | null)[] {
  const values = chunk.column(name);
  const labels = new Array<string | null>(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    labels[index] =
      value === null || value === undefined ? null : typeof value === "string" ? value : String(value);
  }
  return labels;
}

/**
 * The slow path for text that `+value` did not turn into a plain finite number, or that may be blank or a
 * JavaScript literal: tells missing markers, infinities, blank text and JavaScript-only forms (hex, octal, binary
 * literals) apart. Returns NaN for missing or invalid text (the caller tells them apart with `isMissing`) and
 * +-Infinity for infinite.
 */
function parseNumericText(text: string, number: number): number {
  if (PANDAS_NA_VALUES.has(text) || text.trim() === "") return Number.NaN;
  const infinity = INFINITY_TEXT.exec(text);
  if (infinity !== null) return infinity[1] === "-" ? -Infinity : Infinity;
  if (/^\s*0[xXoObB]/.test(text)) return Number.NaN;
  return number;
}

function isLetter(code: number): boolean {
  return (code | 32) >= 97 && (code | 32) <= 122;
}

function isMissing(value: CellValue): boolean {
  if (value === null) return true;
  if (typeof value === "number") return Number.isNaN(value);
  if (typeof value === "string") return PANDAS_NA_VALUES.has(value) || value.trim() === "";
  return false;
}

/** A missing cell as error messages show it: its marker quoted, or "(empty)" for an empty cell or null. */
export function missingText(value: CellValue | undefined): string {
  return value === null || value === undefined ? "(empty)" : quoted(value);
}

function quoted(value: CellValue): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}

function cellError(chunk: TableChunk, name: string, index: number, problem: string): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `column ${name}, ${chunk.describeRow(chunk.startRow + index)}: ${problem}`,
  );
}
