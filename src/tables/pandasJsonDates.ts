/**
 * read_json's conversion of columns named like dates (its `keep_default_dates`), for a model without a
 * signature: a column whose lower-cased name ends in `_at` or `_time`, starts with `timestamp`, or is
 * `modified`, `date` or `datetime` becomes datetime64 when its values read as dates (pandas 3.1's
 * `Parser._try_convert_to_date`):
 * - integers (or integer text, with no value missing) and floats all above 31,536,000 are epoch times in the
 *   first of seconds, milliseconds, microseconds and nanoseconds that keeps every value within datetime64[ns]
 *   (1677 to 2262); datetime64[us], or [ns] for nanoseconds or fractional floats;
 * - ISO 8601 text (a date, a time to the hour, minute, second or nanosecond, one offset or none for the whole
 *   column) is datetime64[us], or [ns] for more than six fraction digits; a non-date ("2020-02-30") or a mix of
 *   offsets keeps the column text;
 * - a column of nulls only is datetime64[s] of NaT.
 * Anything else that pandas may read as dates (dateutil's "Jan 5 2020" or "01/02/2020", "now", numeric text
 * beside a null, where dateutil reads "20200102" but not "12", numbers mixed with text) is refused with an error
 * naming the column and row, where a guess would hand the model a different frame.
 * Booleans, small numbers and text without digits are not dates, and are typed as any other column.
 */
import { FlowOpsError } from "../errors.js";
import type { DatetimeUnit, PandasColumnDtype } from "./pandasColumnDtype.js";
import { pythonInt } from "./pythonNumberText.js";
import type { CellValue } from "./tableChunk.js";

/** Epoch values at or below this (a year of seconds) are not dates to pandas (`Parser._MIN_STAMPS["s"]`). */
const MIN_STAMP = 31_536_000;
const NS_MAX = 2n ** 63n - 1n;
const NS_PER: readonly (readonly [string, bigint])[] = [
  ["s", 1_000_000_000n],
  ["ms", 1_000_000n],
  ["us", 1_000n],
  ["ns", 1n],
];
const ISO_TEXT =
  /^(\d{4})-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}:?\d{2})?)?)?$/;
/** Words pandas' to_datetime reads as dates though they hold no digit. */
const DATE_WORDS = new Set(["now", "today", "tomorrow", "yesterday"]);

export interface PandasDateCells {
  /** ISO 8601 text of each instant (naive where the offset is null), null for NaT. */
  values: (string | null)[];
  dtype: PandasColumnDtype & { kind: "datetime" };
}

/**
 * How read_json reads a date column, decided on all of its values (PandasDateProfile): all nulls (NaT), epoch
 * numbers in units of `nsPer` nanoseconds, or ISO 8601 text.
 */
export type PandasDateType =
  | { kind: "nulls"; dtype: PandasDateCells["dtype"] }
  | { kind: "epoch"; nsPer: bigint; dtype: PandasDateCells["dtype"] }
  | { kind: "iso"; dtype: PandasDateCells["dtype"] };

/** Whether read_json tries column `name` as dates (pandas' `_should_convert_dates` by default). */
export function isPandasDateName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.endsWith("_at") ||
    lower.endsWith("_time") ||
    lower.startsWith("timestamp") ||
    lower === "modified" ||
    lower === "date" ||
    lower === "datetime"
  );
}

/**
 * Column `name`'s cells (the first at row `firstRow`, counted from 1) as read_json's datetime64 column, or
 * undefined where pandas keeps the column as it types any other.
 */
export function pandasJsonDates(
  name: string,
  cells: readonly CellValue[],
  firstRow: number,
): PandasDateCells | undefined {
  const profile = new PandasDateProfile();
  cells.forEach((cell, r) => profile.observe(cell, firstRow + r));
  const type = profile.decide(name);
  return type === undefined ? undefined : pandasDateCells(type, cells);
}

/** The cells of part of a column whose values were all decided to read as `type` (PandasDateProfile). */
export function pandasDateCells(type: PandasDateType, cells: readonly CellValue[]): PandasDateCells {
  const values = cells.map((cell): string | null => {
    if (cell === null || type.kind === "nulls") return null;
    if (type.kind === "iso") {
      const match = ISO_TEXT.exec(String(cell));
      return match === null ? null : (isoParts(match)?.text ?? null);
    }
    const value = typeof cell === "string" ? pythonInt(cell) : cell;
    return typeof value === "boolean" || value === undefined
      ? null
      : isoInstant(nanoseconds(value, type.nsPer));
  });
  return { values, dtype: type.dtype };
}

/**
 * What pandas' date conversion needs to know of a column's values, taken one at a time in row order, so that
 * all of a file's rows decide it (a first pass over a JSON Lines file) without holding them.
 */
export class PandasDateProfile {
  private count = 0;
  private strings = 0;
  private others = 0;
  private hasNull = false;
  private hasBoolean = false;
  private integerText = false;
  /** Every value so far is null, a number or integer text: epochs, unless both a null and text come. */
  private epochs = true;
  private fractional = false;
  private min: number | bigint | undefined;
  private max: number | bigint | undefined;
  /** The first text that ends the ISO reading: "kept" (no date to pandas), or text not followed here. */
  private isoEnd: "kept" | { row: number; value: string } | undefined;
  private offset: number | null | undefined;
  private nanos = false;
  /** The first text that may be a date in a form not followed here, where numbers are mixed in. */
  private firstUnreadable: { row: number; value: string } | undefined;

  /** The cell at row `row` (from 1); a BigInt is an integer a double cannot hold. */
  observe(cell: CellValue | bigint, row: number): void {
    this.count++;
    if (cell === null) {
      this.hasNull = true;
      return;
    }
    if (typeof cell !== "string") {
      this.others++;
      if (typeof cell === "boolean") {
        this.hasBoolean = true;
        this.epochs = false;
      } else {
        if (typeof cell === "number" && !Number.isInteger(cell)) this.fractional = true;
        this.bound(cell);
      }
      return;
    }
    this.strings++;
    if (this.epochs) {
      const integer = pythonInt(cell);
      if (integer === undefined) this.epochs = false;
      else {
        this.integerText = true;
        this.bound(integer);
      }
    }
    if (this.firstUnreadable === undefined && !isPlainLabel(cell))
      this.firstUnreadable = { row, value: cell };
    if (this.isoEnd === undefined) this.isoText(cell, row);
  }

  /** The column's date type; undefined where pandas types it as any other; throws where not followed here. */
  decide(name: string): PandasDateType | undefined {
    if (this.count === 0) return undefined;
    if (this.strings === 0 && this.others === 0) {
      return { kind: "nulls", dtype: { kind: "datetime", unit: "s", utcOffsetMinutes: null } };
    }
    // pandas reads integer text as numbers only where no value is missing.
    if (this.epochs && !(this.hasNull && this.integerText)) return this.epochType();
    if (this.others === 0) {
      if (this.isoEnd === "kept") return undefined;
      if (this.isoEnd !== undefined) throw unreadableDates(name, this.isoEnd.row, this.isoEnd.value);
      return {
        kind: "iso",
        dtype: { kind: "datetime", unit: this.nanos ? "ns" : "us", utcOffsetMinutes: this.offset ?? null },
      };
    }
    // Booleans or labels among numbers fail every unit pandas tries, which then keeps the column as it is; text
    // with digits among numbers may parse, in ways not followed here.
    if (this.hasBoolean || this.firstUnreadable === undefined) return undefined;
    throw unreadableDates(name, this.firstUnreadable.row, this.firstUnreadable.value);
  }

  private bound(value: number | bigint): void {
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
  }

  private epochType(): PandasDateType | undefined {
    const { min, max } = this;
    if (min === undefined || max === undefined || !(min > MIN_STAMP)) return undefined;
    // Every value is above MIN_STAMP, where nanoseconds() grows with the value: the largest decides the unit.
    for (const [unit, nsPer] of NS_PER) {
      if (nanoseconds(max, nsPer) > NS_MAX) continue;
      const resolution: DatetimeUnit = unit === "ns" || this.fractional ? "ns" : "us";
      return { kind: "epoch", nsPer, dtype: { kind: "datetime", unit: resolution, utcOffsetMinutes: null } };
    }
    // Beyond int64 in every unit: pandas then keeps the numbers (uint64 or float64).
    return undefined;
  }

  private isoText(cell: string, row: number): void {
    const match = ISO_TEXT.exec(cell);
    if (match === null) {
      // Text without a digit (a label) fails every parse pandas tries, so the column stays text.
      this.isoEnd = isPlainLabel(cell) ? "kept" : { row, value: cell };
      return;
    }
    const parsed = isoParts(match);
    if (parsed === undefined || (this.offset !== undefined && this.offset !== parsed.offset)) {
      this.isoEnd = "kept";
      return;
    }
    this.offset = parsed.offset;
    this.nanos ||= parsed.nanos;
  }
}

/** `value` units of `nsPer` nanoseconds, as pandas' cast_from_unit rounds a float's fraction. */
function nanoseconds(value: number | bigint, nsPer: bigint): bigint {
  if (typeof value === "bigint") return value * nsPer;
  const whole = Math.trunc(value);
  return BigInt(whole) * nsPer + BigInt(Math.round((value - whole) * Number(nsPer)));
}

/** Nanoseconds since the epoch as naive ISO 8601 text with nine fraction digits. */
function isoInstant(ns: bigint): string {
  let seconds = ns / 1_000_000_000n;
  let fraction = ns % 1_000_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000_000n;
  }
  const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${date}.${fraction.toString().padStart(9, "0")}`;
}

/** A matched ISO text as canonical text, its offset in minutes (null: naive), and whether it needs ns. */
function isoParts(
  match: RegExpExecArray,
): { text: string; offset: number | null; nanos: boolean } | undefined {
  const [, year, month, day = "01", hour = "00", minute = "00", second = "00", fraction = "", zone] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  if (monthDays === undefined || d < 1 || d > monthDays) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  let offset: number | null = null;
  if (zone !== undefined) {
    const digits = zone.replace(":", "");
    offset = /^z$/i.test(zone)
      ? 0
      : (zone.startsWith("-") ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3)));
  }
  const suffix = offset === null ? "" : `${offset < 0 ? "-" : "+"}${hhmm(Math.abs(offset))}`;
  const text = `${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(9, "0")}${suffix}`;
  return { text, offset, nanos: fraction.length > 6 };
}

function hhmm(minutes: number): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** Text pandas cannot read as a date: no digit, and none of the words to_datetime knows. */
function isPlainLabel(text: string): boolean {
  return !/\d/.test(text) && !DATE_WORDS.has(text.trim().toLowerCase());
}

function unreadableDates(name: string, row: number, value: string): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `column '${name}' row ${row}: ${JSON.stringify(value)} is not ISO 8601 or epoch time, and pandas.read_json ` +
      `converts a column named like a date in ways FlowOps does not follow; write ISO 8601 dates, rename the ` +
      `column, or log the model with a signature`,
  );
}
