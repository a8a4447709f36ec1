/**
 * A parenthesised list compared with `=`, `!=`, LIKE, ILIKE or RLIKE (`tag.x = ('a')`, `status = ('OK')`).
 * MLflow 3.17 reads it as a tuple and builds its query with it; on SQLite the driver then refuses to bind the
 * tuple, which MLflow answers as 400 BAD_REQUEST "(sqlite3.ProgrammingError) Error binding parameter N: ...".
 * FlowOps answers the same status and code once every clause is built (so other clauses' errors come first,
 * as in MLflow), but says what is wrong in the filter instead of repeating a Python driver's words, on both
 * backends alike.
 */
import { FlowOpsError } from "../../errors.js";
import type { TraceFilterClause, TraceFilterTerm } from "./searchFilter.js";

export function listBindingError(terms: readonly TraceFilterTerm[]): FlowOpsError | undefined {
  const unbound = terms.find(
    (t): t is TraceFilterClause =>
      t.entity !== "span" && Array.isArray(t.value) && t.comparator !== "IN" && t.comparator !== "NOT IN",
  );
  if (unbound === undefined) return undefined;
  return new FlowOpsError(
    "BAD_REQUEST",
    `A parenthesised list is compared with IN or NOT IN only, not '${unbound.comparator}'`,
  );
}
