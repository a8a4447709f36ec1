/**
 * How many metric, param and tag comparisons one search may join. Each becomes a join in the search's SQL, and
 * the databases stop somewhere (SQLite at 64 tables in a join, where MLflow's own SQLite store answers 500);
 * past this limit the request is refused with a 400 that says what to change.
 */
import { invalidParameter } from "../../errors.js";

export const MAX_SEARCH_JOINS = 60;

export function assertSearchJoinLimit(joins: number): void {
  if (joins <= MAX_SEARCH_JOINS) return;
  throw invalidParameter(
    `The search's filter and order_by compare ${joins} metrics, params and tags; at most ${MAX_SEARCH_JOINS} are supported.`,
  );
}
