/**
 * Reads experiments with their tags into domain objects in a fixed number of queries per 500 ids. Shared by
 * the experiment store and by search, which finds ids first and then loads them here.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, ExperimentTable } from "../db/schema.js";
import type { Experiment, LifecycleStage, Tag } from "./entities.js";
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
