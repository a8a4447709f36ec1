/**
 * experiments/search in SQL (`sqlalchemy_store.search_experiments`): filter on name, experiment_id,
 * creation_time, last_update_time and tags, order by name, experiment_id, creation_time or last_update_time
 * with experiment_id as the tiebreak, and fetch one row more than the page to know whether another page exists.
 * Returns ids only; the route loads full experiments with `readExperiments`.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { invalidParameter } from "../../errors.js";
import type { ViewType } from "../entities.js";
import { parseSearchFilter } from "./filterParser.js";
import { assertSearchJoinLimit } from "./joinLimit.js";
import { NULL_COMPARATORS } from "./filterSyntax.js";
import {
  LIST_COMPARATORS,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  validateFilter,
  type FilterSchema,
} from "./filterValidation.js";
import { parseOrderBy, type OrderBySchema } from "./orderBy.js";
import { pageOf, startOffsetFromPageToken } from "./mlflowPageToken.js";
import { nonNegativeOffset } from "./mlflowPageToken.js";
import { compareSql } from "./sqlComparison.js";
import { exactTimeValue } from "./timeFilterValue.js";
import { lifecycleStagesFor } from "./viewType.js";
import { parseExperimentId } from "../experimentStore.js";

export const SEARCH_EXPERIMENTS_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_EXPERIMENTS_MAX_RESULTS_THRESHOLD = 50_000;

export interface SearchExperimentsRequest {
  filter?: string | undefined;
  view_type?: ViewType | undefined;
  max_results?: number | undefined;
  order_by?: readonly string[] | undefined;
  page_token?: string | undefined;
}

export interface SearchExperimentsResult {
  experimentIds: number[];
  nextPageToken?: string;
}

export const EXPERIMENT_FILTER_SCHEMA: FilterSchema = {
  attribute: {
    name: { valueType: "string", comparators: STRING_COMPARATORS },
    // MLflow 3.17: a quoted id, or a list of them, compared as integers; no LIKE or ordering on ids.
    experiment_id: { valueType: "string", comparators: ["=", "!=", ...LIST_COMPARATORS] },
    creation_time: { valueType: "number", comparators: NUMERIC_COMPARATORS },
    last_update_time: { valueType: "number", comparators: NUMERIC_COMPARATORS },
  },
  // MLflow 3.17.2's SearchExperimentsUtils accepts IS NULL / IS NOT NULL on tags, as for runs.
  tag: { valueType: "string", comparators: [...STRING_COMPARATORS, ...NULL_COMPARATORS] },
};

export const EXPERIMENT_ORDER_BY_SCHEMA: OrderBySchema = {
  attribute: {
    name: "name",
    experiment_id: "experiment_id",
    creation_time: "creation_time",
    last_update_time: "last_update_time",
  },
};

const DEFAULT_ORDER_BY = ["creation_time DESC", "experiment_id ASC"];

export async function searchExperiments(
  meta: MetadataDb,
  request: SearchExperimentsRequest,
): Promise<SearchExperimentsResult> {
  const maxResults = validateMaxResults(request.max_results);
  const clauses = validateFilter(parseSearchFilter(request.filter), EXPERIMENT_FILTER_SCHEMA);
  const orderBy = parseOrderBy(
    request.order_by !== undefined && request.order_by.length > 0 ? request.order_by : DEFAULT_ORDER_BY,
    EXPERIMENT_ORDER_BY_SCHEMA,
  );
  const offset = startOffsetFromPageToken(request.page_token);

  const joins: RawBuilder<unknown>[] = [];
  const conditions: RawBuilder<SqlBool>[] = [
    sql<SqlBool>`e.lifecycle_stage in (${sql.join(lifecycleStagesFor(request.view_type))})`,
  ];
  clauses.forEach((clause, index) => {
    if (clause.type === "tag" && NULL_COMPARATORS.includes(clause.comparator)) {
      const found = sql`select 1 from experiment_tags as et where et.experiment_id = e.experiment_id and et.key = ${clause.key}`;
      conditions.push(
        clause.comparator === "IS NULL"
          ? sql<SqlBool>`not exists (${found})`
          : sql<SqlBool>`exists (${found})`,
      );
    } else if (clause.type === "tag") {
      const alias = `t${index}`;
      joins.push(sql`inner join experiment_tags as ${sql.id(alias)}
        on ${sql.ref(`${alias}.experiment_id`)} = e.experiment_id and ${sql.ref(`${alias}.key`)} = ${clause.key}
        and ${compareSql(meta.dialect, sql.ref(`${alias}.value`), clause.comparator, clause.value)}`);
    } else if (clause.key === "experiment_id") {
      conditions.push(
        compareSql(meta.dialect, sql.ref("e.experiment_id"), clause.comparator, experimentIds(clause.value)),
      );
    } else {
      const { value } = clause;
      const compared = typeof value === "number" ? exactTimeValue({ ...clause, value }) : value;
      conditions.push(compareSql(meta.dialect, sql.ref(`e.${clause.key}`), clause.comparator, compared));
    }
  });

  const orderTerms = orderBy.map(
    (term) => sql`${sql.ref(`e.${term.key}`)} ${term.ascending ? sql`asc` : sql`desc`}`,
  );
  if (!orderBy.some((term) => term.key === "experiment_id")) orderTerms.push(sql`e.experiment_id asc`);

  assertSearchJoinLimit(joins.length);
  const result = await sql<{ experiment_id: number }>`select e.experiment_id from experiments as e
    ${sql.join(joins, sql` `)}
    where ${sql.join(conditions, sql` and `)}
    order by ${sql.join(orderTerms)}
    limit ${maxResults + 1} offset ${nonNegativeOffset(offset)}`.execute(meta.db);

  const { page, nextPageToken } = pageOf(
    result.rows.map((row) => Number(row.experiment_id)),
    offset,
    maxResults,
  );
  return nextPageToken === undefined ? { experimentIds: page } : { experimentIds: page, nextPageToken };
}

/** Ids as integers, as MLflow binds them; an id beyond any this store hands out becomes -1, which names none. */
function experimentIds(value: string | number | readonly string[]): number | number[] {
  const toId = (text: string | number) => parseExperimentId(text) ?? -1;
  return typeof value === "object" ? value.map(toId) : toId(value);
}

function validateMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return SEARCH_EXPERIMENTS_MAX_RESULTS_DEFAULT;
  return checkedMaxResults(maxResults, SEARCH_EXPERIMENTS_MAX_RESULTS_THRESHOLD);
}

/**
 * mlflow's `_validate_max_results_param` for a value that was sent: a whole number from 1 to `threshold`,
 * refused in MLflow 3.17's wording, so a client's error reads the same from either server. The experiment,
 * issue and evaluation dataset searches share it.
 */
export function checkedMaxResults(maxResults: number, threshold: number): number {
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    );
  }
  if (maxResults > threshold) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${threshold}`,
    );
  }
  return maxResults;
}
