/**
 * SearchLoggedModels: active models of the given experiments, filtered, sorted and paged with MLflow's
 * semantics. Matching and sorting run over whole models in memory (as MLflow's file store does) because a
 * metric clause looks at every linked value and a metric sort at the latest one; the bulk reader keeps the
 * query count fixed per 500 models. The page token carries the query it belongs to, and a token reused
 * with another query is rejected, as MLflow's `SearchLoggedModelsPaginationToken.validate` does.
 */
import { invalidParameter } from "../../errors.js";
import type { MetadataDb } from "../../db/connect.js";
import { nonNegativeOffset } from "../search/pageToken.js";
import type { LoggedModel } from "./entities.js";
import { readLoggedModels } from "./reader.js";
import {
  compareModels,
  matchesFilter,
  parseLoggedModelFilter,
  parseLoggedModelOrderBy,
  type DatasetFilter,
  type LoggedModelOrderBy,
} from "./searchFilter.js";

export const SEARCH_LOGGED_MODELS_DEFAULT_MAX_RESULTS = 50;
const SEARCH_LOGGED_MODELS_MAX_RESULTS = 1000;

export interface SearchLoggedModelsQuery {
  experimentIds: readonly string[];
  filter?: string | undefined;
  datasets?: readonly DatasetFilter[] | undefined;
  maxResults?: number | undefined;
  orderBy?: readonly LoggedModelOrderBy[] | undefined;
  pageToken?: string | undefined;
}

export interface LoggedModelPage {
  models: LoggedModel[];
  nextPageToken?: string;
}

export async function searchLoggedModels(
  meta: MetadataDb,
  query: SearchLoggedModelsQuery,
): Promise<LoggedModelPage> {
  // 0 is the proto's unset value, which MLflow's handler replaces with the default (`max_results or None`).
  const maxResults = query.maxResults || SEARCH_LOGGED_MODELS_DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > SEARCH_LOGGED_MODELS_MAX_RESULTS) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer at most ${SEARCH_LOGGED_MODELS_MAX_RESULTS}.`,
    );
  }
  const filter = query.filter === "" ? undefined : query.filter;
  const orderBy = query.orderBy ?? [];
  const tokenQuery: TokenQuery = {
    experiment_ids: [...query.experimentIds],
    filter_string: filter ?? null,
    order_by: orderBy.length > 0 ? orderBy.map(canonicalOrderBy) : null,
  };
  const offset = query.pageToken ? decodeToken(query.pageToken, tokenQuery) : 0;
  const clauses = parseLoggedModelFilter(filter);
  const sortTerms = parseLoggedModelOrderBy(orderBy);
  const datasets = query.datasets ?? [];
  for (const dataset of datasets) {
    if (dataset.dataset_name === "")
      throw invalidParameter("Missing value for required parameter 'dataset_name'.");
  }

  const experimentIds = query.experimentIds.filter((id) => /^\d{1,18}$/.test(id)).map(Number);
  if (experimentIds.length === 0) return { models: [] };
  const rows = await meta.db
    .selectFrom("logged_models")
    .select("model_id")
    .where("experiment_id", "in", experimentIds)
    .where("lifecycle_stage", "=", "active")
    .execute();
  const models = await readLoggedModels(
    meta.db,
    rows.map((r) => r.model_id),
  );
  const matching = models.filter((m) => matchesFilter(m, clauses, datasets)).sort(compareModels(sortTerms));
  const page = matching.slice(offset, offset + maxResults);
  return offset + maxResults < matching.length
    ? { models: page, nextPageToken: encodeToken({ ...tokenQuery, offset: offset + maxResults }) }
    : { models: page };
}

interface TokenQuery {
  experiment_ids: string[];
  filter_string: string | null;
  order_by: LoggedModelOrderBy[] | null;
}

function canonicalOrderBy(entry: LoggedModelOrderBy): LoggedModelOrderBy {
  return {
    field_name: entry.field_name,
    ascending: entry.ascending ?? true,
    ...(entry.dataset_name ? { dataset_name: entry.dataset_name } : {}),
    ...(entry.dataset_digest ? { dataset_digest: entry.dataset_digest } : {}),
  };
}

function encodeToken(token: TokenQuery & { offset: number }): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64");
}

function decodeToken(token: string, expected: TokenQuery): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidParameter(`Invalid page token: ${token}.`);
  }
  if (parsed === null || typeof parsed !== "object") throw invalidParameter(`Invalid page token: ${token}.`);
  const fields = parsed as Record<string, unknown>;
  const offset = fields.offset ?? 0;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset)) {
    throw invalidParameter(`Invalid page token: ${token}.`);
  }
  const check = (name: string, found: unknown, wanted: unknown) => {
    if (JSON.stringify(found ?? null) !== JSON.stringify(wanted)) {
      throw invalidParameter(
        `${name} in the page token does not match the requested ${name.toLowerCase()}. ` +
          `Expected: ${JSON.stringify(wanted)}. Found: ${JSON.stringify(found ?? null)}`,
      );
    }
  };
  check("Experiment IDs", fields.experiment_ids, expected.experiment_ids);
  check("Filter string", fields.filter_string, expected.filter_string);
  check("Order by", fields.order_by, expected.order_by);
  return nonNegativeOffset(offset);
}
