/**
 * SearchEvaluationDatasets with the filter and order_by subset mlflow's SQL store accepts: attributes
 * `name`, `created_by`, `last_updated_by` (strings; `name` also takes IN), `created_time` and
 * `last_update_time` (integers), and `tags.<key>` with =, !=, LIKE, ILIKE, joined by AND. Results are newest
 * first by default, with the dataset id (descending) as mlflow's tie-breaker, and pages are offsets.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { int64Parameter } from "../exactInt64.js";
import { pageOf, startOffsetFromPageToken } from "../search/mlflowPageToken.js";
import { nonNegativeOffset } from "../search/mlflowPageToken.js";
import { compareSql } from "../search/sqlComparison.js";
import { assertSearchJoinLimit } from "../search/joinLimit.js";
import { checkedMaxResults } from "../search/searchExperiments.js";
import { parseDatasetFilter, parseDatasetOrderBy } from "./datasetFilter.js";

export const SEARCH_DATASETS_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_DATASETS_MAX_RESULTS_THRESHOLD = 50_000;

export interface SearchDatasetsRequest {
  experimentIds?: readonly string[];
  filter?: string;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** The ids of one page of matching datasets, in order, and the token of the next page if any. */
export async function searchDatasetIds(
  meta: MetadataDb,
  request: SearchDatasetsRequest,
): Promise<{ datasetIds: string[]; nextPageToken?: string }> {
  const maxResults = validateMaxResults(request.maxResults);
  const clauses = parseDatasetFilter(request.filter);
  const orderBy = (
    request.orderBy !== undefined && request.orderBy.length > 0 ? request.orderBy : ["created_time DESC"]
  ).map(parseDatasetOrderBy);
  const offset = startOffsetFromPageToken(request.pageToken);

  const joins: RawBuilder<unknown>[] = [];
  const conditions: RawBuilder<SqlBool>[] = [sql<SqlBool>`1 = 1`];
  clauses.forEach((clause, index) => {
    if (clause.type === "tag") {
      const alias = `t${index}`;
      joins.push(sql`inner join evaluation_dataset_tags as ${sql.id(alias)}
        on ${sql.ref(`${alias}.dataset_id`)} = d.dataset_id and ${sql.ref(`${alias}.key`)} = ${clause.key}
        and ${compareSql(meta.dialect, sql.ref(`${alias}.value`), clause.comparator, clause.value)}`);
    } else if (clause.type === "time") {
      // Bound with every digit: mlflow compares int64s, and 2^53 + 1 is not the double 2^53. The operator is
      // one of datasetFilter.ts's closed set of time comparators, never user text.
      const value = int64Parameter(clause.value);
      const operator = sql.raw(clause.comparator);
      conditions.push(sql<SqlBool>`${sql.ref(`d.${clause.key}`)} ${operator} ${value}`);
    } else {
      conditions.push(compareSql(meta.dialect, sql.ref(`d.${clause.key}`), clause.comparator, clause.value));
    }
  });
  if (request.experimentIds !== undefined && request.experimentIds.length > 0) {
    const ids = sql.join(request.experimentIds.map((id) => sql`${String(id)}`));
    conditions.push(
      sql<SqlBool>`d.dataset_id in (select l.dataset_id from evaluation_dataset_experiments as l where l.experiment_id in (${ids}))`,
    );
  }
  const orderTerms = orderBy.map(
    (term) => sql`${sql.ref(`d.${term.key}`)} ${term.ascending ? sql`asc` : sql`desc`}`,
  );
  orderTerms.push(sql`d.dataset_id desc`);

  assertSearchJoinLimit(joins.length);
  const result = await sql<{ dataset_id: string }>`select d.dataset_id from evaluation_datasets as d
    ${sql.join(joins, sql` `)}
    where ${sql.join(conditions, sql` and `)}
    order by ${sql.join(orderTerms)}
    limit ${maxResults + 1} offset ${nonNegativeOffset(offset)}`.execute(meta.db);
  const { page, nextPageToken } = pageOf(
    result.rows.map((row) => row.dataset_id),
    offset,
    maxResults,
  );
  return nextPageToken === undefined ? { datasetIds: page } : { datasetIds: page, nextPageToken };
}

function validateMaxResults(maxResults: number | undefined): number {
  // The handler reads 0 (protobuf's unset) as "not sent".
  if (maxResults === undefined || maxResults === 0) return SEARCH_DATASETS_MAX_RESULTS_DEFAULT;
  return checkedMaxResults(maxResults, SEARCH_DATASETS_MAX_RESULTS_THRESHOLD);
}
