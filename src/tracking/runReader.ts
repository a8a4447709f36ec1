/**
 * Reads full runs (info, latest metrics, params, tags, inputs, outputs) in a fixed number of queries per
 * 500 ids, never one query per run. Shared by the run store and by search, which finds ids first.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, RunTable } from "../db/schema.js";
import type {
  DatasetInput,
  LifecycleStage,
  Metric,
  ModelInput,
  ModelOutput,
  Param,
  Run,
  RunInfo,
  RunStatus,
  Tag,
} from "./entities.js";
import { exactDigits, METRIC_DIGITS, RUN_TIME_DIGITS, storedInt64 } from "./exactInt64.js";
import { inChunks } from "./inChunks.js";

/** Runs in input order; ids that do not exist are dropped. */
export async function readRuns(db: Kysely<Database>, runIds: readonly string[]): Promise<Run[]> {
  const parts = new RunParts();
  for (const chunk of inChunks([...new Set(runIds)])) await readChunk(db, chunk, parts);
  const runs: Run[] = [];
  for (const id of runIds) {
    const row = parts.rows.get(id);
    if (row === undefined) continue;
    runs.push({
      info: toRunInfo(row),
      data: {
        metrics: parts.metrics.get(id) ?? [],
        params: parts.params.get(id) ?? [],
        tags: parts.tags.get(id) ?? [],
      },
      inputs: {
        dataset_inputs: parts.datasetInputs.get(id) ?? [],
        model_inputs: parts.modelInputs.get(id) ?? [],
      },
      outputs: { model_outputs: parts.modelOutputs.get(id) ?? [] },
    });
  }
  return runs;
}

/** A runs row with the exact digits of its times beside it, as `runRows` selects it. */
export type RunRow = Selectable<RunTable> & {
  start_time_digits: string | null;
  end_time_digits: string | null;
};

/** Selects runs rows with the exact digits of their times (see exactInt64.ts). */
export function runRows(db: Kysely<Database>) {
  return db.selectFrom("runs").selectAll().select(RUN_TIME_DIGITS);
}

/** A run's info in the order MLflow's server writes its fields: end_time after start_time, run_id last. */
export function toRunInfo(row: RunRow): RunInfo {
  return {
    run_uuid: row.run_uuid,
    experiment_id: String(row.experiment_id),
    run_name: row.name,
    user_id: row.user_id,
    status: row.status as RunStatus,
    start_time: storedInt64(row.start_time, row.start_time_digits),
    ...(row.end_time === null ? {} : { end_time: storedInt64(row.end_time, row.end_time_digits) }),
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage as LifecycleStage,
    run_id: row.run_uuid,
  };
}

/** A stored metric value back to the number the client logged (NaN is kept as a flag, not a value). */
export function storedMetricValue(value: number, isNan: number): number {
  return isNan ? Number.NaN : Number(value);
}

class RunParts {
  readonly rows = new Map<string, RunRow>();
  readonly metrics = new Map<string, Metric[]>();
  readonly params = new Map<string, Param[]>();
  readonly tags = new Map<string, Tag[]>();
  readonly datasetInputs = new Map<string, DatasetInput[]>();
  readonly modelInputs = new Map<string, ModelInput[]>();
  readonly modelOutputs = new Map<string, ModelOutput[]>();
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}

async function readChunk(db: Kysely<Database>, ids: string[], parts: RunParts): Promise<void> {
  const [runs, metrics, params, tags, inputs, outputs] = await Promise.all([
    runRows(db).where("run_uuid", "in", ids).execute(),
    db
      .selectFrom("latest_metrics")
      .selectAll()
      .select(METRIC_DIGITS)
      .where("run_uuid", "in", ids)
      .orderBy("seq")
      .orderBy("key")
      .execute(),
    // First-logged order, as MLflow's SQL store (see runDataOrder.ts).
    db.selectFrom("params").selectAll().where("run_uuid", "in", ids).orderBy("seq").orderBy("key").execute(),
    db.selectFrom("tags").selectAll().where("run_uuid", "in", ids).orderBy("seq").orderBy("key").execute(),
    db
      .selectFrom("inputs")
      .selectAll()
      .where("destination_type", "=", "RUN")
      .where("destination_id", "in", ids)
      .orderBy("input_uuid")
      .execute(),
    db
      .selectFrom("run_outputs")
      .selectAll()
      .select(exactDigits("step", "step_digits"))
      .where("run_uuid", "in", ids)
      .orderBy("model_id")
      .execute(),
  ]);
  for (const row of runs) parts.rows.set(row.run_uuid, row);
  for (const m of metrics) {
    push(parts.metrics, m.run_uuid, {
      key: m.key,
      value: storedMetricValue(m.value, m.is_nan),
      timestamp: storedInt64(m.timestamp, m.timestamp_digits),
      step: storedInt64(m.step, m.step_digits),
    });
  }
  for (const p of params) push(parts.params, p.run_uuid, { key: p.key, value: p.value });
  for (const t of tags) push(parts.tags, t.run_uuid, { key: t.key, value: t.value });
  for (const o of outputs)
    push(parts.modelOutputs, o.run_uuid, { model_id: o.model_id, step: storedInt64(o.step, o.step_digits) });

  const datasetLinks = inputs.filter((i) => i.source_type === "DATASET");
  for (const i of inputs) {
    if (i.source_type === "MODEL") push(parts.modelInputs, i.destination_id, { model_id: i.source_id });
  }
  if (datasetLinks.length === 0) return;
  // A run can have many inputs, so these lists are chunked again to stay under the bind-variable limit.
  const datasets = [];
  const inputTags = [];
  for (const chunk of inChunks([...new Set(datasetLinks.map((i) => i.source_id))])) {
    datasets.push(
      ...(await db.selectFrom("datasets").selectAll().where("dataset_uuid", "in", chunk).execute()),
    );
  }
  for (const chunk of inChunks(datasetLinks.map((i) => i.input_uuid))) {
    inputTags.push(
      ...(await db
        .selectFrom("input_tags")
        .selectAll()
        .where("input_uuid", "in", chunk)
        .orderBy("key")
        .execute()),
    );
  }
  const datasetById = new Map(datasets.map((d) => [d.dataset_uuid, d]));
  const tagsByInput = new Map<string, Tag[]>();
  for (const t of inputTags) push(tagsByInput, t.input_uuid, { key: t.key, value: t.value });
  for (const link of datasetLinks) {
    const d = datasetById.get(link.source_id);
    if (d === undefined) continue;
    const dataset: DatasetInput["dataset"] = {
      name: d.name,
      digest: d.digest,
      source_type: d.dataset_source_type,
      source: d.dataset_source,
    };
    if (d.dataset_schema !== null) dataset.schema = d.dataset_schema;
    if (d.dataset_profile !== null) dataset.profile = d.dataset_profile;
    push(parts.datasetInputs, link.destination_id, { tags: tagsByInput.get(link.input_uuid) ?? [], dataset });
  }
}
