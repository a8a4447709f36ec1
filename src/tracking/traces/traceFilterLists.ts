/**
 * A parenthesised list compared with `=`, `!=`, LIKE, ILIKE or RLIKE (`tag.x = ('a')`, `status = ('OK')`).
 * MLflow 3.17 reads it as a tuple and builds the query with it; on SQLite the driver then refuses to bind it
 * when the query runs, which MLflow answers as 400 BAD_REQUEST "(sqlite3.ProgrammingError) Error binding
 * parameter N: type 'tuple' is not supported" followed by the SQL. N counts the query's parameters as
 * mlflow's store lays them out: the tag and metadata comparisons it joins (key, value), in filter order, then
 * the conditions on the trace row, in filter order. The SQL itself is not repeated here. Assessment, issue
 * and span clauses are counted as none (their lists are refused elsewhere), which is exact whenever no such
 * clause comes first.
 */
import type { MetadataDb } from "../../db/connect.js";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { LINKED_PROMPTS_TAG, SOURCE_RUN_METADATA, TRACE_NAME_TAG } from "./entities.js";
import type { TraceFilterClause, TraceFilterTerm } from "./searchFilter.js";

export function listBindingError(
  dialect: MetadataDb["dialect"],
  terms: readonly TraceFilterTerm[],
): FlowOpsError | undefined {
  const clauses = terms.filter((t): t is TraceFilterClause => t.entity !== "span");
  const unbound = clauses.filter(isUnboundList);
  if (unbound.length === 0) return undefined;
  if (dialect !== "sqlite") {
    // psycopg2 adapts a tuple where sqlite3 refuses it, so PostgreSQL's answer differs; FlowOps refuses it.
    const comparator = (unbound[0] as TraceFilterClause).comparator;
    return invalidParameter(`A parenthesised list is compared with IN or NOT IN only, not '${comparator}'`);
  }
  const joined = clauses.filter(isJoined);
  const firstJoined = joined.findIndex(isUnboundList);
  let position: number;
  if (firstJoined >= 0) {
    position = 2 * firstJoined + 2;
  } else {
    position = 2 * joined.length + 1;
    for (const clause of clauses) {
      if (isJoined(clause)) continue;
      if (isUnboundList(clause)) break;
      position += rowParameters(clause);
    }
  }
  return new FlowOpsError(
    "BAD_REQUEST",
    `(sqlite3.ProgrammingError) Error binding parameter ${position}: type 'tuple' is not supported`,
  );
}

function isUnboundList(clause: TraceFilterClause): boolean {
  return Array.isArray(clause.value) && clause.comparator !== "IN" && clause.comparator !== "NOT IN";
}

/** Whether mlflow's store joins a subquery on the tag or metadata's key and value for the clause. */
function isJoined(clause: TraceFilterClause): boolean {
  if (clause.entity === "tag") {
    if (clause.key === TRACE_NAME_TAG || clause.key === LINKED_PROMPTS_TAG) return false;
  } else if (clause.entity === "metadata") {
    if (clause.key === SOURCE_RUN_METADATA && clause.comparator === "=") return false;
  } else {
    return false;
  }
  return clause.comparator !== "IS NULL" && clause.comparator !== "IS NOT NULL";
}

/** The parameters a condition on the trace row binds. */
function rowParameters(clause: TraceFilterClause): number {
  if (clause.entity !== "attribute" && clause.entity !== "tag" && clause.entity !== "metadata") return 0;
  if (clause.entity === "tag" && clause.key === TRACE_NAME_TAG) {
    return clause.comparator === "IS NULL" || clause.comparator === "IS NOT NULL" ? 0 : 1;
  }
  if (Array.isArray(clause.value)) return clause.value.length;
  // `timestamp_ms + coalesce(execution_time_ms, 0)` binds its 0 too.
  return clause.key === "end_time_ms" && clause.entity === "attribute" ? 2 : 1;
}
