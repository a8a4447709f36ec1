/**
 * Registered-model aliases: named pointers (`champion`) to one version of a model. Setting an existing
 * alias moves it; deleting a missing one is not an error; reading one returns the version it points to.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter, notFound } from "../errors.js";
import type { ModelVersion } from "./entities.js";
import { assertModelVersionExists, getModelVersion } from "./modelVersionStore.js";
import { assertRegisteredModelExists } from "./registeredModelStore.js";
import {
  parseModelVersion,
  validateAliasName,
  validateModelName,
  validateSettableAliasName,
} from "./validation.js";

const LATEST_ALIAS = "latest";

export async function setRegisteredModelAlias(
  db: Kysely<Database>,
  name: string,
  alias: string,
  version: string | number,
): Promise<void> {
  validateModelName(name);
  validateSettableAliasName(alias);
  parseModelVersion(version);
  await db.transaction().execute(async (tx) => {
    const number = await assertModelVersionExists(tx, name, version);
    await tx
      .insertInto("registered_model_aliases")
      .values({ name, alias, version: number })
      .onConflict((oc) => oc.columns(["name", "alias"]).doUpdateSet({ version: number }))
      .execute();
  });
}

export async function deleteRegisteredModelAlias(
  db: Kysely<Database>,
  name: string,
  alias: string,
): Promise<void> {
  validateModelName(name);
  validateAliasName(alias);
  await assertRegisteredModelExists(db, name);
  await db
    .deleteFrom("registered_model_aliases")
    .where("name", "=", name)
    .where("alias", "=", alias)
    .execute();
}

export async function getModelVersionByAlias(
  db: Kysely<Database>,
  name: string,
  alias: string,
): Promise<ModelVersion> {
  validateModelName(name);
  validateAliasName(alias);
  // MLflow looks the model up first, so a missing model is a 404 rather than an unknown alias.
  await assertRegisteredModelExists(db, name);
  if (alias.toLowerCase() === LATEST_ALIAS) {
    // MLflow 3's store answers `latest` with the model's newest version (not deleted), e.g. `prompts:/p@latest`.
    const newest = await db
      .selectFrom("model_versions")
      .select(({ fn }) => fn.max("version").as("version"))
      .where("name", "=", name)
      .where("deleted", "=", 0)
      .executeTakeFirst();
    if (newest?.version === undefined || newest.version === null) {
      throw notFound(`Latest version not found for model ${name}.`);
    }
    return getModelVersion(db, name, Number(newest.version));
  }
  const row = await db
    .selectFrom("registered_model_aliases")
    .select("version")
    .where("name", "=", name)
    .where("alias", "=", alias)
    .executeTakeFirst();
  if (row === undefined) throw invalidParameter(`Registered model alias ${alias} not found.`);
  return getModelVersion(db, name, row.version);
}
