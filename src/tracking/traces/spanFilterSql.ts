/**
 * Span filters in SQL, as mlflow's SQL store runs them (`_get_filter_clauses_for_search_traces` and
 * `_apply_trace_filter_clauses`): all of a filter's span clauses go into one EXISTS over the trace's rows in
 * `spans`, so they must hold for the same span; `span.name != 'x'` asks for a span named otherwise, not for
 * no span named x. Traces whose spans live only in their artifacts have no rows and never match.
 * `span.attributes.<name>` searches the span's JSON text: LIKE and ILIKE for `"<name>"` followed by the
 * pattern, RLIKE for `"<name>": "\"` then the pattern, its anchors moved onto the JSON string's quotes;
 * `=` and `!=` compare the whole JSON with that LIKE pattern, as mlflow does.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { SqlDialectName } from "../../db/dialect.js";
import { FlowOpsError } from "../../errors.js";
import { compareSql } from "../search/sqlComparison.js";
import {
  attributeInListError,
  attributeValueText,
  checkSpanComparison,
  SPAN_ATTRIBUTES_PREFIX,
  SPAN_COLUMNS,
  type SpanFilterClause,
} from "./spanFilter.js";

/** mlflow's `_SPAN_SEARCH_TIMESTAMP_TOLERANCE_MS`: spans may start this much before a `timestamp_ms >` bound. */
const SPAN_START_TOLERANCE_MS = 10_000n;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * One clause's condition on the span row `s`, checked as mlflow checks it when it builds the query: a `text`
 * clause's comparator is first checked here, and the values mlflow cannot bind are refused here.
 */
export function spanConditionSql(dialect: SqlDialectName, clause: SpanFilterClause): RawBuilder<SqlBool> {
  const { key, comparator, value } = clause;
  checkSpanComparison(key, comparator);
  if (key.startsWith(SPAN_ATTRIBUTES_PREFIX)) {
    const name = trimBackticks(key.slice(SPAN_ATTRIBUTES_PREFIX.length));
    if (comparator === "RLIKE") {
      if (typeof value !== "string") throw listValue(clause);
      return compareSql(dialect, sql.ref("s.content"), "RLIKE", attributeRegex(name, value));
    }
    const pattern = `%"${name}"${attributeValueText(value)}%`;
    if (comparator === "IN" || comparator === "NOT IN") throw attributeInListError(pattern);
    return compareSql(dialect, sql.ref("s.content"), comparator, pattern);
  }
  if (typeof value !== "string" && comparator !== "IN" && comparator !== "NOT IN") throw listValue(clause);
  const column = SPAN_COLUMNS.has(key) ? sql.ref(`s.${key}`) : sql.ref("s.content");
  return compareSql(dialect, column, comparator, value);
}

/**
 * The EXISTS holding `conditions` for one span of the trace `t` in the trace's experiment. A `timestamp_ms >`
 * or `>=` bound in the same filter skips spans that start well before it, as mlflow prunes them.
 */
export function spanExistsSql(
  conditions: readonly RawBuilder<SqlBool>[],
  timestampLowerBoundMs: number | undefined,
): RawBuilder<SqlBool> {
  const scope = [sql`s.trace_id = t.request_id`, sql`s.experiment_id = t.experiment_id`];
  if (timestampLowerBoundMs !== undefined) {
    const boundNs = (BigInt(timestampLowerBoundMs) - SPAN_START_TOLERANCE_MS) * 1_000_000n;
    // mlflow fails binding a bound beyond 64 bits; no span starts after the largest, all after the least.
    if (boundNs > INT64_MAX) return sql<SqlBool>`1 = 0`;
    if (boundNs >= INT64_MIN) {
      scope.push(sql`s.start_time_unix_nano >= cast(${boundNs.toString()} as bigint)`);
    }
  }
  return sql<SqlBool>`exists (select 1 from spans s where ${sql.join([...scope, ...conditions], sql` and `)})`;
}

/** The attribute's JSON text is `"<name>": "\"<value>\""`; `^` and `$` anchor on the inner quotes. */
function attributeRegex(name: string, value: string): string {
  let pattern = value;
  let prefix = '"\\\\".*';
  let suffix = "";
  if (pattern.startsWith("^")) {
    pattern = pattern.slice(1);
    prefix = '"\\\\"';
  }
  if (pattern.endsWith("$")) {
    pattern = pattern.slice(0, -1);
    suffix = '\\\\"';
  }
  return `"${name}": ${prefix}${pattern}${suffix}`;
}

/** mlflow's `_trim_backticks`. */
function trimBackticks(text: string): string {
  return text.length >= 2 && text.startsWith("`") && text.endsWith("`") ? text.slice(1, -1) : text;
}

/**
 * mlflow hands the list's tuple to the database driver, which refuses it (SQLite: "type 'tuple' is not
 * supported"), or for RLIKE fails reading it as a string; both come back as errors of the request.
 */
function listValue(clause: SpanFilterClause): FlowOpsError {
  return new FlowOpsError(
    "BAD_REQUEST",
    `A list of values cannot be bound for 'span.${clause.key} ${clause.comparator}': type 'tuple' is not supported`,
  );
}
