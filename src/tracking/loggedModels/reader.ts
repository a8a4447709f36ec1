/**
 * Reads logged models (row, tags, params, linked metrics, registrations) in a fixed number of queries per
 * 500 ids. Shared by the store, which reads one, and by search, which reads a whole experiment's models.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, LoggedModelTable } from "../../db/schema.js";
import type { Tag } from "../entities.js";
import { exactDigits, storedInt64 } from "../exactInt64.js";
import { inChunks } from "../inChunks.js";
import type {
  LoggedModel,
  LoggedModelMetric,
  LoggedModelRegistration,
  LoggedModelStatus,
} from "./entities.js";

/** Models in input order; ids that do not exist are dropped. Deleted models are included. */
export async function readLoggedModels(
  db: Kysely<Database>,
  modelIds: readonly string[],
): Promise<LoggedModel[]> {
  const rows = new Map<string, Selectable<LoggedModelTable>>();
  const tags = new Groups<Tag>();
  const params = new Groups<Tag>();
  const metrics = new Groups<LoggedModelMetric>();
  const registrations = new Groups<LoggedModelRegistration>();
  for (const chunk of inChunks([...new Set(modelIds)])) {
    const [modelRows, tagRows, paramRows, metricRows, versionRows] = await Promise.all([
      db.selectFrom("logged_models").selectAll().where("model_id", "in", chunk).execute(),
      db.selectFrom("logged_model_tags").selectAll().where("model_id", "in", chunk).orderBy("key").execute(),
      db
        .selectFrom("logged_model_params")
        .selectAll()
        .where("model_id", "in", chunk)
        .orderBy("key")
        .execute(),
      db
        .selectFrom("logged_model_metrics")
        .selectAll()
        .select([
          exactDigits("metric_timestamp_ms", "timestamp_digits"),
          exactDigits("metric_step", "step_digits"),
        ])
        .where("model_id", "in", chunk)
        .orderBy("metric_name")
        .orderBy("metric_timestamp_ms")
        .orderBy("metric_step")
        .execute(),
      db
        .selectFrom("model_versions")
        .select(["model_id", "name", "version"])
        .where("model_id", "in", chunk)
        .where("deleted", "=", 0)
        .orderBy("name")
        .orderBy("version")
        .execute(),
    ]);
    for (const row of modelRows) rows.set(row.model_id, row);
    for (const row of tagRows) tags.add(row.model_id, { key: row.key, value: row.value });
    for (const row of paramRows) params.add(row.model_id, { key: row.key, value: row.value });
    for (const row of metricRows) metrics.add(row.model_id, toMetric(row));
    for (const row of versionRows) {
      if (row.model_id !== null) {
        registrations.add(row.model_id, { name: row.name, version: String(row.version) });
      }
    }
  }
  const models: LoggedModel[] = [];
  for (const id of modelIds) {
    const row = rows.get(id);
    if (row === undefined) continue;
    models.push({
      info: {
        model_id: row.model_id,
        experiment_id: String(row.experiment_id),
        name: row.name,
        creation_timestamp_ms: Number(row.creation_timestamp_ms),
        last_updated_timestamp_ms: Number(row.last_updated_timestamp_ms),
        artifact_uri: row.artifact_location,
        status: row.status as LoggedModelStatus,
        ...numericCreator(row.creator_id),
        // MLflow's create handler stores the proto's "" for an unset type or run, and answers it as set.
        model_type: row.model_type ?? "",
        source_run_id: row.source_run_id ?? "",
        ...(row.status_message !== null ? { status_message: row.status_message } : {}),
        tags: tags.get(id),
        registrations: registrations.get(id),
      },
      data: { params: params.get(id), metrics: metrics.get(id) },
    });
  }
  return models;
}

/** The lifecycle stage is not part of the wire shape, so callers that filter on it read it here. */
export async function readLifecycleStage(db: Kysely<Database>, modelId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("logged_models")
    .select("lifecycle_stage")
    .where("model_id", "=", modelId)
    .executeTakeFirst();
  return row?.lifecycle_stage;
}

// creator_id is an int64 in the proto: a non-numeric value would make the Python client's parser fail.
function numericCreator(creatorId: string | null): { creator_id?: number } {
  return creatorId !== null && /^\d{1,15}$/.test(creatorId) ? { creator_id: Number(creatorId) } : {};
}

type MetricRow = Database["logged_model_metrics"] & {
  timestamp_digits: string | null;
  step_digits: string | null;
};

function toMetric(row: MetricRow): LoggedModelMetric {
  return {
    key: row.metric_name,
    value: row.is_nan ? Number.NaN : Number(row.metric_value),
    timestamp: storedInt64(row.metric_timestamp_ms, row.timestamp_digits),
    step: storedInt64(row.metric_step, row.step_digits),
    run_id: row.run_id,
    model_id: row.model_id,
    ...(row.dataset_name !== "" ? { dataset_name: row.dataset_name } : {}),
    ...(row.dataset_digest !== "" ? { dataset_digest: row.dataset_digest } : {}),
  };
}

class Groups<T> {
  private readonly byId = new Map<string, T[]>();
  add(id: string, item: T): void {
    const list = this.byId.get(id);
    if (list === undefined) this.byId.set(id, [item]);
    else list.push(item);
  }
  get(id: string): T[] {
    return this.byId.get(id) ?? [];
  }
}
