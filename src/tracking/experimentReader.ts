/**
 * Reads experiments with their tags into domain objects in a fixed number of queries per 500 ids. Shared by
 * the experiment store and by search, which finds ids first and then loads them here; and looks up the
 * active experiment that the MLflow 3 stores (label schemas, review queues) write under.
 */
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database, ExperimentTable } from "../db/schema.js";
import { notFound } from "../errors.js";
import { pythonInt } from "../tables/pythonNumberText.js";
import type { Experiment, LifecycleStage, Tag } from "./entities.js";
// experimentStore imports this module too; both sides only call each other's functions, never at load time.
import { parseExperimentId } from "./experimentStore.js";
import { inChunks } from "./inChunks.js";

/** Experiments in input order; ids that do not exist are dropped. */
export async function readExperiments(
  db: Kysely<Database>,
  experimentIds: readonly number[],
): Promise<Experiment[]> {
  const rows = new Map<number, Selectable<ExperimentTable>>();
  const tags = new Map<number, Tag[]>();
  for (const chunk of inChunks([...new Set(experimentIds)])) {
    const [experimentRows, tagRows] = await Promise.all([
      db.selectFrom("experiments").selectAll().where("experiment_id", "in", chunk).execute(),
      db
        .selectFrom("experiment_tags")
        .selectAll()
        .where("experiment_id", "in", chunk)
        .orderBy("key")
        .execute(),
    ]);
    for (const row of experimentRows) rows.set(Number(row.experiment_id), row);
    for (const tag of tagRows) {
      const id = Number(tag.experiment_id);
      const list = tags.get(id) ?? [];
      list.push({ key: tag.key, value: tag.value });
      tags.set(id, list);
    }
  }
  const experiments: Experiment[] = [];
  for (const id of experimentIds) {
    const row = rows.get(id);
    if (row !== undefined) experiments.push(toExperiment(row, tags.get(id) ?? []));
  }
  return experiments;
}

function toExperiment(row: Selectable<ExperimentTable>, tags: Tag[]): Experiment {
  return {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location,
    lifecycle_stage: row.lifecycle_stage as LifecycleStage,
    last_update_time: Number(row.last_update_time),
    creation_time: Number(row.creation_time),
    tags,
  };
}

/**
 * mlflow's `_get_experiment(..., ACTIVE_ONLY)`: a deleted experiment is as missing as an absent one, and the
 * message names the id as an integer ("007" is 7). Not the check of the older stores (scorers, traces), which
 * refuse a deleted experiment as not active.
 */
export async function requireActiveExperimentId<DB extends Database>(
  db: Kysely<DB> | Transaction<DB>,
  experimentId: string,
): Promise<number> {
  // Kysely's type is invariant in its tables; a store's database with tables added reads experiments alike.
  const experiments = db as unknown as Kysely<Database>;
  const id = parseExperimentId(experimentId);
  const found =
    id === undefined
      ? undefined
      : await experiments
          .selectFrom("experiments")
          .select("experiment_id")
          .where("experiment_id", "=", id)
          .where("lifecycle_stage", "=", "active")
          .executeTakeFirst();
  if (id === undefined || found === undefined) {
    throw notFound(`No Experiment with id=${pythonInt(experimentId) ?? experimentId.trim()} exists`);
  }
  return id;
}
