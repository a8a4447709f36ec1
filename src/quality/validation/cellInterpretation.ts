/**
 * How one cell is read by the expectations. CSV and TSV give text, so numbers, booleans and timestamps are
 * inferred per value; JSON Lines and Parquet give typed values, so their JavaScript type is what counts
 * (the string "5" in a JSON Lines file is a string, not an int). Missing means null, or NaN in a typed
 * column (pandas' isnull); the reader already turns an empty CSV field into null.
 */
import type { CellValue } from "../../tables/tableChunk.js";
import { parseIsoTimestamp } from "./isoTimestamp.js";

/** The value types `expect_column_values_to_be_of_type` accepts as `type_`. */
export const VALUE_TYPES = ["int", "float", "str", "bool", "datetime"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Whether the source gives text (CSV, TSV) that must be interpreted, or typed values. */
export type CellEncoding = "text" | "typed";

export function cellEncoding(format: string): CellEncoding {
  return format === "csv" || format === "tsv" ? "text" : "typed";
}

export type PresentValue = Exclude<CellValue, null>;

export function isMissing(value: CellValue): value is null {
  return value === null || (typeof value === "number" && Number.isNaN(value));
}

const INTEGER_TEXT = /^[+-]?\d+$/;
// Decimal notation only: `Number` alone would also read "0x10" and "0b1" as numbers, which pandas does not.
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** "0x10", "0b1", "0o7": read by Number() but not by pandas. */
const NON_DECIMAL_PREFIX = /^\s*0[xXbBoO]/;
const INFINITY_TEXT = /^[+-]?(inf|infinity)$/i;
const BOOLEAN_TEXT = new Set(["true", "false", "True", "False"]);

/** The number a cell holds, or undefined when it is not numeric (booleans are not numbers here). */
export function numericValue(value: PresentValue, encoding: CellEncoding): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || encoding === "typed") return undefined;
  // Number() is the fast path; it also accepts a few non-decimal spellings, which are refused after it.
  const parsed = Number(value);
  if (Number.isNaN(parsed)) {
    return INFINITY_TEXT.test(value.trim())
      ? value.trim().startsWith("-")
        ? -Infinity
        : Infinity
      : undefined;
  }
  if (Number.isFinite(parsed) && parsed !== 0) {
    return NON_DECIMAL_PREFIX.test(value) ? undefined : parsed;
  }
  return DECIMAL_TEXT.test(value.trim()) || INFINITY_TEXT.test(value.trim()) ? parsed : undefined;
}

/** Milliseconds since the epoch for an ISO 8601 string; other values are not timestamps. */
export function timestampValue(value: PresentValue): number | undefined {
  return typeof value === "string" ? parseIsoTimestamp(value) : undefined;
}

export function isOfType(value: PresentValue, type: ValueType, encoding: CellEncoding): boolean {
  switch (type) {
    case "int":
      if (typeof value === "number") return Number.isInteger(value);
      return encoding === "text" && typeof value === "string" && INTEGER_TEXT.test(value.trim());
    case "float": {
      if (typeof value === "number") return Number.isFinite(value);
      const parsed = typeof value === "string" ? numericValue(value, encoding) : undefined;
      return parsed !== undefined && Number.isFinite(parsed);
    }
    case "str":
      // Every CSV field is text, so `str` accepts any present CSV value.
      return typeof value === "string";
    case "bool":
      if (typeof value === "boolean") return true;
      return encoding === "text" && typeof value === "string" && BOOLEAN_TEXT.has(value.trim());
    case "datetime":
      return timestampValue(value) !== undefined;
  }
}

/** A boolean's spellings in CSV text, for set membership. */
export function booleanText(value: string): boolean | undefined {
  const trimmed = value.trim();
  if (trimmed === "true" || trimmed === "True") return true;
  if (trimmed === "false" || trimmed === "False") return false;
  return undefined;
}
