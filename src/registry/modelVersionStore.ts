/**
 * Model versions: create (next number per model, never reusing a deleted version's), read, describe,
 * transition between stages, soft delete, tags and the download URI, with MLflow's SQL-store semantics
 * and messages. Sources are resolved and checked before anything is written (`modelVersionSource.ts`).
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import { isUniqueViolation } from "../tracking/uniqueViolation.js";
import {
  ACTIVE_STAGES,
  canonicalStage,
  isPromptTagged,
  type ModelVersion,
  type RegistryTag,
} from "./entities.js";
import { recordVersionOnLoggedModel } from "./loggedModelVersionsTag.js";
import { resolveModelVersionSource } from "./modelVersionSource.js";
import { noRegisteredModel } from "./registeredModelStore.js";
import { readModelVersion } from "./registryReader.js";
import { parseModelVersion, validateModelName, validateTag, validateTagKey } from "./validation.js";

export interface CreateModelVersionInput {
  name: string;
  source: string;
  run_id?: string | undefined;
  run_link?: string | undefined;
  description?: string | undefined;
  tags?: readonly RegistryTag[] | undefined;
  model_id?: string | undefined;
}

/** Attempts before giving up when concurrent creators keep taking the number we computed. */
const CREATE_ATTEMPTS = 5;

export const noModelVersion = (name: string, version: string | number) =>
  notFound(`Model Version (name=${name}, version=${version}) not found`);

/** The version number as an integer, after checking that the version exists and is not deleted. */
export async function assertModelVersionExists(
  db: Kysely<Database>,
  name: string,
  version: string | number,
): Promise<number> {
  validateModelName(name);
  const number = parseModelVersion(version);
  if ((await liveVersionRun(db, name, number)) === undefined) throw noModelVersion(name, version);
  return number;
}

/** The run a live (not deleted) model version was registered from; undefined when there is no such version. */
export async function liveVersionRun(
  db: Kysely<Database>,
  name: string,
  version: number,
): Promise<{ run_id: string | null } | undefined> {
  return db
    .selectFrom("model_versions")
    .select("run_id")
    .where("name", "=", name)
    .where("version", "=", version)
    .where("deleted", "=", 0)
    .executeTakeFirst();
}

export async function createModelVersion(
  db: Kysely<Database>,
  input: CreateModelVersionInput,
  artifactRoots: readonly string[],
  now: number,
): Promise<ModelVersion> {
  validateModelName(input.name);
  const tags = input.tags ?? [];
  tags.forEach(validateTag);
  const tagMap = new Map(tags.map((t) => [t.key, t.value]));
  const resolved = await resolveModelVersionSource(db, input.source, {
    artifactRoots,
    runId: input.run_id,
    modelId: input.model_id,
    isPrompt: isPromptTagged(tags),
  });
  const runId = input.run_id || resolved.impliedRunId || null;
  const modelId = input.model_id || resolved.impliedModelId || null;
  for (let attempt = 1; ; attempt++) {
    try {
      const version = await db.transaction().execute(async (tx) => {
        // Updating the model row first takes its row lock on PostgreSQL, so concurrent creators for one
        // model queue here and each reads the maximum the previous one committed.
        const touched = await tx
          .updateTable("registered_models")
          .set({ last_updated_time: now })
          .where("name", "=", input.name)
          .executeTakeFirst();
        if (Number(touched.numUpdatedRows) === 0) throw noRegisteredModel(input.name);
        // Deleted versions stay as rows, so their numbers count here and are never handed out again.
        const { max } = await tx
          .selectFrom("model_versions")
          .select((eb) => eb.fn.max("version").as("max"))
          .where("name", "=", input.name)
          .executeTakeFirstOrThrow();
        const next = (max === null ? 0 : Number(max)) + 1;
        await tx
          .insertInto("model_versions")
          .values({
            name: input.name,
            version: next,
            creation_time: now,
            last_updated_time: now,
            // MLflow stores the request's unset proto2 description as "", which its client reads as "" (not None).
            description: input.description ?? "",
            user_id: null,
            current_stage: "None",
            source: resolved.source ?? input.source,
            storage_location: resolved.storageLocation,
            run_id: runId,
            run_link: input.run_link || null,
            status: "READY",
            status_message: null,
            model_id: modelId,
            deleted: 0,
          })
          .execute();
        if (tagMap.size > 0) {
          await tx
            .insertInto("model_version_tags")
            .values([...tagMap].map(([key, value]) => ({ name: input.name, version: next, key, value })))
            .execute();
        }
        // MLflow's server lists the version on its logged model (not for prompts, which have none).
        if (modelId !== null && !isPromptTagged(tags)) {
          await recordVersionOnLoggedModel(tx, modelId, input.name, next);
        }
        return next;
      });
      return getModelVersion(db, input.name, version);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (attempt >= CREATE_ATTEMPTS) {
        throw new FlowOpsError(
          "INTERNAL_ERROR",
          `Model Version creation error (name=${input.name}). Giving up after ${CREATE_ATTEMPTS} attempts.`,
          { cause: error },
        );
      }
    }
  }
}

export async function getModelVersion(
  db: Kysely<Database>,
  name: string,
  version: string | number,
): Promise<ModelVersion> {
  validateModelName(name);
  const found = await readModelVersion(db, name, parseModelVersion(version));
  if (found === undefined) throw noModelVersion(name, version);
  return found;
}

/** An absent description clears it, as MLflow's handler passes None when the field is not set. */
export async function updateModelVersion(
  db: Kysely<Database>,
  name: string,
  version: string | number,
  description: string | undefined,
  now: number,
): Promise<ModelVersion> {
  const number = await assertModelVersionExists(db, name, version);
  await db
    .updateTable("model_versions")
    .set({ description: description ?? null, last_updated_time: now })
    .where("name", "=", name)
    .where("version", "=", number)
    .execute();
  return getModelVersion(db, name, number);
}

export async function transitionModelVersionStage(
  db: Kysely<Database>,
  input: { name: string; version: string | number; stage: string; archive_existing_versions: boolean },
  now: number,
): Promise<ModelVersion> {
  const stage = canonicalStage(input.stage);
  if (input.archive_existing_versions && !ACTIVE_STAGES.includes(stage)) {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${input.stage}' is not an ` +
        `Active stage. Valid stages are ${ACTIVE_STAGES.join(", ")}`,
    );
  }
  const number = await db.transaction().execute(async (tx) => {
    const number = await assertModelVersionExists(tx, input.name, input.version);
    if (input.archive_existing_versions) {
      await tx
        .updateTable("model_versions")
        .set({ current_stage: "Archived", last_updated_time: now })
        .where("name", "=", input.name)
        .where("version", "!=", number)
        .where("current_stage", "=", stage)
        .where("deleted", "=", 0)
        .execute();
    }
    await tx
      .updateTable("model_versions")
      .set({ current_stage: stage, last_updated_time: now })
      .where("name", "=", input.name)
      .where("version", "=", number)
      .execute();
    await tx
      .updateTable("registered_models")
      .set({ last_updated_time: now })
      .where("name", "=", input.name)
      .execute();
    return number;
  });
  return getModelVersion(db, input.name, number);
}

/**
 * Soft delete, as MLflow's `Deleted_Internal` stage: the row stays so its number is never reused, its
 * details are redacted, and its aliases, tags and quality-gate records go.
 */
export async function deleteModelVersion(
  db: Kysely<Database>,
  name: string,
  version: string | number,
  now: number,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const number = await assertModelVersionExists(tx, name, version);
    await tx
      .updateTable("model_versions")
      .set({
        deleted: 1,
        last_updated_time: now,
        description: null,
        user_id: null,
        source: "REDACTED-SOURCE-PATH",
        storage_location: null,
        run_id: "REDACTED-RUN-ID",
        run_link: "REDACTED-RUN-LINK",
        status_message: null,
      })
      .where("name", "=", name)
      .where("version", "=", number)
      .execute();
    await tx
      .deleteFrom("registered_model_aliases")
      .where("name", "=", name)
      .where("version", "=", number)
      .execute();
    await tx
      .deleteFrom("model_version_tags")
      .where("name", "=", name)
      .where("version", "=", number)
      .execute();
    await tx
      .deleteFrom("gate_records")
      .where("model_name", "=", name)
      .where("version", "=", number)
      .execute();
    await tx
      .updateTable("registered_models")
      .set({ last_updated_time: now })
      .where("name", "=", name)
      .execute();
  });
}

/** Where the version's artifacts are read from: the resolved location, else the source as given. */
export async function getModelVersionDownloadUri(
  db: Kysely<Database>,
  name: string,
  version: string | number,
): Promise<string> {
  validateModelName(name);
  const row = await db
    .selectFrom("model_versions")
    .select(["storage_location", "source"])
    .where("name", "=", name)
    .where("version", "=", parseModelVersion(version))
    .where("deleted", "=", 0)
    .executeTakeFirst();
  if (row === undefined) throw noModelVersion(name, version);
  return row.storage_location ?? row.source;
}

export async function setModelVersionTag(
  db: Kysely<Database>,
  name: string,
  version: string | number,
  tag: RegistryTag,
): Promise<void> {
  validateModelName(name);
  parseModelVersion(version);
  validateTag(tag);
  await db.transaction().execute(async (tx) => {
    const number = await assertModelVersionExists(tx, name, version);
    await tx
      .insertInto("model_version_tags")
      .values({ name, version: number, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(["name", "version", "key"]).doUpdateSet({ value: tag.value }))
      .execute();
  });
}

export async function deleteModelVersionTag(
  db: Kysely<Database>,
  name: string,
  version: string | number,
  key: string,
): Promise<void> {
  validateModelName(name);
  parseModelVersion(version);
  validateTagKey(key);
  const number = await assertModelVersionExists(db, name, version);
  await db
    .deleteFrom("model_version_tags")
    .where("name", "=", name)
    .where("version", "=", number)
    .where("key", "=", key)
    .execute();
}
