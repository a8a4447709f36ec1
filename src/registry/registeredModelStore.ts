/**
 * Registered models: create, read, rename, describe, delete, tags and latest versions per stage, with the
 * semantics and messages of MLflow's SQL registry store. A rename carries the model's versions, tags,
 * aliases and quality-gate records along; a delete removes them, so a model re-created under the name
 * never inherits another model's gate passes. Returns domain objects; never rows.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import { alreadyExists, notFound } from "../errors.js";
import { isUniqueViolation } from "../tracking/uniqueViolation.js";
import {
  canonicalStage,
  STAGES,
  type ModelVersion,
  type RegisteredModel,
  type RegistryTag,
} from "./entities.js";
import { readRegisteredModels } from "./registryReader.js";
import { validateModelName, validateTag, validateTagKey } from "./validation.js";

export interface CreateRegisteredModelInput {
  name: string;
  tags?: readonly RegistryTag[] | undefined;
  description?: string | undefined;
}

export const noRegisteredModel = (name: string) => notFound(`Registered Model with name=${name} not found`);
const modelExists = (name: string) => alreadyExists(`Registered Model (name=${name}) already exists.`);

/** Throws RESOURCE_DOES_NOT_EXIST unless the model exists; `db` may be a transaction. */
export async function assertRegisteredModelExists(db: Kysely<Database>, name: string): Promise<void> {
  validateModelName(name);
  const row = await db
    .selectFrom("registered_models")
    .select("name")
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw noRegisteredModel(name);
}

export async function createRegisteredModel(
  db: Kysely<Database>,
  input: CreateRegisteredModelInput,
  now: number,
): Promise<RegisteredModel> {
  validateModelName(input.name);
  const tags = input.tags ?? [];
  tags.forEach(validateTag);
  // The last value of a repeated key wins, as MLflow builds a dict of the request's tags.
  const tagMap = new Map(tags.map((t) => [t.key, t.value]));
  try {
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto("registered_models")
        .values({
          name: input.name,
          creation_time: now,
          last_updated_time: now,
          description: input.description ?? null,
          user_id: null,
        })
        .execute();
      if (tagMap.size > 0) {
        await tx
          .insertInto("registered_model_tags")
          .values([...tagMap].map(([key, value]) => ({ name: input.name, key, value })))
          .execute();
      }
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw modelExists(input.name);
    throw error;
  }
  return getRegisteredModel(db, input.name);
}

export async function getRegisteredModel(db: Kysely<Database>, name: string): Promise<RegisteredModel> {
  validateModelName(name);
  const [model] = await readRegisteredModels(db, [name]);
  if (model === undefined) throw noRegisteredModel(name);
  return model;
}

export async function updateRegisteredModel(
  db: Kysely<Database>,
  name: string,
  description: string,
  now: number,
): Promise<RegisteredModel> {
  validateModelName(name);
  const result = await db
    .updateTable("registered_models")
    .set({ description, last_updated_time: now })
    .where("name", "=", name)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw noRegisteredModel(name);
  return getRegisteredModel(db, name);
}

/** Moves the model and everything that names it to `newName` in one transaction. */
export async function renameRegisteredModel(
  db: Kysely<Database>,
  name: string,
  newName: string,
  now: number,
): Promise<RegisteredModel> {
  validateModelName(name);
  validateModelName(newName, "new_name");
  try {
    await db.transaction().execute(async (tx) => {
      await assertRegisteredModelExists(tx, name);
      if (newName === name) {
        await tx
          .updateTable("registered_models")
          .set({ last_updated_time: now })
          .where("name", "=", name)
          .execute();
        return;
      }
      const taken = await tx
        .selectFrom("registered_models")
        .select("name")
        .where("name", "=", newName)
        .executeTakeFirst();
      if (taken !== undefined) throw modelExists(newName);
      await tx
        .updateTable("registered_models")
        .set({ name: newName, last_updated_time: now })
        .where("name", "=", name)
        .execute();
      await tx
        .updateTable("model_versions")
        .set({ name: newName, last_updated_time: now })
        .where("name", "=", name)
        .execute();
      for (const table of [
        "registered_model_tags",
        "registered_model_aliases",
        "model_version_tags",
      ] as const) {
        await tx.updateTable(table).set({ name: newName }).where("name", "=", name).execute();
      }
      await tx
        .updateTable("gate_records")
        .set({ model_name: newName })
        .where("model_name", "=", name)
        .execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw modelExists(newName);
    throw error;
  }
  return getRegisteredModel(db, newName);
}

export async function deleteRegisteredModel(db: Kysely<Database>, name: string): Promise<void> {
  validateModelName(name);
  await db.transaction().execute(async (tx) => {
    await assertRegisteredModelExists(tx, name);
    await deleteEverythingNamed(tx, name);
  });
}

async function deleteEverythingNamed(tx: Transaction<Database>, name: string): Promise<void> {
  await tx.deleteFrom("gate_records").where("model_name", "=", name).execute();
  for (const table of [
    "model_version_tags",
    "registered_model_aliases",
    "model_versions",
    "registered_model_tags",
    "registered_models",
  ] as const) {
    await tx.deleteFrom(table).where("name", "=", name).execute();
  }
}

export async function setRegisteredModelTag(
  db: Kysely<Database>,
  name: string,
  tag: RegistryTag,
): Promise<void> {
  validateModelName(name);
  validateTag(tag);
  await db.transaction().execute(async (tx) => {
    await assertRegisteredModelExists(tx, name);
    await tx
      .insertInto("registered_model_tags")
      .values({ name, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(["name", "key"]).doUpdateSet({ value: tag.value }))
      .execute();
  });
}

/** Deleting a tag the model does not have is not an error, as in MLflow. */
export async function deleteRegisteredModelTag(
  db: Kysely<Database>,
  name: string,
  key: string,
): Promise<void> {
  validateModelName(name);
  validateTagKey(key);
  await assertRegisteredModelExists(db, name);
  await db.deleteFrom("registered_model_tags").where("name", "=", name).where("key", "=", key).execute();
}

/** The latest version in each requested stage (every stage when `stages` is empty). */
export async function getLatestVersions(
  db: Kysely<Database>,
  name: string,
  stages: readonly string[],
): Promise<ModelVersion[]> {
  const wanted = new Set(stages.length === 0 ? STAGES : stages.map(canonicalStage));
  const model = await getRegisteredModel(db, name);
  // Unlike the model's own latest_versions, these carry their aliases, as in MLflow's SQL store.
  return model.latest_versions
    .filter((v) => wanted.has(v.current_stage))
    .map((v) => ({
      ...v,
      aliases: model.aliases.filter((a) => a.version === v.version).map((a) => a.alias),
    }));
}
