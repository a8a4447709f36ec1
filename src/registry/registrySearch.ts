/**
 * registered-models/search and model-versions/search in SQL, with the keys, comparators, orderings,
 * defaults and limits of MLflow's SQL registry store. Filter values are always bound parameters. Models
 * that hold prompts (MLflow 3) are left out unless the filter asks for them, as MLflow does.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../db/connect.js";
import { invalidParameter } from "../errors.js";
import {
  LIST_COMPARATORS,
  NUMERIC_COMPARATORS,
  parseOrderBy,
  parseSearchFilter,
  refuseDuplicateOrderBy,
  STRING_COMPARATORS,
  validateFilter,
  type FilterClause,
  type FilterSchema,
  type OrderByTerm,
} from "../tracking/search/filterParser.js";
import {
  nonNegativeOffset,
  pageTokenFor,
  startOffsetFromPageToken,
} from "../tracking/search/mlflowPageToken.js";
import { compareSql } from "../tracking/search/sqlComparison.js";
import { PROMPT_TAG_KEY, type ModelVersion, type RegisteredModel } from "./entities.js";
import { hydrateModelVersions, readRegisteredModels } from "./registryReader.js";

export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000;
/**
 * The store's default; over REST the proto's default (200000, the threshold) applies instead, so the route
 * passes that for a request without max_results.
 */
export const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000;

export interface RegistrySearchRequest {
  filter?: string | undefined;
  max_results?: number | undefined;
  order_by?: readonly string[] | undefined;
  page_token?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

const TAG_RULE = { valueType: "string", comparators: STRING_COMPARATORS } as const;

/** Names may also be listed: MLflow's SQL store allows IN and NOT IN for model (and version) names. */
const NAME_RULE = { valueType: "string", comparators: [...STRING_COMPARATORS, ...LIST_COMPARATORS] } as const;

const REGISTERED_MODEL_FILTER: FilterSchema = {
  attribute: { name: NAME_RULE },
  tag: TAG_RULE,
};

const MODEL_VERSION_FILTER: FilterSchema = {
  attribute: {
    name: NAME_RULE,
    run_id: NAME_RULE,
    source_path: TAG_RULE,
    version_number: { valueType: "number", comparators: NUMERIC_COMPARATORS },
  },
  tag: TAG_RULE,
};

/** `timestamp` sorts by the last update, as in MLflow; `creation_timestamp` is accepted too. */
const REGISTERED_MODEL_ORDER_BY = {
  attribute: {
    name: "name",
    timestamp: "last_updated_time",
    last_updated_timestamp: "last_updated_time",
    creation_timestamp: "creation_time",
  },
};

const MODEL_VERSION_ORDER_BY = {
  attribute: {
    name: "name",
    version_number: "version",
    creation_timestamp: "creation_time",
    last_updated_timestamp: "last_updated_time",
  },
};

const MODEL_VERSION_DEFAULT_ORDER = ["last_updated_timestamp DESC", "name ASC", "version_number DESC"];

const MODEL_VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: "mv.name",
  run_id: "mv.run_id",
  source_path: "mv.source",
  version_number: "mv.version",
};

export async function searchRegisteredModels(
  meta: MetadataDb,
  request: RegistrySearchRequest,
): Promise<Page<RegisteredModel>> {
  const maxResults = checkMaxResults(
    request.max_results ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  );
  const clauses = validateFilter(parseSearchFilter(request.filter), REGISTERED_MODEL_FILTER);
  const order = withTiebreaks(parseOrderBy(request.order_by, REGISTERED_MODEL_ORDER_BY), request.order_by, [
    { key: "name", ascending: true },
  ]);
  const offset = startOffsetFromPageToken(request.page_token);

  const conditions = promptScope(clauses).map((clause) =>
    clause.type === "attribute"
      ? compareSql(meta.dialect, sql.ref("rm.name"), clause.comparator, clause.value)
      : tagCondition(meta, "registered_model_tags", sql`t.name = rm.name`, clause),
  );
  conditions.push(...promptExclusion(clauses, "registered_model_tags", "rm"));
  let query = meta.db.selectFrom("registered_models as rm").select("rm.name");
  for (const condition of conditions) query = query.where(condition);
  for (const term of order) query = query.orderBy(sql.ref(`rm.${term.key}`), term.ascending ? "asc" : "desc");
  const rows = await query
    .limit(maxResults + 1)
    .offset(nonNegativeOffset(offset))
    .execute();
  const names = rows.slice(0, maxResults).map((r) => r.name);
  return page(await readRegisteredModels(meta.db, names), rows.length > maxResults, offset + maxResults);
}

export async function searchModelVersions(
  meta: MetadataDb,
  request: RegistrySearchRequest,
): Promise<Page<ModelVersion>> {
  const maxResults = checkMaxResults(
    request.max_results ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
    SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  );
  const clauses = validateFilter(parseSearchFilter(request.filter), MODEL_VERSION_FILTER);
  const orderClauses =
    request.order_by !== undefined && request.order_by.length > 0
      ? request.order_by
      : MODEL_VERSION_DEFAULT_ORDER;
  const order = withTiebreaks(parseOrderBy(orderClauses, MODEL_VERSION_ORDER_BY), orderClauses, [
    { key: "name", ascending: true },
    { key: "version", ascending: false },
  ]);
  const offset = startOffsetFromPageToken(request.page_token);

  const conditions = promptScope(clauses).map((clause) =>
    clause.type === "attribute"
      ? modelVersionAttributeCondition(meta, clause)
      : tagCondition(meta, "model_version_tags", sql`t.name = mv.name and t.version = mv.version`, clause),
  );
  conditions.push(...promptExclusion(clauses, "model_version_tags", "mv"));
  let query = meta.db.selectFrom("model_versions as mv").selectAll("mv").where("mv.deleted", "=", 0);
  for (const condition of conditions) query = query.where(condition);
  for (const term of order) query = query.orderBy(sql.ref(`mv.${term.key}`), term.ascending ? "asc" : "desc");
  const rows = await query
    .limit(maxResults + 1)
    .offset(nonNegativeOffset(offset))
    .execute();
  const versions = await hydrateModelVersions(meta.db, rows.slice(0, maxResults), { withAliases: false });
  return page(versions, rows.length > maxResults, offset + maxResults);
}

function checkMaxResults(maxResults: number, threshold: number): number {
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(
      `Invalid value for max_results. It must be a positive integer, but got ${maxResults}`,
    );
  }
  if (maxResults > threshold) {
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${threshold}, but got value ${maxResults}`,
    );
  }
  return maxResults;
}

/** Adds the natural ordering after the requested one; a field named twice is an error, as in MLflow. */
function withTiebreaks(
  terms: OrderByTerm[],
  clauses: readonly string[] | undefined,
  tiebreaks: readonly { key: string; ascending: boolean }[],
): { key: string; ascending: boolean }[] {
  refuseDuplicateOrderBy(terms, clauses);
  const seen = new Set(terms.map((t) => t.key));
  return [...terms, ...tiebreaks.filter((t) => !seen.has(t.key))];
}

function modelVersionAttributeCondition(meta: MetadataDb, clause: FilterClause): RawBuilder<SqlBool> {
  const column = sql.ref(MODEL_VERSION_COLUMNS[clause.key] ?? "mv.name");
  if (clause.comparator === "IN" && clause.key === "run_id") {
    // Run ids are lower-case hex, so MLflow drops values with upper case letters rather than match them.
    const values = (Array.isArray(clause.value) ? clause.value : [String(clause.value)]).filter(
      (v) => v === v.toLowerCase(),
    );
    if (values.length === 0) return sql<SqlBool>`1 = 0`;
    return compareSql(meta.dialect, column, "IN", values);
  }
  return compareSql(meta.dialect, column, clause.comparator, clause.value);
}

function tagCondition(
  meta: MetadataDb,
  table: "registered_model_tags" | "model_version_tags",
  owner: RawBuilder<unknown>,
  clause: FilterClause,
): RawBuilder<SqlBool> {
  const value = compareSql(
    meta.dialect,
    sql.ref("t.value") as Expression<unknown>,
    clause.comparator,
    clause.value,
  );
  return sql<SqlBool>`exists (select 1 from ${sql.table(table)} as t where ${owner} and t.key = ${clause.key} and ${value})`;
}

/** True when the filter selects prompts (`tags.mlflow.prompt.is_prompt = 'true'`), MLflow's `_is_querying_prompt`. */
function isQueryingPrompts(clauses: readonly FilterClause[]): boolean {
  const clause = clauses.find((c) => c.type === "tag" && c.key === PROMPT_TAG_KEY);
  if (clause === undefined) return false;
  const value = String(clause.value).toLowerCase();
  return (clause.comparator === "=" && value === "true") || (clause.comparator === "!=" && value === "false");
}

/** Outside prompt queries the prompt tag is not a filter of its own: MLflow drops it. */
function promptScope(clauses: readonly FilterClause[]): FilterClause[] {
  if (isQueryingPrompts(clauses)) return [...clauses];
  return clauses.filter((c) => !(c.type === "tag" && c.key === PROMPT_TAG_KEY));
}

function promptExclusion(
  clauses: readonly FilterClause[],
  table: "registered_model_tags" | "model_version_tags",
  alias: "rm" | "mv",
): RawBuilder<SqlBool>[] {
  if (isQueryingPrompts(clauses)) return [];
  return [
    sql<SqlBool>`not exists (select 1 from ${sql.table(table)} as p where p.name = ${sql.ref(`${alias}.name`)}
      and p.key = ${PROMPT_TAG_KEY} and p.value = 'true')`,
  ];
}

function page<T>(items: T[], more: boolean, nextOffset: number): Page<T> {
  return more ? { items, nextPageToken: pageTokenFor(nextOffset) } : { items };
}
