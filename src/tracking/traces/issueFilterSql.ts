/**
 * `issue.id = '<issue id>'` trace filters in SQL, as mlflow's SQL store runs them
 * (`_get_filter_clauses_for_search_traces`): a trace matches when it holds an issue reference, an assessment
 * of type `issue` whose name is the issue's id. mlflow joins every such reference, valid or overridden, and
 * does not look the issue up, so an unknown id matches nothing rather than being refused.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { invalidParameter } from "../../errors.js";
import type { TraceFilterClause } from "./searchFilter.js";

export type IssueFilterClause = TraceFilterClause & { entity: "issue" };

/** mlflow's `SearchTraceUtils._SUPPORTED_ISSUE_ATTRIBUTES` and `VALID_ISSUE_COMPARATORS`. */
const ISSUE_ATTRIBUTES = ["id"] as const;
const ISSUE_COMPARATOR = "=";

/**
 * The condition on the outer `trace_info as t` row. The key and comparator are checked here, when the clause
 * is built, as mlflow's store checks them (`is_issue`), after the whole filter's values were read; the
 * messages are its own, the comparator set written as Python prints it.
 */
export function issueClauseSql(clause: IssueFilterClause): RawBuilder<SqlBool> {
  if (!(ISSUE_ATTRIBUTES as readonly string[]).includes(clause.key)) {
    throw invalidParameter(
      `Invalid issue attribute '${clause.key}'. Supported attributes: ${ISSUE_ATTRIBUTES.join(", ")}`,
    );
  }
  if (clause.comparator !== ISSUE_COMPARATOR) {
    throw invalidParameter(
      `issue.${clause.key} comparator '${clause.comparator}' not one of '{'${ISSUE_COMPARATOR}'}'`,
    );
  }
  return sql<SqlBool>`exists (select 1 from assessments a
    where a.trace_id = t.request_id and a.assessment_type = 'issue' and a.name = ${String(clause.value)})`;
}
