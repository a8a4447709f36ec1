/**
 * int64 values (metric steps and timestamps) kept to the last digit, as MLflow keeps them: a step of
 * 9223372036854775807 must come back with every digit, not as the double 2^63. A value is a number where a
 * double holds it exactly and a BigInt only beyond 2^53, so equal values always compare equal (`!==`, Map keys).
 * The drivers read INTEGER and BIGINT columns as doubles, so reads select the exact digits beside the column
 * for values beyond 2^53 only; ordinary rows pay for one comparison in SQL.
 */
import { sql, type AliasedRawBuilder, type RawBuilder } from "kysely";

export type Int64 = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The one spelling of an int64 value: a number up to 2^53, a BigInt beyond. */
export function int64Value(value: bigint): Int64 {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/**
 * An int64 value written as a query parameter, bound as a BigInt beyond 2^53: better-sqlite3 and pg bind a
 * BigInt with all its digits, where pg would send the double 2**62 as its shortest spelling, 4611686018427388000.
 */
export function int64Parameter(value: Int64): number | RawBuilder<number> {
  if (typeof value === "number" && (Number.isSafeInteger(value) || !Number.isInteger(value))) return value;
  return sql<number>`${BigInt(value)}`;
}

/** `column`'s decimal digits where a double cannot hold its value, else null. */
export function exactDigitsOf(column: string): RawBuilder<string | null> {
  const ref = sql.ref(column);
  return sql<
    string | null
  >`case when ${ref} between ${sql.lit(-Number.MAX_SAFE_INTEGER)} and ${sql.lit(Number.MAX_SAFE_INTEGER)} then null else cast(${ref} as text) end`;
}

/** `exactDigitsOf(column)` selected as `alias`. */
export function exactDigits<Alias extends string>(
  column: string,
  alias: Alias,
): AliasedRawBuilder<string | null, Alias> {
  return exactDigitsOf(column).as(alias);
}

/** A stored int64 read back: the driver's double, or the exact digits `exactDigitsOf` selected beside it. */
export function storedInt64(value: number | string | bigint, digits: string | null | undefined): Int64 {
  if (typeof digits === "string" && /^-?\d+$/.test(digits)) return int64Value(BigInt(digits));
  return Number(value);
}

/** The exact-digit columns of a run's times, selected beside `runs.*` (null where end_time is). */
export const RUN_TIME_DIGITS = [
  exactDigits("start_time", "start_time_digits"),
  exactDigits("end_time", "end_time_digits"),
];

/** The exact-digit columns of a metric point, selected beside `metrics.*` or `latest_metrics.*`. */
export const METRIC_DIGITS = [
  exactDigits("step", "step_digits"),
  exactDigits("timestamp", "timestamp_digits"),
];
