/**
 * Reads registered models and model versions into domain objects, with their tags, aliases and (for
 * models) latest version per stage, in a fixed number of queries per 500 items. Shared by the stores and
 * by search, which finds keys first and reads them here. Deleted versions are never read.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, ModelVersionTable, RegisteredModelTable } from "../db/schema.js";
import { inChunks } from "../tracking/inChunks.js";
import type {
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelAlias,
  RegistryTag,
  Stage,
} from "./entities.js";

export type ModelVersionRow = Selectable<ModelVersionTable>;
type RegisteredModelRow = Selectable<RegisteredModelTable>;

const versionKey = (name: string, version: number) => `${name}\u0000${version}`;

/**
 * Adds tags, and aliases where asked, to version rows; the result keeps the rows' order. MLflow's SQL store
 * fills a version's aliases only where it reads versions one model at a time (get, get by alias, create,
 * update, transition, get-latest-versions): search results and a registered model's latest_versions have
 * none, even where the version has aliases.
 */
export async function hydrateModelVersions(
  db: Kysely<Database>,
  rows: readonly ModelVersionRow[],
  { withAliases }: { withAliases: boolean },
): Promise<ModelVersion[]> {
  const tags = new Map<string, RegistryTag[]>();
  const aliases = new Map<string, string[]>();
  for (const chunk of inChunks(rows)) {
    const tagRows = await db
      .selectFrom("model_version_tags")
      .selectAll()
      .where((eb) =>
        eb.or(chunk.map((r) => eb.and([eb("name", "=", r.name), eb("version", "=", r.version)]))),
      )
      .orderBy("key")
      .execute();
    for (const t of tagRows) push(tags, versionKey(t.name, t.version), { key: t.key, value: t.value });
  }
  const names = withAliases ? [...new Set(rows.map((r) => r.name))] : [];
  for (const chunk of inChunks(names)) {
    const aliasRows = await db
      .selectFrom("registered_model_aliases")
      .selectAll()
      .where("name", "in", chunk)
      .orderBy("alias")
      .execute();
    for (const a of aliasRows) push(aliases, versionKey(a.name, a.version), a.alias);
  }
  return rows.map((row) => {
    const key = versionKey(row.name, row.version);
    return toModelVersion(row, tags.get(key) ?? [], aliases.get(key) ?? []);
  });
}

/** One version that is not deleted, or undefined. */
export async function readModelVersion(
  db: Kysely<Database>,
  name: string,
  version: number,
): Promise<ModelVersion | undefined> {
  const row = await db
    .selectFrom("model_versions")
    .selectAll()
    .where("name", "=", name)
    .where("version", "=", version)
    .where("deleted", "=", 0)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const [version_] = await hydrateModelVersions(db, [row], { withAliases: true });
  return version_;
}

/** Registered models in input order; names that do not exist are dropped. */
export async function readRegisteredModels(
  db: Kysely<Database>,
  names: readonly string[],
): Promise<RegisteredModel[]> {
  const unique = [...new Set(names)];
  const rows = new Map<string, RegisteredModelRow>();
  const tags = new Map<string, RegistryTag[]>();
  const aliases = new Map<string, RegisteredModelAlias[]>();
  const latest = new Map<string, ModelVersion[]>();
  for (const chunk of inChunks(unique)) {
    for (const row of await db
      .selectFrom("registered_models")
      .selectAll()
      .where("name", "in", chunk)
      .execute()) {
      rows.set(row.name, row);
    }
    const tagRows = await db
      .selectFrom("registered_model_tags")
      .selectAll()
      .where("name", "in", chunk)
      .orderBy("key")
      .execute();
    for (const t of tagRows) push(tags, t.name, { key: t.key, value: t.value });
    const aliasRows = await db
      .selectFrom("registered_model_aliases")
      .selectAll()
      .where("name", "in", chunk)
      .orderBy("alias")
      .execute();
    for (const a of aliasRows) push(aliases, a.name, { alias: a.alias, version: String(a.version) });
    for (const version of await readLatestVersions(db, chunk)) push(latest, version.name, version);
  }
  const models: RegisteredModel[] = [];
  for (const name of names) {
    const row = rows.get(name);
    if (row === undefined) continue;
    models.push({
      name: row.name,
      creation_timestamp: Number(row.creation_time),
      last_updated_timestamp: Number(row.last_updated_time),
      ...optional("user_id", row.user_id),
      ...optional("description", row.description),
      latest_versions: latest.get(name) ?? [],
      tags: tags.get(name) ?? [],
      aliases: aliases.get(name) ?? [],
    });
  }
  return models;
}

/**
 * The highest READY, non-deleted version in each stage of each model. Stages come in the order MLflow's
 * SQL store yields them: by the lowest version number found in the stage.
 */
async function readLatestVersions(db: Kysely<Database>, names: readonly string[]): Promise<ModelVersion[]> {
  const groups = await db
    .selectFrom("model_versions")
    .select((eb) => [
      "name",
      "current_stage",
      eb.fn.max("version").as("latest"),
      eb.fn.min("version").as("first"),
    ])
    .where("name", "in", names)
    .where("deleted", "=", 0)
    .where("status", "=", "READY")
    .groupBy(["name", "current_stage"])
    .execute();
  if (groups.length === 0) return [];
  const firstOf = new Map(groups.map((g) => [versionKey(g.name, Number(g.latest)), Number(g.first)]));
  const rows: ModelVersionRow[] = [];
  for (const chunk of inChunks(groups)) {
    rows.push(
      ...(await db
        .selectFrom("model_versions")
        .selectAll()
        .where((eb) =>
          eb.or(chunk.map((g) => eb.and([eb("name", "=", g.name), eb("version", "=", Number(g.latest))]))),
        )
        .execute()),
    );
  }
  const order = (r: ModelVersionRow) => firstOf.get(versionKey(r.name, r.version)) ?? 0;
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : order(a) - order(b)));
  return hydrateModelVersions(db, rows, { withAliases: false });
}

export function toModelVersion(row: ModelVersionRow, tags: RegistryTag[], aliases: string[]): ModelVersion {
  return {
    name: row.name,
    version: String(row.version),
    creation_timestamp: Number(row.creation_time),
    last_updated_timestamp: Number(row.last_updated_time),
    ...optional("user_id", row.user_id),
    current_stage: row.current_stage as Stage,
    ...optional("description", row.description),
    source: row.source,
    ...optional("run_id", row.run_id),
    // MLflow's create handler stores the proto's "" for an unset run_link, and answers it as set.
    run_link: row.run_link ?? "",
    status: row.status as ModelVersionStatus,
    ...optional("status_message", row.status_message),
    tags,
    aliases,
    ...optional("model_id", row.model_id),
  };
}

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: string };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
