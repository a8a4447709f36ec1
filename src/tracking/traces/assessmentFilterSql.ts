/**
 * `feedback.<name>` and `expectation.<name>` trace filters in SQL, as mlflow's SQL store runs them
 * (`_get_filter_clauses_for_search_traces`): a trace matches when one of its valid (not overridden)
 * assessments of that kind and name has a matching value, or when it shares a session with a searched
 * trace holding a matching session-level assessment (one whose metadata names `mlflow.trace.session`).
 * `IS NULL` matches the traces that neither hold nor are covered by one. Numeric comparators consider only
 * number values, never booleans. Equality goes through assessmentValueText.ts because FlowOps writes
 * values as JavaScript does and mlflow's filter compares Python's text.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { SqlDialectName } from "../../db/dialect.js";
import { compareSql } from "../search/sqlComparison.js";
import { matchingStoredValueTexts } from "./assessmentValueText.js";
import type { AssessmentFilterEntity, TraceFilterClause } from "./searchFilter.js";

/** The request metadata naming a trace's session (mlflow's `TraceMetadataKey.TRACE_SESSION`). */
const SESSION_METADATA = "mlflow.trace.session";

export type AssessmentFilterClause = TraceFilterClause & { entity: AssessmentFilterEntity };

/** The condition on the outer `trace_info as t` row; `experimentIds` bounds the session siblings. */
export function assessmentClauseSql(
  dialect: SqlDialectName,
  clause: AssessmentFilterClause,
  experimentIds: readonly number[],
): RawBuilder<SqlBool> {
  const conditions = [
    sql`a.assessment_type = ${clause.entity}`,
    sql`a.name = ${clause.key}`,
    sql`a.valid = 1`,
    ...(clause.comparator === "IS NULL" || clause.comparator === "IS NOT NULL"
      ? []
      : [valueCondition(dialect, clause)]),
  ];
  const matching = sql.join(conditions, sql` and `);
  const held = sql<SqlBool>`exists (select 1 from assessments a where a.trace_id = t.request_id and ${matching})`;
  const sessions = sql`select sm.value from trace_info st
    join trace_request_metadata sm on sm.request_id = st.request_id and sm.key = ${SESSION_METADATA}
    join assessments a on a.trace_id = st.request_id
    where st.experiment_id in (${sql.join(experimentIds.map((id) => sql`${id}`))})
      and ${matching} and a.assessment_metadata like ${`%"${SESSION_METADATA}":%`}`;
  const covered = sql<SqlBool>`exists (select 1 from trace_request_metadata tm
    where tm.request_id = t.request_id and tm.key = ${SESSION_METADATA} and tm.value in (${sessions}))`;
  if (clause.comparator === "IS NULL") return sql<SqlBool>`(not ${held} and not ${covered})`;
  return sql<SqlBool>`(${held} or ${covered})`;
}

const NUMBER_START = ["-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

function valueCondition(dialect: SqlDialectName, clause: AssessmentFilterClause): RawBuilder<SqlBool> {
  const { comparator, value } = clause;
  if (comparator === "=" || comparator === "!=") {
    const texts = sql.join(matchingStoredValueTexts(clause.entity, String(value)).map((t) => sql`${t}`));
    return comparator === "=" ? sql<SqlBool>`a.value in (${texts})` : sql<SqlBool>`a.value not in (${texts})`;
  }
  // Like mlflow, these match the stored JSON text, so a string value is seen with its quotes.
  if (comparator === "LIKE" || comparator === "ILIKE" || comparator === "RLIKE") {
    return compareSql(dialect, sql.ref("a.value"), comparator, String(value));
  }
  // A JSON number, alone among JSON values, starts with a digit or a minus sign.
  const numberType = dialect === "sqlite" ? sql`real` : sql`double precision`;
  const starts = sql.join(NUMBER_START.map((c) => sql`${c}`));
  const numeric = sql`case when substr(a.value, 1, 1) in (${starts}) then cast(a.value as ${numberType}) end`;
  return compareSql(dialect, numeric, comparator, Number(value));
}
