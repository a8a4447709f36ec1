/**
 * Stored Parquet values (parquetStoredColumns.ts) as the text pandas writes for them after `pd.read_parquet`,
 * for the writers of text. `to_csv`: timestamps as "2024-01-01 10:00:00.123456" with as many fraction digits as
 * the column needs (0, 3, 6 or 9) and "+00:00" when they are UTC, a naive column of midnights as its dates,
 * dates as "2024-01-02", times of day as Python's `time.isoformat()` ("12:34:56", "12:34:56.789000"), decimals
 * as Python's `str(Decimal)` ("1E-10"). `to_json` (JSON Lines): timestamps as with `date_format="iso"` at the
 * column's own unit, so nothing is cut (pandas' default, epoch milliseconds, drops microseconds, and pandas is
 * moving that default to ISO), with "Z" only when they are UTC; times of day as in CSV; decimals as text in
 * fixed point ("0.0000000001"), as pandas 3 writes Decimal objects (`format(d, "f")`). Integers stay exact: a
 * cell is a number where it is a safe integer, else its digits. pandas needs the whole column for its choices;
 * here they are made per batch.
 */

import type { SchemaElement } from "hyparquet-writer";

import {
  isDecimal,
  isUtcTimestamp,
  timeOfDayUnit,
  timeUnit,
  type StoredValue,
  type TimestampUnit,
} from "./parquetStoredColumns.js";
import type { CellValue } from "./tableChunk.js";
import type { WriterColumn } from "./tableWriter.js";

const NANOS_PER: Record<Exclude<TimestampUnit, "DAYS">, bigint> = {
  MILLIS: 1_000_000n,
  MICROS: 1_000n,
  NANOS: 1n,
};
const UNIT_DIGITS: Record<TimestampUnit, number> = { DAYS: 3, MILLIS: 3, MICROS: 6, NANOS: 9 };
const NANOS_PER_DAY = 86_400_000_000_000n;

/**
 * A stored column as the cells a reader gives (`TableChunk.column`): numbers where they are safe integers or
 * doubles, else exact digits; dates and timestamps as ISO 8601 text in milliseconds with "Z"; decimals as the
 * nearest double.
 */
export function storedCells(element: SchemaElement, values: ArrayLike<StoredValue>): CellValue[] {
  const cells = new Array<CellValue>(values.length);
  const unit = timeUnit(element);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as StoredValue;
    if (value === null || typeof value === "boolean" || typeof value === "string") cells[i] = value;
    else if (unit !== undefined) cells[i] = `${timestampText(BigInt(value), unit, "T", 3)}Z`;
    else if (isDecimal(element)) cells[i] = Number(decimalText(BigInt(value), element.scale ?? 0));
    else if (typeof value === "number") cells[i] = value;
    else cells[i] = Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  return cells;
}

/** Whether pandas writes a stored column's values as other text than their numbers (see the module comment). */
export function hasPandasText(element: SchemaElement): boolean {
  return timeUnit(element) !== undefined || timeOfDayUnit(element) !== undefined || isDecimal(element);
}

/**
 * A stored FLOAT or DOUBLE column as the float array pandas holds, NaN for null (a column with nulls is held as
 * stored values), so that a writer of text writes its values as pandas' floats (`1.0`); else undefined. pandas
 * also reads an integer column holding a null as float64 (`1.0`), but decides that on the whole file, which a
 * batch cannot; such a column stays integers here (its readers take it as float64 anyway, for the null).
 */
export function pandasFloatColumn(
  element: SchemaElement,
  values: WriterColumn | ArrayLike<StoredValue>,
): Float32Array | Float64Array | undefined {
  if (values instanceof Float32Array || values instanceof Float64Array) return values;
  const { type } = element;
  if ((type !== "FLOAT" && type !== "DOUBLE") || hasPandasText(element) || ArrayBuffer.isView(values)) {
    return undefined;
  }
  const cells = values as ArrayLike<StoredValue>;
  const floats = type === "FLOAT" ? new Float32Array(cells.length) : new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i];
    floats[i] = typeof value === "number" ? value : Number.NaN;
  }
  return floats;
}

/** A stored column as pandas' `to_csv` writes it (see the module comment). */
export function pandasCsvCells(element: SchemaElement, values: ArrayLike<StoredValue>): CellValue[] {
  const unit = timeUnit(element);
  if (unit === "DAYS") return mapValues(values, (value) => timestampText(BigInt(value), unit, " ", -1));
  if (unit !== undefined) {
    const utc = isUtcTimestamp(element);
    const digits = neededDigits(values, unit, !utc);
    const suffix = utc ? "+00:00" : "";
    return mapValues(values, (value) => `${timestampText(BigInt(value), unit, " ", digits)}${suffix}`);
  }
  return plainCells(element, values, pythonDecimalText);
}

/** A stored column as pandas' `to_json(orient="records", lines=True, date_format="iso")` writes it. */
export function pandasJsonCells(element: SchemaElement, values: ArrayLike<StoredValue>): CellValue[] {
  const unit = timeUnit(element);
  if (unit !== undefined) {
    const suffix = isUtcTimestamp(element) ? "Z" : "";
    const digits = UNIT_DIGITS[unit];
    return mapValues(values, (value) => `${timestampText(BigInt(value), unit, "T", digits)}${suffix}`);
  }
  return plainCells(element, values, decimalText);
}

/**
 * A timestamp in `unit` (days for DAYS) as "YYYY-MM-DD<separator>HH:MM:SS" with `digits` fraction digits
 * (cut, not rounded; -1: the date alone), in the proleptic Gregorian calendar, for any year.
 */
export function timestampText(value: bigint, unit: TimestampUnit, separator: string, digits: number): string {
  const nanos = unit === "DAYS" ? value * NANOS_PER_DAY : value * NANOS_PER[unit];
  const days = floorDivide(nanos, NANOS_PER_DAY);
  const date = civilDate(Number(days));
  if (digits < 0) return date;
  const ofDay = nanos - days * NANOS_PER_DAY;
  const seconds = Number(ofDay / 1_000_000_000n);
  const time = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
  const fraction = String(ofDay % 1_000_000_000n)
    .padStart(9, "0")
    .slice(0, digits);
  return `${date}${separator}${time}${digits > 0 ? `.${fraction}` : ""}`;
}

/** An unscaled decimal as exact fixed-point text: 123 at scale 2 is "1.23". */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return `${negative ? "-" : ""}${digits}${"0".repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, "0");
  const point = padded.length - scale;
  return `${negative ? "-" : ""}${padded.slice(0, point)}.${padded.slice(point)}`;
}

/** An unscaled decimal as Python's `str(Decimal)` writes it: fixed point, or "1E-7" for small or scaled-up values. */
export function pythonDecimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const adjusted = -scale + digits.length - 1;
  if (scale >= 0 && adjusted >= -6) return decimalText(unscaled, scale);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${negative ? "-" : ""}${mantissa}E${adjusted >= 0 ? "+" : ""}${adjusted}`;
}

/**
 * A time of day (units since midnight) as Python's `time.isoformat()` writes the `datetime.time` pyarrow
 * gives pandas: "HH:MM:SS", with ".ffffff" only when the microseconds are not zero. pandas cannot read a
 * nanosecond time that has more than microseconds at all (pyarrow: "has non-zero nanoseconds"); such a value
 * is written with its nine digits rather than cut.
 */
export function timeOfDayText(value: bigint, unit: Exclude<TimestampUnit, "DAYS">): string {
  const nanos = value * NANOS_PER[unit];
  const seconds = floorDivide(nanos, 1_000_000_000n);
  const fraction = nanos - seconds * 1_000_000_000n;
  const time = [seconds / 3600n, (seconds / 60n) % 60n, seconds % 60n]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
  if (fraction === 0n) return time;
  const digits = fraction % 1_000n === 0n ? 6 : 9;
  return `${time}.${String(fraction).padStart(9, "0").slice(0, digits)}`;
}

/** Times of day, integers, decimals (in `decimal`'s form) and the rest. */
function plainCells(
  element: SchemaElement,
  values: ArrayLike<StoredValue>,
  decimal: (unscaled: bigint, scale: number) => string,
): CellValue[] {
  const timeOfDay = timeOfDayUnit(element);
  if (timeOfDay !== undefined) return mapValues(values, (value) => timeOfDayText(BigInt(value), timeOfDay));
  const scale = isDecimal(element) ? (element.scale ?? 0) : undefined;
  return mapValues(values, (value) => {
    if (scale !== undefined) return decimal(BigInt(value), scale);
    if (typeof value !== "bigint") return value;
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  });
}

/**
 * The fraction digits pandas gives a column of timestamps: the fewest of 0, 3, 6 and 9 that show every value
 * exactly, and -1 (dates alone) for a naive column whose values are all midnights.
 */
function neededDigits(
  values: ArrayLike<StoredValue>,
  unit: Exclude<TimestampUnit, "DAYS">,
  naive: boolean,
): number {
  let digits = 0;
  let midnights = true;
  let any = false;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as StoredValue;
    if (value === null || typeof value === "boolean" || typeof value === "string") continue;
    any = true;
    const nanos = BigInt(value) * NANOS_PER[unit];
    const fraction = nanos - floorDivide(nanos, 1_000_000_000n) * 1_000_000_000n;
    if (fraction % 1_000n !== 0n) digits = 9;
    else if (fraction % 1_000_000n !== 0n) digits = Math.max(digits, 6);
    else if (fraction !== 0n) digits = Math.max(digits, 3);
    if (midnights && nanos - floorDivide(nanos, NANOS_PER_DAY) * NANOS_PER_DAY !== 0n) midnights = false;
  }
  return naive && any && midnights ? -1 : digits;
}

function mapValues(values: ArrayLike<StoredValue>, text: (value: number | bigint) => CellValue): CellValue[] {
  const cells = new Array<CellValue>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as StoredValue;
    cells[i] = typeof value === "number" || typeof value === "bigint" ? text(value) : value;
  }
  return cells;
}

function floorDivide(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return quotient * b > a ? quotient - 1n : quotient;
}

/** Days since 1970-01-01 as "YYYY-MM-DD" (H. Hinnant's civil_from_days). */
function civilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const yearText = year < 0 ? `-${String(-year).padStart(4, "0")}` : String(year).padStart(4, "0");
  return `${yearText}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
