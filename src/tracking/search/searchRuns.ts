/**
 * runs/search in SQL: one query over runs joined with latest_metrics, params and tags, so filtering,
 * ordering and paging happen in the database and no run is loaded unless it is on the page. Returns run ids
 * only; the route loads full runs with `readRuns`.
 *
 * Semantics follow MLflow's SQL store (`sqlalchemy_store._search_runs`): a missing metric, param or tag
 * fails every comparison (inner joins), NaN and missing values sort last in both directions, the tiebreak is
 * `start_time DESC, run_id`, and a page that is exactly full gets a next page token.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { parseExperimentId } from "../experimentStore.js";
import { invalidParameter } from "../../errors.js";
import type { ViewType } from "../entities.js";
import { parseSearchFilter } from "./filterParser.js";
import { assertSearchJoinLimit } from "./joinLimit.js";
import { NULL_COMPARATORS, type FilterClause } from "./filterSyntax.js";
import { parseOrderBy, refuseDuplicateOrderBy, type OrderByTerm } from "./orderBy.js";
import { pageOf, startOffsetFromPageToken } from "./mlflowPageToken.js";
import { nonNegativeOffset } from "./mlflowPageToken.js";
import { RUN_ORDER_BY_SCHEMA, validateRunFilter } from "./runSearchSchema.js";
import { compareSql } from "./sqlComparison.js";
import { exactTimeValue } from "./timeFilterValue.js";
import { lifecycleStagesFor } from "./viewType.js";

export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;

/** The input tag that says how a dataset was used (training, eval), searchable as `dataset.context`. */
export const DATASET_CONTEXT_TAG = "mlflow.data.context";

export interface SearchRunsRequest {
  experiment_ids: readonly string[];
  filter?: string | undefined;
  run_view_type?: ViewType | undefined;
  max_results?: number | undefined;
  order_by?: readonly string[] | undefined;
  page_token?: string | undefined;
}

export interface SearchRunsResult {
  runIds: string[];
  nextPageToken?: string;
}

const ATTRIBUTE_COLUMNS: Readonly<Record<string, string>> = {
  run_id: "run_uuid",
  run_name: "name",
  status: "status",
  artifact_uri: "artifact_uri",
  user_id: "user_id",
  start_time: "start_time",
  end_time: "end_time",
  experiment_id: "experiment_id",
};

const NULLABLE_ATTRIBUTES: ReadonlySet<string> = new Set(["end_time"]);

const ENTITY_TABLES = { metric: "latest_metrics", parameter: "params", tag: "tags" } as const;

export async function searchRuns(meta: MetadataDb, request: SearchRunsRequest): Promise<SearchRunsResult> {
  const maxResults = validateMaxResults(request.max_results);
  const clauses = validateRunFilter(parseSearchFilter(request.filter));
  const orderBy = parseOrderBy(request.order_by, RUN_ORDER_BY_SCHEMA);
  refuseDuplicateOrderBy(orderBy, request.order_by);
  const offset = startOffsetFromPageToken(request.page_token);
  const experimentIds = request.experiment_ids
    .map(parseExperimentId)
    .filter((id): id is number => id !== undefined);
  if (experimentIds.length === 0) return { runIds: [] };

  const joins: RawBuilder<unknown>[] = [];
  const conditions: RawBuilder<SqlBool>[] = [
    sql<SqlBool>`r.experiment_id in (${sql.join(experimentIds)})`,
    sql<SqlBool>`r.lifecycle_stage in (${sql.join(lifecycleStagesFor(request.run_view_type))})`,
  ];
  clauses.forEach((clause, index) => {
    const alias = `f${index}`;
    if (clause.type === "attribute") {
      const { value } = clause;
      const compared = typeof value === "number" ? exactTimeValue({ ...clause, value }) : value;
      conditions.push(compareSql(meta.dialect, attributeColumn(clause.key), clause.comparator, compared));
    } else if (clause.type === "dataset") {
      conditions.push(datasetCondition(meta, clause));
    } else if (NULL_COMPARATORS.includes(clause.comparator)) {
      conditions.push(presenceCondition(clause));
    } else {
      joins.push(sql`inner join ${sql.table(ENTITY_TABLES[clause.type])} as ${sql.id(alias)}
        on ${sql.ref(`${alias}.run_uuid`)} = r.run_uuid and ${sql.ref(`${alias}.key`)} = ${clause.key}
        and ${entityCondition(meta, alias, clause)}`);
    }
  });

  const orderTerms: RawBuilder<unknown>[] = [];
  orderBy.forEach((term, index) => {
    const alias = `o${index}`;
    if (term.type === "attribute") {
      const column = attributeColumn(term.key);
      if (NULLABLE_ATTRIBUTES.has(term.key))
        orderTerms.push(sql`case when ${column} is null then 1 else 0 end`);
      orderTerms.push(sql`${column} ${direction(term)}`);
      return;
    }
    if (term.type === "dataset") return;
    joins.push(sql`left join ${sql.table(ENTITY_TABLES[term.type])} as ${sql.id(alias)}
      on ${sql.ref(`${alias}.run_uuid`)} = r.run_uuid and ${sql.ref(`${alias}.key`)} = ${term.key}`);
    const value = sql.ref(`${alias}.value`);
    orderTerms.push(
      term.type === "metric"
        ? sql`case when ${value} is null then 2 when ${sql.ref(`${alias}.is_nan`)} = 1 then 1 else 0 end`
        : sql`case when ${value} is null then 1 else 0 end`,
    );
    orderTerms.push(sql`${value} ${direction(term)}`);
  });
  if (!orderBy.some((t) => t.type === "attribute" && t.key === "start_time")) {
    orderTerms.push(sql`r.start_time desc`);
  }
  if (!orderBy.some((t) => t.type === "attribute" && t.key === "run_id"))
    orderTerms.push(sql`r.run_uuid asc`);

  assertSearchJoinLimit(joins.length);
  const result = await sql<{ run_uuid: string }>`select r.run_uuid from runs as r
    ${sql.join(joins, sql` `)}
    where ${sql.join(conditions, sql` and `)}
    order by ${sql.join(orderTerms)}
    limit ${maxResults + 1} offset ${nonNegativeOffset(offset)}`.execute(meta.db);

  // MLflow 3.17 fetches one row past the page, so an exactly full last page has no token.
  const { page, nextPageToken } = pageOf(
    result.rows.map((row) => row.run_uuid),
    offset,
    maxResults,
  );
  return nextPageToken === undefined ? { runIds: page } : { runIds: page, nextPageToken };
}

function validateMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return SEARCH_MAX_RESULTS_DEFAULT;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) {
    // MLflow 3.17's wording, so a client's error reads the same from either server.
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    );
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`,
    );
  }
  return maxResults;
}

function attributeColumn(key: string) {
  const column = ATTRIBUTE_COLUMNS[key];
  if (column === undefined) throw invalidParameter(`Invalid attribute key '${key}' specified.`);
  return sql.ref(`r.${column}`);
}

function direction(term: OrderByTerm) {
  return term.ascending ? sql`asc` : sql`desc`;
}

/**
 * A metric holding NaN equals nothing and is unequal to everything, as IEEE comparison has it; its stored
 * value is meaningless, so the flag decides.
 */
function entityCondition(meta: MetadataDb, alias: string, clause: FilterClause): RawBuilder<SqlBool> {
  const compared = compareSql(meta.dialect, sql.ref(`${alias}.value`), clause.comparator, clause.value);
  if (clause.type !== "metric") return compared;
  const isNan = sql.ref(`${alias}.is_nan`);
  return clause.comparator === "!="
    ? sql<SqlBool>`(${isNan} = 1 or ${compared})`
    : sql<SqlBool>`(${isNan} = 0 and ${compared})`;
}

/** `params.x IS NULL`: the run has no param (or tag) x; `IS NOT NULL`: it has one, whatever its value. */
function presenceCondition(clause: FilterClause): RawBuilder<SqlBool> {
  const table = ENTITY_TABLES[clause.type as "parameter" | "tag"];
  const found = sql`select 1 from ${sql.table(table)} as e where e.run_uuid = r.run_uuid and e.key = ${clause.key}`;
  return clause.comparator === "IS NULL"
    ? sql<SqlBool>`not exists (${found})`
    : sql<SqlBool>`exists (${found})`;
}

/** Each dataset clause may match a different dataset of the run, as in MLflow, so each is its own EXISTS. */
function datasetCondition(meta: MetadataDb, clause: FilterClause): RawBuilder<SqlBool> {
  const link = sql`i.source_type = 'DATASET' and i.destination_type = 'RUN' and i.destination_id = r.run_uuid`;
  if (clause.key === "context") {
    return sql<SqlBool>`exists (select 1 from inputs as i
      inner join input_tags as t on t.input_uuid = i.input_uuid and t.key = ${DATASET_CONTEXT_TAG}
      where ${link} and ${compareSql(meta.dialect, sql.ref("t.value"), clause.comparator, clause.value)})`;
  }
  const column = clause.key === "digest" ? sql.ref("d.digest") : sql.ref("d.name");
  return sql<SqlBool>`exists (select 1 from inputs as i
    inner join datasets as d on d.dataset_uuid = i.source_id
    where ${link} and ${compareSql(meta.dialect, column, clause.comparator, clause.value)})`;
}
