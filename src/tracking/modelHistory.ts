/**
 * runs/log-model: records an MLmodel description on its run, appending it to the JSON list kept in the
 * `mlflow.log-model.history` tag, which MLflow's UI and `Run.data.tags` readers expect. The model files
 * themselves travel through the artifact store, not here.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import { requireActiveRun, writeRunTags } from "./runStore.js";

export const LOGGED_MODELS_TAG = "mlflow.log-model.history";

const REQUIRED_FIELDS = ["artifact_path", "flavors", "utc_time_created", "run_id"] as const;

/** Parses model_json as MLflow's handler does: a JSON object carrying the MLmodel's mandatory fields. */
export function parseModelJson(modelJson: string): Record<string, unknown> {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
  }
  if (typeof model !== "object" || model === null || Array.isArray(model)) {
    throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a JSON object.`);
  }
  const missing = REQUIRED_FIELDS.filter((field) => !(field in model));
  if (missing.length > 0) {
    throw invalidParameter(
      `Model json is missing mandatory fields: {${missing.map((f) => `'${f}'`).join(", ")}}`,
    );
  }
  return model as Record<string, unknown>;
}

export async function logModel(db: Kysely<Database>, runId: string, modelJson: string): Promise<void> {
  const model = parseModelJson(modelJson);
  await db.transaction().execute(async (tx) => {
    await requireActiveRun(tx, runId);
    // A no-op write locks the run row until commit on PostgreSQL, so two concurrent log-model calls append
    // one after the other instead of both reading the same old history (SQLite serialises writers anyway).
    await tx
      .updateTable("runs")
      .set((eb) => ({ name: eb.ref("name") }))
      .where("run_uuid", "=", runId)
      .execute();
    const previous = await tx
      .selectFrom("tags")
      .select("value")
      .where("run_uuid", "=", runId)
      .where("key", "=", LOGGED_MODELS_TAG)
      .executeTakeFirst();
    const history = previous === undefined ? [] : parseHistory(previous.value);
    // Internal tag: MLflow writes it without the user-tag length limit, so the history can keep growing.
    await writeRunTags(tx, runId, [{ key: LOGGED_MODELS_TAG, value: JSON.stringify([...history, model]) }]);
  });
}

function parseHistory(value: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
