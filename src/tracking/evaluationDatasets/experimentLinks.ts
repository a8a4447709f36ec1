/**
 * A dataset's links to experiments, as mlflow's store keeps them: linking needs each experiment to exist,
 * relinking keeps the first link, and unlinking what is not linked is no change.
 */
import type { Kysely } from "kysely";
import type { EvaluationDatasetDatabase } from "../../db/schema.js";
import { notFound } from "../../errors.js";
import { datasetExists } from "./datasetReader.js";

type Db = Kysely<EvaluationDatasetDatabase>;

export async function linkedExperimentIds(db: Db, datasetId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("evaluation_dataset_experiments")
    .select("experiment_id")
    .where("dataset_id", "=", datasetId)
    .orderBy("created_time", "asc")
    .orderBy("experiment_id", "asc")
    .execute();
  return rows.map((r) => r.experiment_id);
}

/** Links the dataset to experiments that must exist; links it already has are kept as they are. */
export async function linkToExperiments(
  db: Db,
  time: number,
  datasetId: string,
  experimentIds: readonly string[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await datasetExists(trx, datasetId))) throw notFound(`Dataset '${datasetId}' not found`);
    const ids = experimentIds.map(String);
    for (const id of ids) {
      // mlflow compares the ids it finds, as text, with the ids sent: only the canonical spelling links, so
      // "007", " 7" and "+7" name no experiment here although experiments/get reads them as 7.
      const numeric = /^(?:0|[1-9]\d*)$/.test(id) && id.length < 16 ? Number(id) : undefined;
      const found =
        numeric === undefined
          ? undefined
          : await trx
              .selectFrom("experiments")
              .select("experiment_id")
              .where("experiment_id", "=", numeric)
              .executeTakeFirst();
      if (found === undefined) throw notFound(`No Experiment with id=${id}`);
    }
    for (const id of new Set(ids)) {
      await trx
        .insertInto("evaluation_dataset_experiments")
        .values({ dataset_id: datasetId, experiment_id: id, created_time: time })
        .onConflict((oc) => oc.columns(["dataset_id", "experiment_id"]).doNothing())
        .execute();
    }
    await trx
      .updateTable("evaluation_datasets")
      .set({ last_update_time: time })
      .where("dataset_id", "=", datasetId)
      .execute();
  });
}

/** Unlinks; ids it was not linked to are skipped, and the update time moves only when a link goes. */
export async function unlinkFromExperiments(
  db: Db,
  now: () => number,
  datasetId: string,
  experimentIds: readonly string[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await datasetExists(trx, datasetId))) throw notFound(`Dataset '${datasetId}' not found`);
    const ids = experimentIds.map(String);
    if (ids.length === 0) return;
    const result = await trx
      .deleteFrom("evaluation_dataset_experiments")
      .where("dataset_id", "=", datasetId)
      .where("experiment_id", "in", ids)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) > 0) {
      await trx
        .updateTable("evaluation_datasets")
        .set({ last_update_time: now() })
        .where("dataset_id", "=", datasetId)
        .execute();
    }
  });
}
