/**
 * The order MLflow's SQL store gives a run's params, tags and latest metrics: the order they were first
 * logged (SQLite row order of unordered relationships). A row written again in place (a tag overwritten, a
 * newer metric step) keeps its place; a deleted tag set again goes last. Writes here go in key order to keep
 * PostgreSQL upserts from deadlocking, so the place is stored in `seq` rather than left to row order.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";

export type RunDataTable = "params" | "tags" | "latest_metrics";

/**
 * Places for the run's new keys, after every row it has, in the order the keys first appear. Keys the run
 * already has get a place too; the upsert leaves theirs unchanged. Two writers racing for one run may draw
 * the same places; reads then break the tie by key.
 */
export async function placesAfterRun(
  db: Kysely<Database>,
  table: RunDataTable,
  runId: string,
  keys: Iterable<string>,
): Promise<Map<string, number>> {
  const last = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("run_uuid", "=", runId)
    .executeTakeFirst();
  // PostgreSQL returns a bigint as text.
  let next = Number(last?.seq ?? 0) + 1;
  const places = new Map<string, number>();
  for (const key of keys) if (!places.has(key)) places.set(key, next++);
  return places;
}
