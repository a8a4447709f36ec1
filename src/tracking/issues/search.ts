/**
 * SearchIssues as mlflow's SQL store answers it (`search_issues`): optionally one experiment's issues, the
 * filter of issueFilter.ts, most severe first (no severity ranks below `not_an_issue`), then, when asked, the
 * most traces, then newest and the id descending; pages are offsets. The trace count of an issue is the
 * number of distinct traces holding an `issue` assessment named by its id, valid or not, as mlflow counts.
 */
import { sql } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { IssueTable } from "../../db/schema.js";
import { parseExperimentId } from "../experimentStore.js";
import type { AssessmentsTable } from "../traces/assessments.js";
import { ISSUE_SEVERITIES, type Issue } from "./entities.js";
import { parseIssueFilter } from "./issueFilter.js";
import { offsetFromPageToken, pageOf } from "../search/mlflowPageToken.js";
import { checkedMaxResults } from "../search/searchExperiments.js";
import { toIssue } from "./store.js";

export const SEARCH_ISSUES_DEFAULT_MAX_RESULTS = 100;
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;

export interface SearchIssuesRequest {
  experimentId?: string | undefined;
  filter?: string | undefined;
  maxResults?: number | undefined;
  pageToken?: string | undefined;
  includeTraceCount?: boolean | undefined;
}

export interface IssuePage {
  issues: Issue[];
  nextPageToken: string | undefined;
}

/** mlflow's `_validate_max_results_param(max_results, allow_null=True)`. */
function validateMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return SEARCH_ISSUES_DEFAULT_MAX_RESULTS;
  return checkedMaxResults(maxResults, SEARCH_MAX_RESULTS_THRESHOLD);
}

/** Severity rank as a SQL expression; the names and ranks are constants, so inlining them carries no user text. */
const SEVERITY_RANK = sql`case i.severity ${sql.join(
  ISSUE_SEVERITIES.map((severity, rank) => sql`when ${sql.lit(severity)} then ${sql.lit(rank)}`),
  sql` `,
)} else -1 end`;

export async function searchIssues(meta: MetadataDb, request: SearchIssuesRequest): Promise<IssuePage> {
  // mlflow checks in this order, so a request with several faults is refused for the same one.
  const maxResults = validateMaxResults(request.maxResults);
  const offset = offsetFromPageToken(request.pageToken);
  const experimentId =
    request.experimentId === undefined || request.experimentId === ""
      ? undefined
      : parseExperimentId(request.experimentId);
  const clauses = parseIssueFilter(request.filter);
  // An id past 2^53 is a valid integer that names no stored experiment.
  if (experimentId === undefined && request.experimentId !== undefined && request.experimentId !== "") {
    return { issues: [], nextPageToken: undefined };
  }

  const db = meta.db.withTables<{ issues: IssueTable; assessments: AssessmentsTable }>();
  let query = db
    .selectFrom("issues as i")
    .selectAll("i")
    .select((eb) =>
      (request.includeTraceCount === true
        ? eb
            .selectFrom("assessments as a")
            .select((inner) => inner.fn.count<number | string | bigint>("a.trace_id").distinct().as("n"))
            .whereRef("a.name", "=", "i.issue_id")
            .where("a.assessment_type", "=", "issue")
        : sql<null>`null`
      ).as("trace_count"),
    );
  if (experimentId !== undefined) query = query.where("i.experiment_id", "=", experimentId);
  for (const clause of clauses) query = query.where(`i.${clause.key}`, clause.comparator, clause.value);
  query = query.orderBy(sql`${SEVERITY_RANK}`, "desc");
  if (request.includeTraceCount === true) query = query.orderBy("trace_count", "desc");
  const rows = await query
    .orderBy("i.created_timestamp", "desc")
    .orderBy("i.issue_id", "desc")
    .limit(maxResults + 1)
    .offset(offset)
    .execute();

  const { page, nextPageToken } = pageOf(rows, offset, maxResults);
  const issues = page.map((row) => ({
    ...toIssue(row),
    ...(request.includeTraceCount === true && { traceCount: Number(row.trace_count ?? 0) }),
  }));
  return { issues, nextPageToken };
}
