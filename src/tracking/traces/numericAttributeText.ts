/**
 * A numeric trace attribute (`timestamp_ms`, `execution_time_ms`, `end_time_ms`) compared with quoted text,
 * which MLflow 3.17 accepts and hands to SQLite as text. SQLite gives the text the column's numeric affinity:
 * text that reads as a number ('5', ' 5 ', '5e0') is that number, and any other text sorts after every
 * number, so `timestamp_ms < 'x'` holds for every trace and `timestamp_ms > 'x'` for none; `end_time_ms` is a
 * sum, which has no affinity, so even '12' is text there. The same answers
 * are written out for PostgreSQL, which would otherwise fail casting 'x' to bigint.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { Comparator } from "../search/filterSyntax.js";

export const NUMERIC_ATTRIBUTE_COLUMNS: readonly string[] = [
  "timestamp_ms",
  "execution_time_ms",
  "end_time_ms",
];

/** SQLite's well-formed integer or real literal, surrounding spaces allowed. */
const NUMERIC_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The number the text reads as, or undefined for text SQLite keeps as text. */
export function numericAffinity(text: string): number | undefined {
  if (!NUMERIC_TEXT.test(text)) return undefined;
  const value = Number(text);
  // Past double range the comparison with any stored integer comes out as with text: say so, not Infinity.
  return Number.isFinite(value) ? value : undefined;
}

/** The clause for text that is not a number: true for `!=`, `<`, `<=` on every non-null value, else false. */
export function textAfterNumbersSql(
  column: Expression<unknown>,
  comparator: Comparator,
): RawBuilder<SqlBool> {
  const holds = comparator === "!=" || comparator === "<" || comparator === "<=";
  return holds ? sql<SqlBool>`${column} is not null` : sql<SqlBool>`1 = 0`;
}
