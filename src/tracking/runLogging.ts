/**
 * The write path of a run's data: metrics (append-only), params (immutable) and tags (mutable), one at a
 * time or as a batch. A batch is one transaction of multi-row statements; every insert is idempotent, so
 * the exact replay that the client's retry on a 5xx produces succeeds without duplicating a row.
 */
import { sql, type InsertObject, type Kysely } from "kysely";
import type { Database, MetricTable } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import type { Param, Tag } from "./entities.js";
import {
  validateBatchLimits,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateRunTag,
} from "./entityValidation.js";
import { int64Parameter, type Int64 } from "./exactInt64.js";
import { inChunks } from "./inChunks.js";
import { storableMetricValue } from "./metricValue.js";
import { recordLoggedModelMetrics, type LoggedModelMetricInput } from "./loggedModels/metrics.js";
import { placesAfterRun } from "./runDataOrder.js";
import { invalidValueMessage } from "./validationMessages.js";
import { requireActiveRun, writeRunTags } from "./runStore.js";

/** A metric point as logged; 3.x clients may attach it to a logged model and a dataset. */
export interface MetricInput {
  key: string;
  value: number;
  timestamp: Int64;
  step: Int64;
  model_id?: string | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

export interface LogBatchInput {
  metrics?: readonly MetricInput[] | undefined;
  params?: readonly Param[] | undefined;
  tags?: readonly Tag[] | undefined;
}

/** A metrics row before binding: step and timestamp exact (see exactInt64.ts). */
type MetricRow = Omit<MetricTable, "step" | "timestamp"> & { step: Int64; timestamp: Int64 };

/** The row as Kysely inserts it, an int64 beyond 2^53 bound as the BigInt it is. */
function insertable(row: MetricRow): InsertObject<Database, "metrics" | "latest_metrics"> {
  return { ...row, step: int64Parameter(row.step), timestamp: int64Parameter(row.timestamp) };
}

/** MLflow's SQL encoding: NaN is a flag with value 0, and infinities are clamped to the largest double. */
export function toMetricRow(runId: string, metric: MetricInput): MetricRow {
  return {
    run_uuid: runId,
    key: metric.key,
    timestamp: metric.timestamp,
    step: metric.step,
    ...storableMetricValue(metric.value),
  };
}

export function latestPerKey(rows: readonly MetricRow[]): MetricRow[] {
  const latest = new Map<string, MetricRow>();
  for (const row of rows) {
    const current = latest.get(row.key);
    if (current === undefined || isLater(row, current)) latest.set(row.key, row);
  }
  return [...latest.values()].sort(byKey);
}

/**
 * Concurrent batches on PostgreSQL lock rows in the order they are written; writing in key order keeps
 * two batches for the same run from deadlocking on each other.
 */
export function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function isLater(a: MetricRow, b: MetricRow): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/**
 * mlflow's `_RUN_ID_REGEX`, with Python's Unicode `\w` and a `$` that also matches before a final newline.
 * log_batch checks it first: a body whose run_id protobuf never read (written after a value it could not
 * read, or sent only as run_uuid) reaches the store as "" and is refused here, not as a missing run.
 */
const RUN_ID = /^[a-zA-Z0-9][\p{L}\p{N}_-]{0,255}\n?$/u;

export async function logBatch(db: Kysely<Database>, runId: string, batch: LogBatchInput): Promise<void> {
  if (!RUN_ID.test(runId)) throw invalidParameter(invalidValueMessage("run_id", runId));
  const metrics = batch.metrics ?? [];
  validateBatchLimits(metrics.length, batch.params?.length ?? 0, batch.tags?.length ?? 0);
  validateParamKeysUnique(batch.params ?? []);
  metrics.forEach((metric, i) => {
    refuseEmptyName(metric.key, `metrics[${i}].name`);
    validateMetric(metric, `metrics[${i}]`);
  });
  const params = (batch.params ?? []).map((param, i) => {
    refuseEmptyName(param.key, `params[${i}].key`);
    return validateParam(param, `params[${i}]`);
  });
  const tags = (batch.tags ?? []).map((tag, i) => {
    refuseEmptyName(tag.key, `tags[${i}].key`);
    return validateRunTag(tag, `tags[${i}]`);
  });
  await db.transaction().execute(async (tx) => {
    await requireActiveRun(tx, runId);
    await writeParams(tx, runId, params, (conflicts) => {
      const listed = conflicts
        .map((c) => `{'key': '${c.key}', 'old_value': '${c.old}', 'new_value': '${c.value}'}`)
        .join(", ");
      return `Changing param values is not allowed. Params were already logged='[${listed}]' for run ID='${runId}'.`;
    });
    await writeMetrics(tx, runId, metrics);
    await writeRunTags(tx, runId, tags);
  });
}

/**
 * A batch key of "" gets past MLflow's handler only where protobuf could not read the key the client sent (5,
 * or a key written after an unreadable value), and the store's name check then refuses it as a path: Python's
 * `normpath("")` is ".". (A key sent as "" is refused earlier, as missing.)
 */
function refuseEmptyName(key: string, path: string): void {
  if (key !== "") return;
  throw invalidParameter(
    invalidValueMessage(
      path,
      "",
      "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '.'",
    ),
  );
}

export async function logMetric(db: Kysely<Database>, runId: string, metric: MetricInput): Promise<void> {
  validateMetric(metric);
  await db.transaction().execute(async (tx) => {
    await requireActiveRun(tx, runId);
    await writeMetrics(tx, runId, [metric]);
  });
}

export async function logParam(db: Kysely<Database>, runId: string, logged: Param): Promise<void> {
  const param = validateParam(logged);
  await db.transaction().execute(async (tx) => {
    await requireActiveRun(tx, runId);
    await writeParams(
      tx,
      runId,
      [param],
      ([c]) =>
        `Changing param values is not allowed. Param with key='${c?.key}' was already logged with value='${c?.old}' for run ID='${runId}'. Attempted logging new value '${c?.value}'.`,
    );
  });
}

interface ParamConflict {
  key: string;
  old: string;
  value: string;
}

/**
 * Inserts first and compares afterwards: under concurrency the comparison then sees whichever value won,
 * and a different value aborts the whole transaction.
 */
async function writeParams(
  db: Kysely<Database>,
  runId: string,
  params: readonly Param[],
  describe: (conflicts: ParamConflict[]) => string,
): Promise<void> {
  if (params.length === 0) return;
  const places = await placesAfterRun(
    db,
    "params",
    runId,
    params.map((p) => p.key),
  );
  for (const chunk of inChunks([...params].sort(byKey))) {
    await db
      .insertInto("params")
      .values(chunk.map((p) => ({ run_uuid: runId, key: p.key, value: p.value, seq: places.get(p.key) })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const stored = new Map<string, string>();
  for (const chunk of inChunks(params.map((p) => p.key))) {
    const rows = await db
      .selectFrom("params")
      .select(["key", "value"])
      .where("run_uuid", "=", runId)
      .where("key", "in", chunk)
      .execute();
    for (const row of rows) stored.set(row.key, row.value);
  }
  const conflicts = params
    .filter((p) => stored.get(p.key) !== p.value)
    .map((p) => ({ key: p.key, old: stored.get(p.key) ?? "", value: p.value }));
  if (conflicts.length > 0) throw invalidParameter(describe(conflicts));
}

async function writeMetrics(
  db: Kysely<Database>,
  runId: string,
  metrics: readonly MetricInput[],
): Promise<void> {
  if (metrics.length === 0) return;
  const unique = new Map<string, MetricRow>();
  for (const metric of metrics) {
    const row = toMetricRow(runId, metric);
    unique.set(`${row.key}\u0000${row.step}\u0000${row.timestamp}\u0000${row.value}\u0000${row.is_nan}`, row);
  }
  const rows = [...unique.values()].sort(byKey);
  for (const chunk of inChunks(rows)) {
    await db
      .insertInto("metrics")
      .values(chunk.map(insertable))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const places = await placesAfterRun(
    db,
    "latest_metrics",
    runId,
    metrics.map((m) => m.key),
  );
  for (const chunk of inChunks(latestPerKey(rows))) {
    await db
      .insertInto("latest_metrics")
      .values(chunk.map((row) => ({ ...insertable(row), seq: places.get(row.key) })))
      .onConflict((oc) =>
        oc
          .columns(["run_uuid", "key"])
          .doUpdateSet((eb) => ({
            value: eb.ref("excluded.value"),
            timestamp: eb.ref("excluded.timestamp"),
            step: eb.ref("excluded.step"),
            is_nan: eb.ref("excluded.is_nan"),
          }))
          .where(
            sql<boolean>`(${sql.ref("excluded.step")}, ${sql.ref("excluded.timestamp")}, ${sql.ref("excluded.value")}) > (${sql.ref("latest_metrics.step")}, ${sql.ref("latest_metrics.timestamp")}, ${sql.ref("latest_metrics.value")})`,
          ),
      )
      .execute();
  }
  await writeModelMetrics(db, runId, metrics);
}

/** 3.x: a metric logged with a model_id is also recorded against that logged model, as MLflow does. */
async function writeModelMetrics(
  db: Kysely<Database>,
  runId: string,
  metrics: readonly MetricInput[],
): Promise<void> {
  const byModel = new Map<string, LoggedModelMetricInput[]>();
  for (const m of metrics) {
    if (!m.model_id) continue;
    const list = byModel.get(m.model_id) ?? [];
    list.push({
      ...m,
      runId,
      datasetName: m.dataset_name,
      datasetDigest: m.dataset_digest,
    });
    byModel.set(m.model_id, list);
  }
  for (const [modelId, list] of byModel) await recordLoggedModelMetrics(db, modelId, list);
}
