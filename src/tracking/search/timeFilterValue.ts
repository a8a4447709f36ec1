/**
 * The value a time attribute (a run's start_time or end_time, an experiment's creation_time or
 * last_update_time) is compared with, to the last digit: MLflow reads an integer literal with Python's int(),
 * so `attributes.start_time = 9223372036854775807` matches a run that started then, where the double nearest
 * it, 2^63, would match none. A whole number written as a double (1e18) is that number, as the column
 * compares with it. Fractions and values beyond int64 are refused: no bigint column holds them, and MLflow
 * answers them with a database error.
 */
import { invalidParameter } from "../../errors.js";
import { int64Value, type Int64 } from "../exactInt64.js";
import type { FilterClause } from "./filterSyntax.js";

const INT64_LIMIT = 2n ** 63n;

export function exactTimeValue(clause: FilterClause & { value: number }): Int64 {
  const written = clause.literal ?? String(clause.value);
  const exact = /^[+-]?\d+$/.test(written)
    ? BigInt(written)
    : Number.isInteger(clause.value)
      ? BigInt(clause.value)
      : undefined;
  if (exact === undefined || exact >= INT64_LIMIT || exact < -INT64_LIMIT) {
    throw invalidParameter(
      `Invalid value ${written} for attribute '${clause.key}': expected an integer (milliseconds)`,
    );
  }
  return int64Value(exact);
}
