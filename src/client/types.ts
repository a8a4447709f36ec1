/**
 * The shapes the client returns and accepts. Domain objects are the server's own types (MLflow proto
 * shape, snake_case), re-exported so client users import everything from one place; request options are
 * camelCase, as is usual for a TypeScript API.
 */
export type {
  Dataset,
  DatasetInput,
  Experiment,
  Metric,
  Param,
  Run,
  RunInfo,
  RunStatus,
  Tag,
  ViewType,
} from "../tracking/entities.js";
export type { ModelVersion, RegisteredModel, RegisteredModelAlias, Stage } from "../registry/entities.js";
export type { LoggedModel, LoggedModelMetric, LoggedModelStatus } from "../tracking/loggedModels/entities.js";
/** An int64 on the wire: a number up to 2^53, a BigInt beyond (a metric step of 2^63-1 kept exactly). */
export type { Int64 } from "../tracking/exactInt64.js";

/** One page of a search; `nextPageToken` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface SearchOptions {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

/** Wire form of a page response: the list under its resource name, and the token. */
export type WirePage<K extends string, T> = { [P in K]?: T[] } & { next_page_token?: string };

export function toPage<K extends string, T>(response: WirePage<K, T>, key: K): Page<T> {
  const items = (response[key] ?? []) as T[];
  const token = response.next_page_token;
  return token === undefined || token === "" ? { items } : { items, nextPageToken: token };
}
