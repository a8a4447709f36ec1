/**
 * Runs: create, read, update, soft delete and restore, and single tags, with MLflow's SQL-store rules for
 * run names (run_name and the mlflow.runName tag always agree). Metric, param and batch writes live in
 * runLogging.ts; inputs and outputs in runInputs.ts.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, UpdateObject } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter, notFound } from "../errors.js";
import { runArtifactUri } from "./artifactLocation.js";
import type { Run, RunInfo, RunStatus, Tag } from "./entities.js";
import { validateRunTag } from "./entityValidation.js";
import { int64Parameter, type Int64 } from "./exactInt64.js";
import { getExperiment } from "./experimentStore.js";
import { inChunks } from "./inChunks.js";
import { placesAfterRun } from "./runDataOrder.js";
import { readRuns, runRows, toRunInfo, type RunRow } from "./runReader.js";
import { generateRunName } from "./runNames.js";

export const RUN_NAME_TAG = "mlflow.runName";

export interface CreateRunInput {
  experiment_id: string;
  user_id?: string | undefined;
  run_name?: string | undefined;
  start_time?: Int64 | undefined;
  tags?: readonly Tag[] | undefined;
}

export interface UpdateRunInput {
  status?: RunStatus | undefined;
  end_time?: Int64 | undefined;
  run_name?: string | undefined;
}

function runNotFound(runId: string): Error {
  return notFound(`Run with id=${runId} not found`);
}

export async function getRun(db: Kysely<Database>, runId: string): Promise<Run> {
  const [run] = await readRuns(db, [runId]);
  if (run === undefined) throw runNotFound(runId);
  return run;
}

async function getRunRow(db: Kysely<Database>, runId: string): Promise<RunRow> {
  const row = await runRows(db).where("run_uuid", "=", runId).executeTakeFirst();
  if (row === undefined) throw runNotFound(runId);
  return row;
}

/** The run's row, refusing writes to a deleted run as MLflow's `_check_run_is_active` does. */
export async function requireActiveRun(db: Kysely<Database>, runId: string): Promise<RunRow> {
  const row = await getRunRow(db, runId);
  if (row.lifecycle_stage !== "active") {
    throw invalidParameter(
      `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return row;
}

export async function createRun(db: Kysely<Database>, input: CreateRunInput, now: number): Promise<Run> {
  const experiment = await getExperiment(db, input.experiment_id);
  if (experiment.lifecycle_stage !== "active") {
    throw invalidParameter(
      `The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
    );
  }
  const tags = (input.tags ?? []).map((tag) => validateRunTag(tag));
  const nameTag = lastValue(tags, RUN_NAME_TAG);
  const runName = input.run_name || undefined;
  if (runName !== undefined && nameTag !== undefined && runName !== nameTag) {
    throw invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${runName}', mlflow.runName='${nameTag}').`,
    );
  }
  const name = runName ?? nameTag ?? generateRunName();
  if (nameTag === undefined) tags.push({ key: RUN_NAME_TAG, value: name });

  const runId = randomUUID().replace(/-/g, "");
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("runs")
      .values({
        run_uuid: runId,
        name,
        experiment_id: Number(experiment.experiment_id),
        user_id: input.user_id ?? "",
        status: "RUNNING",
        start_time: int64Parameter(input.start_time ?? now),
        end_time: null,
        lifecycle_stage: "active",
        artifact_uri: runArtifactUri(experiment.artifact_location, runId),
        deleted_time: null,
      })
      .execute();
    await upsertTags(tx, runId, tags);
  });
  return getRun(db, runId);
}

function lastValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.findLast((t) => t.key === key)?.value;
}

export async function updateRun(
  db: Kysely<Database>,
  runId: string,
  input: UpdateRunInput,
): Promise<RunInfo> {
  await requireActiveRun(db, runId);
  return db.transaction().execute(async (tx) => {
    const changes: UpdateObject<Database, "runs"> = {};
    if (input.status !== undefined) changes.status = input.status;
    if (input.end_time !== undefined) changes.end_time = int64Parameter(input.end_time);
    if (input.run_name) changes.name = input.run_name;
    if (Object.keys(changes).length > 0) {
      await tx.updateTable("runs").set(changes).where("run_uuid", "=", runId).execute();
    }
    if (input.run_name) await upsertTags(tx, runId, [{ key: RUN_NAME_TAG, value: input.run_name }]);
    return toRunInfo(await getRunRow(tx, runId));
  });
}

export async function deleteRun(db: Kysely<Database>, runId: string, now: number): Promise<void> {
  await getRunRow(db, runId);
  await db
    .updateTable("runs")
    .set({ lifecycle_stage: "deleted", deleted_time: now })
    .where("run_uuid", "=", runId)
    .execute();
}

export async function restoreRun(db: Kysely<Database>, runId: string): Promise<void> {
  await getRunRow(db, runId);
  await db
    .updateTable("runs")
    .set({ lifecycle_stage: "active", deleted_time: null })
    .where("run_uuid", "=", runId)
    .execute();
}

export async function setRunTag(db: Kysely<Database>, runId: string, given: Tag): Promise<void> {
  const tag = validateRunTag(given);
  await requireActiveRun(db, runId);
  await db.transaction().execute((tx) => writeRunTags(tx, runId, [tag]));
}

export async function deleteRunTag(db: Kysely<Database>, runId: string, key: string): Promise<void> {
  await requireActiveRun(db, runId);
  const result = await db
    .deleteFrom("tags")
    .where("run_uuid", "=", runId)
    .where("key", "=", key)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
}

/**
 * Upserts tags (the last value of a key wins) and renames the run when mlflow.runName is among them, so the
 * run's name and its tag never disagree. Call inside a transaction.
 */
export async function writeRunTags(db: Kysely<Database>, runId: string, tags: readonly Tag[]): Promise<void> {
  if (tags.length === 0) return;
  await upsertTags(db, runId, tags);
  const newName = lastValue(tags, RUN_NAME_TAG);
  if (newName !== undefined) {
    await db.updateTable("runs").set({ name: newName }).where("run_uuid", "=", runId).execute();
  }
}

async function upsertTags(db: Kysely<Database>, runId: string, tags: readonly Tag[]): Promise<void> {
  // PostgreSQL refuses an upsert that touches one row twice, so duplicates are folded first.
  const unique = new Map(tags.map((t) => [t.key, t.value]));
  const places = await placesAfterRun(db, "tags", runId, unique.keys());
  // Key order keeps concurrent upserts on PostgreSQL from deadlocking.
  for (const chunk of inChunks([...unique].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))) {
    await db
      .insertInto("tags")
      .values(chunk.map(([key, value]) => ({ run_uuid: runId, key, value, seq: places.get(key) })))
      .onConflict((oc) =>
        oc.columns(["run_uuid", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
      )
      .execute();
  }
}
