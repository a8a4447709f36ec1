/**
 * `models:/` sources, as MLflow 3.17 registers them. A source naming a registered model version
 * (`models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>`) is pinned to the version it names now
 * (`models:/<name>/<number>`) and inherits that version's run and logged model, unless the request names
 * its own, which must then be the same (`_resolve_registered_model_source_lineage`). A `models:/<model_id>`
 * source names a logged model and is kept as sent. Reads the registry; writes nothing.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter, notFound } from "../errors.js";
import { canonicalStage, isPromptTagged, type ModelVersion } from "./entities.js";
import { getRegisteredModel } from "./registeredModelStore.js";
import { readModelVersion } from "./registryReader.js";
import { notOwnedBy } from "./sourceRefusals.js";

export type ParsedModelsUri =
  | { modelId: string }
  | { name: string; version: string }
  | { name: string; stage: string }
  | { name: string; latest: true }
  | { name: string; alias: string };

export interface SourceLineage {
  source: string;
  runId: string | undefined;
  modelId: string | undefined;
  /** The pinned version's download location, when the source names a registered model version. */
  storageLocation?: string;
}

/** True for MLflow's `urlparse(source).scheme == "models"` (the scheme compares in any case). */
export function isModelsUri(source: string): boolean {
  return /^models:/i.test(source);
}

/** The `//host` part of a models: URI, "" when there is none. */
function authorityOf(source: string): string {
  return /^models:\/\/([^/]*)/i.exec(source)?.[1] ?? "";
}

/**
 * MLflow's `_parse_model_uri` of the source as sent. An unreadable one is refused as MLflow's handler refuses
 * it, as not naming the logged model of the request's model_id.
 */
export function parseModelsUri(source: string): ParsedModelsUri {
  const rest = source.slice("models:".length);
  const path = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
  if (!path.startsWith("/") || path.length <= 1) throw notOwnedBy(source, "model_id");
  const parts = path.replace(/^\/+/, "").split("/");
  const first = parts[0] as string;
  if (parts.length > 2 || first.trim() === "") throw notOwnedBy(source, "model_id");
  if (parts.length === 2) {
    const suffix = parts[1] as string;
    if (suffix.trim() === "") throw notOwnedBy(source, "model_id");
    if (/^\d+$/.test(suffix)) return { name: first, version: suffix };
    if (suffix.toLowerCase() === "latest") return { name: first, latest: true };
    return { name: first, stage: suffix };
  }
  const at = first.lastIndexOf("@");
  if (at >= 0) {
    const alias = first.slice(at + 1);
    if (alias.trim() === "") throw notOwnedBy(source, "model_id");
    return { name: first.slice(0, at), alias };
  }
  return { modelId: first };
}

/**
 * Pins a registry source to the version it names and takes that version's run and logged model, where the
 * request names none. `runId`/`modelId` are undefined when the request leaves the field out; an empty
 * string is a field sent empty, which must then match a version without one.
 */
export async function resolveRegistryLineage(
  db: Kysely<Database>,
  source: string,
  runId: string | undefined,
  modelId: string | undefined,
): Promise<SourceLineage> {
  if (!isModelsUri(source)) return { source, runId, modelId };
  if (authorityOf(source) !== "") {
    throw invalidParameter(
      `Invalid model version source: '${source}'. Registered model sources must use the active model registry.`,
    );
  }
  const parsed = parseModelsUri(source);
  if ("modelId" in parsed) return { source, runId, modelId };
  const model = await getRegisteredModel(db, parsed.name);
  if (isPromptTagged(model.tags)) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. Prompt versions cannot be used as model version sources.`,
    );
  }
  const version = await referencedVersion(db, parsed, model.aliases, model.latest_versions);
  if (
    (runId !== undefined && runId !== (version.run_id ?? "")) ||
    (modelId !== undefined && modelId !== (version.model_id ?? ""))
  ) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. The run_id and model_id request parameters must match the ` +
        "referenced model version.",
    );
  }
  const location = await db
    .selectFrom("model_versions")
    .select(["storage_location", "source"])
    .where("name", "=", version.name)
    .where("version", "=", Number(version.version))
    .executeTakeFirstOrThrow();
  return {
    source: `models:/${parsed.name}/${version.version}`,
    runId: runId ?? version.run_id,
    modelId: modelId ?? version.model_id,
    storageLocation: location.storage_location ?? location.source,
  };
}

/** MLflow's `get_model_name_and_version`, with the registry store's messages for what it cannot find. */
async function referencedVersion(
  db: Kysely<Database>,
  parsed: Exclude<ParsedModelsUri, { modelId: string }>,
  aliases: readonly { alias: string; version: string }[],
  latestVersions: readonly ModelVersion[],
): Promise<ModelVersion> {
  const { name } = parsed;
  let number: number;
  if ("version" in parsed) {
    number = Number(parsed.version);
  } else if ("alias" in parsed) {
    number = aliasVersion(name, parsed.alias, aliases, latestVersions);
  } else {
    const stage = "stage" in parsed ? canonicalStage(parsed.stage) : undefined;
    const inStage = latestVersions.filter((v) => stage === undefined || v.current_stage === stage);
    if (inStage.length === 0) {
      // MLflow answers this as a 500 INTERNAL_ERROR; the request is what is wrong, so this answers 400.
      const named = "stage" in parsed ? ` and stage '${parsed.stage}'` : "";
      throw invalidParameter(`No versions of model with name '${name}'${named} found`);
    }
    number = Math.max(...inStage.map((v) => Number(v.version)));
  }
  const version = await readModelVersion(db, name, number);
  if (version === undefined) {
    throw notFound(
      `Model Version (name=${name}, version=${"version" in parsed ? parsed.version : number}) not found`,
    );
  }
  return version;
}

function aliasVersion(
  name: string,
  alias: string,
  aliases: readonly { alias: string; version: string }[],
  latestVersions: readonly ModelVersion[],
): number {
  // MLflow 3's store answers the `latest` alias with the model's newest live version.
  if (alias.toLowerCase() === "latest") {
    if (latestVersions.length === 0) throw notFound(`Latest version not found for model ${name}.`);
    return Math.max(...latestVersions.map((v) => Number(v.version)));
  }
  const found = aliases.find((a) => a.alias === alias);
  if (found === undefined) throw invalidParameter(`Registered model alias ${alias} not found.`);
  return Number(found.version);
}
