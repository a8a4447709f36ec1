/**
 * Trace search (SearchTracesV3 and the 2.x SearchTraces): the filter and order_by run in SQL over the
 * experiments asked for, then the page is loaded with its tags and metadata. Order and paging follow
 * mlflow's SQL store: the requested terms, then newest first and trace id as tiebreaks; offset page tokens
 * read and written as mlflow's (mlflowPageToken.ts), and a next token whenever the page is full, so an
 * exactly full last page still hands out one, whose page is empty.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { parseExperimentId } from "../experimentStore.js";
import { pageTokenFor, startOffsetFromPageToken } from "../search/mlflowPageToken.js";
import { nonNegativeOffset } from "../search/mlflowPageToken.js";
import { compareSql } from "../search/sqlComparison.js";
import { LINKED_PROMPTS_TAG, SOURCE_RUN_METADATA, type TraceInfo } from "./entities.js";
import { assessmentClauseSql } from "./assessmentFilterSql.js";
import { issueClauseSql } from "./issueFilterSql.js";
import { NUMERIC_ATTRIBUTE_COLUMNS, numericAffinity, textAfterNumbersSql } from "./numericAttributeText.js";
import { linkedPromptClauseSql } from "./promptLinks.js";
import { readTraceInfos } from "./reader.js";
import { linkedToRunSql } from "./runLinks.js";
import { parseTraceFilter, type TraceFilterClause, type TraceFilterTerm } from "./searchFilter.js";
import { spanConditionSql, spanExistsSql } from "./spanFilterSql.js";
import { checkClauseComparator } from "./traceFilterValue.js";
import { listBindingError } from "./traceFilterLists.js";
import { parseTraceOrderBy, type TraceOrderBy } from "./traceOrderBy.js";

export const SEARCH_TRACES_DEFAULT_MAX_RESULTS = 100;
const SEARCH_TRACES_MAX_RESULTS_THRESHOLD = 50_000;

export interface SearchTracesRequest {
  experimentIds: readonly string[];
  filter?: string | undefined;
  maxResults?: number | undefined;
  orderBy?: readonly string[] | undefined;
  pageToken?: string | undefined;
}

export interface SearchTracesResult {
  traces: TraceInfo[];
  nextPageToken: string | undefined;
}

export async function searchTraces(
  meta: MetadataDb,
  request: SearchTracesRequest,
): Promise<SearchTracesResult> {
  const maxResults = request.maxResults ?? SEARCH_TRACES_DEFAULT_MAX_RESULTS;
  // The store's two messages (`_validate_max_results_param`), without a closing full stop as MLflow's.
  if (maxResults < 1) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    );
  }
  if (maxResults > SEARCH_TRACES_MAX_RESULTS_THRESHOLD) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${SEARCH_TRACES_MAX_RESULTS_THRESHOLD}`,
    );
  }
  // As mlflow's store: order_by first, then the filter, built whole even when no experiment is searched.
  const orderBy = parseTraceOrderBy(request.orderBy);
  const clauses = parseTraceFilter(request.filter);
  const experimentIds = request.experimentIds
    .map((id) => parseExperimentId(id))
    .filter((id): id is number => id !== undefined);
  const condition = traceFilterSql(meta.dialect, clauses, experimentIds);
  // Kept negative where the token says so: mlflow fetches as from 0 but writes the next token from it.
  const offset = startOffsetFromPageToken(request.pageToken);
  if (experimentIds.length === 0) return { traces: [], nextPageToken: undefined };

  let query = meta.db
    .selectFrom("trace_info as t")
    .select("t.request_id")
    .where("t.experiment_id", "in", experimentIds)
    .where(condition);
  for (const term of withTiebreaks(orderBy)) {
    const value = orderValue(term);
    // Missing tags, metadata and durations sort last in either direction, as in mlflow's SQL store.
    query = query
      .orderBy(sql`case when ${value} is null then 1 else 0 end`)
      .orderBy(value, term.ascending ? "asc" : "desc");
  }
  const rows = await query
    .limit(maxResults)
    .offset(nonNegativeOffset(offset))
    .execute()
    .catch((error: unknown) => {
      throw invalidRegexToBadRequest(error);
    });
  const ids = rows.map((r) => r.request_id);
  const traces = await readTraceInfos(meta.db, ids);
  return {
    traces,
    nextPageToken: ids.length === maxResults ? pageTokenFor(offset + maxResults) : undefined,
  };
}

/**
 * The condition a parsed filter puts on the trace row `t` (`trace_info as t`) of the experiments searched.
 * Built clause by clause, as mlflow builds them, so the first clause it cannot run is the one refused; the
 * span clauses go into one EXISTS, so they must hold for the same span. A list compared other than by IN or
 * NOT IN fails only once all are built, as mlflow's database driver fails to bind it when the query runs.
 */
export function traceFilterSql(
  dialect: MetadataDb["dialect"],
  clauses: readonly TraceFilterTerm[],
  experimentIds: readonly number[],
): RawBuilder<SqlBool> {
  const conditions: RawBuilder<SqlBool>[] = [];
  const spanConditions: RawBuilder<SqlBool>[] = [];
  for (const clause of clauses) {
    if (clause.entity === "span") spanConditions.push(spanConditionSql(dialect, clause));
    else conditions.push(clauseSql(dialect, clause, experimentIds));
  }
  const unbound = listBindingError(clauses);
  if (unbound !== undefined) throw unbound;
  if (spanConditions.length > 0) {
    conditions.push(spanExistsSql(spanConditions, timestampLowerBound(clauses)));
  }
  if (conditions.length === 0) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`(${sql.join(
    conditions.map((condition) => sql`(${condition})`),
    sql` and `,
  )})`;
}

/** PostgreSQL's code for a pattern `~` cannot compile (SQLite's REGEXP answers no match instead). */
const INVALID_REGULAR_EXPRESSION = "2201B";

/**
 * An RLIKE pattern PostgreSQL cannot compile fails mlflow's query, which it answers as a BAD_REQUEST naming
 * the driver's error; anything else goes on as it was.
 */
export function invalidRegexToBadRequest(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== INVALID_REGULAR_EXPRESSION || !(error instanceof Error)) return error;
  return new FlowOpsError("BAD_REQUEST", `(psycopg2.errors.InvalidRegularExpression) ${error.message}`);
}

/** The greatest `timestamp_ms >` or `>=` bound of the filter, which mlflow also applies to span start times. */
function timestampLowerBound(clauses: readonly TraceFilterTerm[]): number | undefined {
  let bound: number | undefined;
  for (const clause of clauses) {
    if (clause.entity !== "attribute" || clause.key !== "timestamp_ms") continue;
    if (clause.comparator !== ">" && clause.comparator !== ">=") continue;
    if (typeof clause.value === "number") bound = Math.max(bound ?? clause.value, clause.value);
  }
  return bound;
}

function withTiebreaks(terms: readonly TraceOrderBy[]): TraceOrderBy[] {
  const all = [...terms];
  const has = (key: string) => all.some((t) => t.entity === "attribute" && t.key === key);
  if (!has("timestamp_ms")) all.push({ entity: "attribute", key: "timestamp_ms", ascending: false });
  if (!has("request_id")) all.push({ entity: "attribute", key: "request_id", ascending: true });
  return all;
}

function attributeColumn(key: string): Expression<unknown> {
  switch (key) {
    case "end_time_ms":
      // As mlflow's store: a trace still running (no execution time) ends at its start.
      return sql`(t.timestamp_ms + coalesce(t.execution_time_ms, 0))`;
    case "timestamp_ms":
    case "execution_time_ms":
    case "request_id":
    case "status":
    case "client_request_id":
    case "experiment_id":
      return sql.ref(`t.${key}`);
    default:
      throw invalidParameter(`Invalid attribute key '${key}' specified.`);
  }
}

function keyValueTable(entity: "tag" | "metadata") {
  return sql.table(entity === "tag" ? "trace_tags" : "trace_request_metadata");
}

function orderValue(term: TraceOrderBy): Expression<unknown> {
  if (term.entity === "attribute") return attributeColumn(term.key);
  return sql`(select kv.value from ${keyValueTable(term.entity)} kv where kv.request_id = t.request_id and kv.key = ${term.key})`;
}

/**
 * A tag or metadata comparison holds when the trace has the key and its value compares, so `!=` skips
 * traces without the key (mlflow joins on the key); IS NULL asks whether the key is absent.
 */
function clauseSql(
  dialect: MetadataDb["dialect"],
  clause: TraceFilterClause,
  experimentIds: readonly number[],
): RawBuilder<SqlBool> {
  if (clause.entity === "feedback" || clause.entity === "expectation") {
    return assessmentClauseSql(dialect, { ...clause, entity: clause.entity }, experimentIds);
  }
  if (clause.entity === "issue") return issueClauseSql({ ...clause, entity: clause.entity });
  checkClauseComparator(clause.entity, clause.key, clause.comparator);
  // Refused once every clause is built (listBindingError).
  if (Array.isArray(clause.value) && clause.comparator !== "IN" && clause.comparator !== "NOT IN") {
    return sql<SqlBool>`1 = 0`;
  }
  if (clause.entity === "attribute") {
    if (NUMERIC_ATTRIBUTE_COLUMNS.includes(clause.key) && typeof clause.value === "string") {
      // A sum has no affinity in SQLite, so text never reads as a number against end_time_ms.
      const number = clause.key === "end_time_ms" ? undefined : numericAffinity(clause.value);
      const column = attributeColumn(clause.key);
      return number === undefined
        ? textAfterNumbersSql(column, clause.comparator)
        : compareSql(dialect, column, clause.comparator, number);
    }
    const value = clause.key === "status" ? statusValue(clause.value) : clause.value;
    return compareSql(dialect, attributeColumn(clause.key), clause.comparator, value);
  }
  // mlflow answers a linked-prompts tag filter from its links, not from the tag the client sets.
  if (clause.entity === "tag" && clause.key === LINKED_PROMPTS_TAG) return linkedPromptClauseSql(clause);
  const table = keyValueTable(clause.entity);
  const exists = (condition: RawBuilder<SqlBool> | undefined) =>
    sql<SqlBool>`exists (select 1 from ${table} kv where kv.request_id = t.request_id and kv.key = ${clause.key}${
      condition === undefined ? sql`` : sql` and ${condition}`
    })`;
  if (clause.comparator === "IS NULL") return sql<SqlBool>`not ${exists(undefined)}`;
  if (clause.comparator === "IS NOT NULL") return exists(undefined);
  const compared = exists(compareSql(dialect, sql.ref("kv.value"), clause.comparator, clause.value));
  // mlflow's `run_id =` (and only `=`) also finds the traces linked to the run (LinkTracesToRun).
  if (
    clause.entity === "metadata" &&
    clause.key === SOURCE_RUN_METADATA &&
    clause.comparator === "=" &&
    typeof clause.value === "string"
  ) {
    return sql<SqlBool>`(${compared} or ${linkedToRunSql(clause.value)})`;
  }
  return compared;
}

/** 2.x clients filter on v2 status names; TRACE_STATUS_UNSPECIFIED is stored as the v3 state name. */
function statusValue(value: TraceFilterClause["value"]): TraceFilterClause["value"] {
  const map = (v: string) => (v === "TRACE_STATUS_UNSPECIFIED" ? "STATE_UNSPECIFIED" : v);
  return Array.isArray(value) ? value.map(map) : typeof value === "string" ? map(value) : value;
}
