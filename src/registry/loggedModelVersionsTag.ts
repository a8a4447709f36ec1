/**
 * The `mlflow.modelVersions` tag of a logged model: MLflow's server appends `{"name": ..., "version": n}` to it
 * each time a version is registered from that model (its tracking store's `set_model_versions_tags`), and
 * MLflow's UI and clients read it to list a logged model's registered versions. The official client's
 * `register_model` then appends its own entry (with the version as a string), so both end up in the tag, as
 * against MLflow's own server.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import { pythonJsonDumps, type PythonJsonValue } from "../pythonJson.js";

export const MODEL_VERSIONS_TAG = "mlflow.modelVersions";

/**
 * The tag's next value, as MLflow computes it: the existing list plus the new entry unless an equal entry is
 * already there, in which case (MLflow's quirk, kept) the tag becomes the new entry alone. A value that is not
 * a JSON list is replaced by the new entry; MLflow's server fails with a 500 there, after creating the version.
 */
export function modelVersionsTagValue(existing: string | undefined, name: string, version: number): string {
  const entry = { name, version };
  const listed = existing === undefined ? undefined : parsedList(existing);
  if (listed === undefined || listed.some((item) => sameEntry(item, entry))) return pythonJsonDumps([entry]);
  return pythonJsonDumps([...listed, entry]);
}

/** Records the version on its logged model, in the transaction that creates the version; no-op if it is gone. */
export async function recordVersionOnLoggedModel(
  tx: Transaction<Database> | Kysely<Database>,
  modelId: string,
  name: string,
  version: number,
): Promise<void> {
  const model = await tx
    .selectFrom("logged_models")
    .select("model_id")
    .where("model_id", "=", modelId)
    .executeTakeFirst();
  if (model === undefined) return;
  const existing = await tx
    .selectFrom("logged_model_tags")
    .select("value")
    .where("model_id", "=", modelId)
    .where("key", "=", MODEL_VERSIONS_TAG)
    .executeTakeFirst();
  const value = modelVersionsTagValue(existing?.value, name, version);
  await tx
    .insertInto("logged_model_tags")
    .values({ model_id: modelId, key: MODEL_VERSIONS_TAG, value })
    .onConflict((oc) => oc.columns(["model_id", "key"]).doUpdateSet({ value }))
    .execute();
}

function parsedList(text: string): PythonJsonValue[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as PythonJsonValue[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Python's `==` between a parsed entry and the new one: same keys, same name, numerically equal version. */
function sameEntry(item: PythonJsonValue, entry: { name: string; version: number }): boolean {
  if (item === null || typeof item !== "object" || Array.isArray(item) || item instanceof Map) return false;
  const record = item as { readonly [key: string]: PythonJsonValue };
  const keys = Object.keys(record);
  if (keys.length !== 2 || record.name !== entry.name) return false;
  const version = record.version;
  return version === entry.version || (version === true && entry.version === 1);
}
