/**
 * SearchLoggedModels: active models of the given experiments, filtered, sorted and paged with MLflow's
 * semantics. Matching and sorting run over whole models in memory (as MLflow's file store does) because a
 * metric clause looks at every linked value and a metric sort at the latest one; the bulk reader keeps the
 * query count fixed per 500 models. The page token carries the query it belongs to, and a token reused
 * with another query is rejected, as MLflow's `SearchLoggedModelsPaginationToken.validate` does.
 */
import { invalidParameter } from "../../errors.js";
import type { MetadataDb } from "../../db/connect.js";
import {
  loggedModelPageToken,
  loggedModelTokenOffset,
  type LoggedModelTokenQuery,
} from "../search/loggedModelPageToken.js";
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
  const tokenQuery: LoggedModelTokenQuery = { experimentIds: query.experimentIds, filter, orderBy };
  // A negative offset is kept for the next token, as mlflow keeps it, and reads as the first page.
  const offset = query.pageToken ? loggedModelTokenOffset(query.pageToken, tokenQuery) : 0;
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
  const start = Math.max(offset, 0);
  const page = matching.slice(start, start + maxResults);
  return start + maxResults < matching.length
    ? { models: page, nextPageToken: loggedModelPageToken(tokenQuery, offset + maxResults) }
    : { models: page };
}
