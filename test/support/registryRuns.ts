/**
 * An experiment and its finished runs, inserted straight into the tables: the registry refuses a host-less
 * mlflow-artifacts source unless run_id names a run whose artifact_uri contains it, so registry suites need runs
 * without going through the tracking store.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.js";

export interface ExperimentRunsFixture {
  /** Each run's artifact_uri is `<artifactLocation>/<runId>/artifacts`, as the tracking server lays it out. */
  runIds: readonly string[];
  experimentName?: string;
  artifactLocation?: string;
}

export interface InsertedExperimentRuns {
  experimentId: number;
  /** The artifact_uri of each run, in the order of `runIds`. */
  artifactUris: string[];
}

export async function insertExperimentRuns(
  db: Kysely<Database>,
  { runIds, experimentName = "fixture", artifactLocation = "mlflow-artifacts:/1" }: ExperimentRunsFixture,
): Promise<InsertedExperimentRuns> {
  // The id is left to the database: an explicit one would not advance PostgreSQL's sequence.
  const { experiment_id } = await db
    .insertInto("experiments")
    .values({
      name: experimentName,
      artifact_location: artifactLocation,
      lifecycle_stage: "active",
      creation_time: 1,
      last_update_time: 1,
    })
    .returning("experiment_id")
    .executeTakeFirstOrThrow();
  const artifactUris: string[] = [];
  for (const runId of runIds) {
    const artifactUri = `${artifactLocation}/${runId}/artifacts`;
    await db
      .insertInto("runs")
      .values({
        run_uuid: runId,
        name: "r",
        experiment_id,
        user_id: "u",
        status: "FINISHED",
        start_time: 1,
        end_time: null,
        lifecycle_stage: "active",
        artifact_uri: artifactUri,
        deleted_time: null,
      })
      .execute();
    artifactUris.push(artifactUri);
  }
  return { experimentId: experiment_id, artifactUris };
}

/** A READY logged model `modelId` in the experiment, its artifacts under the experiment's models folder. */
export async function insertLoggedModel(
  db: Kysely<Database>,
  modelId: string,
  experimentId: number,
  sourceRunId: string | null,
): Promise<void> {
  await db
    .insertInto("logged_models")
    .values({
      model_id: modelId,
      experiment_id: experimentId,
      name: "model",
      artifact_location: `mlflow-artifacts:/1/models/${modelId}/artifacts`,
      creation_timestamp_ms: 1,
      last_updated_timestamp_ms: 1,
      status: "READY",
      status_message: null,
      lifecycle_stage: "active",
      model_type: null,
      source_run_id: sourceRunId,
      creator_id: null,
    })
    .execute();
}
