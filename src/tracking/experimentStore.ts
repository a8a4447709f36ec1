/**
 * Experiments: create, read, rename, soft delete and restore, and their tags, with MLflow's SQL-store
 * semantics and messages. Deleting an experiment also marks its runs deleted; restoring brings them back.
 * Returns domain objects; never rows.
 */
import type { Kysely } from "kysely";
import { assertSafeArtifactUri } from "../artifacts/pathSafety.js";
import type { Database } from "../db/schema.js";
import { alreadyExists, FlowOpsError, invalidParameter, notFound } from "../errors.js";
import { pythonInt } from "../tables/pythonNumberText.js";
import { experimentArtifactLocation } from "./artifactLocation.js";
import type { Experiment, Tag } from "./entities.js";
import { validateExperimentName, validateExperimentTag } from "./entityValidation.js";
import { readExperiments } from "./experimentReader.js";
import { isUniqueViolation } from "./uniqueViolation.js";

export const DEFAULT_EXPERIMENT_ID = 0;
export const DEFAULT_EXPERIMENT_NAME = "Default";

export interface CreateExperimentInput {
  name: string;
  artifact_location?: string | undefined;
  tags?: readonly Tag[] | undefined;
}

const MAX_SAFE_ID = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Experiment ids are integers in the database and strings on the wire. As MLflow's `_parse_experiment_id`
 * (Python's `int()`, so " 7 ", "+7", "007" and "0_7" all name 7): anything but an integer is
 * INVALID_PARAMETER_VALUE; an integer beyond the ids this store hands out names nothing (undefined).
 */
export function parseExperimentId(experimentId: string | number): number | undefined {
  const id = pythonInt(String(experimentId));
  if (id === undefined) {
    throw invalidParameter(`Invalid experiment ID '${experimentId}'. Experiment ID must be a valid integer.`);
  }
  return id >= -MAX_SAFE_ID && id <= MAX_SAFE_ID ? Number(id) : undefined;
}

/** MLflow's message names the id as `int()` read it ("1_0" is 10), as the store looked it up. */
function noExperiment(experimentId: string | number): Error {
  return notFound(`No Experiment with id=${pythonInt(String(experimentId)) ?? experimentId} exists`);
}

/**
 * Creates experiment 0, "Default", unless it exists. Safe when several replicas start at once: the insert
 * does nothing on any conflict, so the loser of a race simply finds it there.
 */
export async function ensureDefaultExperiment(
  db: Kysely<Database>,
  artifactRoot: string,
  now: number,
): Promise<void> {
  await db
    .insertInto("experiments")
    .values({
      experiment_id: DEFAULT_EXPERIMENT_ID,
      name: DEFAULT_EXPERIMENT_NAME,
      artifact_location: experimentArtifactLocation(artifactRoot, String(DEFAULT_EXPERIMENT_ID)),
      lifecycle_stage: "active",
      creation_time: now,
      last_update_time: now,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Returns the new experiment's id. The row is inserted first because the default location needs the id. */
export async function createExperiment(
  db: Kysely<Database>,
  input: CreateExperimentInput,
  artifactRoot: string,
  now: number,
): Promise<string> {
  validateExperimentName(input.name);
  const tags = input.tags ?? [];
  tags.forEach(validateExperimentTag);
  const explicitLocation = input.artifact_location || undefined;
  if (explicitLocation !== undefined) {
    if (explicitLocation.startsWith("runs:")) {
      throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${explicitLocation}'`);
    }
    assertSafeArtifactUri(explicitLocation, "artifact_location");
  }
  try {
    return await db.transaction().execute(async (tx) => {
      const { experiment_id: id } = await tx
        .insertInto("experiments")
        .values({
          name: input.name,
          artifact_location: explicitLocation ?? "",
          lifecycle_stage: "active",
          creation_time: now,
          last_update_time: now,
        })
        .returning("experiment_id")
        .executeTakeFirstOrThrow();
      if (explicitLocation === undefined) {
        await tx
          .updateTable("experiments")
          .set({ artifact_location: experimentArtifactLocation(artifactRoot, String(id)) })
          .where("experiment_id", "=", id)
          .execute();
      }
      const unique = new Map(tags.map((t) => [t.key, t.value]));
      if (unique.size > 0) {
        await tx
          .insertInto("experiment_tags")
          .values([...unique].map(([key, value]) => ({ experiment_id: id, key, value })))
          .execute();
      }
      return String(id);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyExists(`Experiment(name=${input.name}) already exists.`);
    throw error;
  }
}

/** Any experiment by id, deleted ones included. */
export async function getExperiment(
  db: Kysely<Database>,
  experimentId: string | number,
): Promise<Experiment> {
  const id = parseExperimentId(experimentId);
  const [experiment] = id === undefined ? [] : await readExperiments(db, [id]);
  if (experiment === undefined) throw noExperiment(experimentId);
  return experiment;
}

export async function getExperimentByName(db: Kysely<Database>, name: string): Promise<Experiment> {
  const row = await db
    .selectFrom("experiments")
    .select("experiment_id")
    .where("name", "=", name)
    .executeTakeFirst();
  const [experiment] = row === undefined ? [] : await readExperiments(db, [Number(row.experiment_id)]);
  if (experiment === undefined) throw notFound(`Could not find experiment with name '${name}'`);
  return experiment;
}

/**
 * The experiment's id if it is in `stage`. Refused as mlflow's SQL store refuses each call: writes to a deleted
 * experiment name its stored id ("The experiment 7 must be in the 'active' state..."), while delete and restore
 * look the experiment up in the one stage they accept, so the other is "No Experiment with id=7 exists".
 */
async function requireStage(
  db: Kysely<Database>,
  experimentId: string | number,
  stage: "active" | "deleted",
  wrongStage: "state" | "not found" | FlowOpsError = "state",
): Promise<number> {
  const id = parseExperimentId(experimentId);
  const row =
    id === undefined
      ? undefined
      : await db
          .selectFrom("experiments")
          .select(["experiment_id", "lifecycle_stage"])
          .where("experiment_id", "=", id)
          .executeTakeFirst();
  if (row === undefined || id === undefined) throw noExperiment(experimentId);
  if (row.lifecycle_stage !== stage) {
    if (wrongStage === "not found") throw noExperiment(experimentId);
    if (wrongStage instanceof FlowOpsError) throw wrongStage;
    throw invalidParameter(
      `The experiment ${id} must be in the '${stage}' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return id;
}

export async function renameExperiment(
  db: Kysely<Database>,
  experimentId: string,
  newName: string,
  now: number,
): Promise<void> {
  validateExperimentName(newName);
  // mlflow's INVALID_STATE is a 500, which its client retries for minutes; the same words as a 400 here.
  const id = await requireStage(
    db,
    experimentId,
    "active",
    invalidParameter("Cannot rename a non-active experiment."),
  );
  try {
    await db
      .updateTable("experiments")
      .set({ name: newName, last_update_time: now })
      .where("experiment_id", "=", id)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyExists(`Experiment(name=${newName}) already exists.`);
    throw error;
  }
}

export async function deleteExperiment(
  db: Kysely<Database>,
  experimentId: string,
  now: number,
): Promise<void> {
  // The default experiment too: MLflow 3's SQL store deletes (and restores) it like any other.
  const id = await requireStage(db, experimentId, "active", "not found");
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("experiments")
      .set({ lifecycle_stage: "deleted", last_update_time: now })
      .where("experiment_id", "=", id)
      .execute();
    await tx
      .updateTable("runs")
      .set({ lifecycle_stage: "deleted", deleted_time: now })
      .where("experiment_id", "=", id)
      .where("lifecycle_stage", "=", "active")
      .execute();
  });
}

export async function restoreExperiment(
  db: Kysely<Database>,
  experimentId: string,
  now: number,
): Promise<void> {
  const id = await requireStage(db, experimentId, "deleted", "not found");
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("experiments")
      .set({ lifecycle_stage: "active", last_update_time: now })
      .where("experiment_id", "=", id)
      .execute();
    await tx
      .updateTable("runs")
      .set({ lifecycle_stage: "active", deleted_time: null })
      .where("experiment_id", "=", id)
      .execute();
  });
}

export async function setExperimentTag(db: Kysely<Database>, experimentId: string, tag: Tag): Promise<void> {
  validateExperimentTag(tag);
  const id = await requireStage(db, experimentId, "active");
  await db
    .insertInto("experiment_tags")
    .values({ experiment_id: id, key: tag.key, value: tag.value })
    .onConflict((oc) => oc.columns(["experiment_id", "key"]).doUpdateSet({ value: tag.value }))
    .execute();
}

export async function deleteExperimentTag(
  db: Kysely<Database>,
  experimentId: string,
  key: string,
): Promise<void> {
  const id = await requireStage(db, experimentId, "active");
  const result = await db
    .deleteFrom("experiment_tags")
    .where("experiment_id", "=", id)
    .where("key", "=", key)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) {
    throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
  }
}
