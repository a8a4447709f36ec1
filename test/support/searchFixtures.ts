/**
 * Row-level fixtures for the search contract suites: inserts experiments, runs, latest metrics, params,
 * tags and dataset inputs straight into the tables, so search is tested without the tracking store.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.js";

export interface RunFixture {
  id: string;
  experimentId: number;
  name?: string;
  status?: string;
  userId?: string;
  startTime: number;
  endTime?: number | null;
  deleted?: boolean;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: Array<{ name: string; digest: string; context?: string }>;
}

export async function insertExperiment(
  db: Kysely<Database>,
  fields: { id: number; name: string; creationTime?: number; lastUpdateTime?: number; deleted?: boolean },
  tags: Record<string, string> = {},
): Promise<void> {
  await db
    .insertInto("experiments")
    .values({
      experiment_id: fields.id,
      name: fields.name,
      artifact_location: `mlflow-artifacts:/${fields.id}`,
      lifecycle_stage: fields.deleted === true ? "deleted" : "active",
      creation_time: fields.creationTime ?? 0,
      last_update_time: fields.lastUpdateTime ?? fields.creationTime ?? 0,
    })
    .execute();
  for (const [key, value] of Object.entries(tags)) {
    await db.insertInto("experiment_tags").values({ experiment_id: fields.id, key, value }).execute();
  }
}

export async function insertRun(db: Kysely<Database>, run: RunFixture): Promise<void> {
  await db
    .insertInto("runs")
    .values({
      run_uuid: run.id,
      name: run.name ?? run.id,
      experiment_id: run.experimentId,
      user_id: run.userId ?? "alice",
      status: run.status ?? "FINISHED",
      start_time: run.startTime,
      end_time: run.endTime ?? null,
      lifecycle_stage: run.deleted === true ? "deleted" : "active",
      artifact_uri: `mlflow-artifacts:/${run.experimentId}/${run.id}/artifacts`,
      deleted_time: null,
    })
    .execute();
  for (const [key, value] of Object.entries(run.metrics ?? {})) {
    const isNan = Number.isNaN(value);
    await db
      .insertInto("latest_metrics")
      .values({
        run_uuid: run.id,
        key,
        value: isNan ? 0 : value,
        timestamp: 0,
        step: 0,
        is_nan: isNan ? 1 : 0,
      })
      .execute();
  }
  for (const [key, value] of Object.entries(run.params ?? {})) {
    await db.insertInto("params").values({ run_uuid: run.id, key, value }).execute();
  }
  for (const [key, value] of Object.entries(run.tags ?? {})) {
    await db.insertInto("tags").values({ run_uuid: run.id, key, value }).execute();
  }
  for (const [index, dataset] of (run.datasets ?? []).entries()) {
    const datasetId = `${run.id}-ds${index}`;
    const inputId = `${run.id}-in${index}`;
    await db
      .insertInto("datasets")
      .values({
        dataset_uuid: datasetId,
        experiment_id: run.experimentId,
        name: dataset.name,
        digest: dataset.digest,
        dataset_source_type: "local",
        dataset_source: "{}",
        dataset_schema: null,
        dataset_profile: null,
      })
      .execute();
    await db
      .insertInto("inputs")
      .values({
        input_uuid: inputId,
        source_type: "DATASET",
        source_id: datasetId,
        destination_type: "RUN",
        destination_id: run.id,
        step: null,
      })
      .execute();
    if (dataset.context !== undefined) {
      await db
        .insertInto("input_tags")
        .values({ input_uuid: inputId, key: "mlflow.data.context", value: dataset.context })
        .execute();
    }
  }
}
