/**
 * Links metrics to logged models. MLflow 3 clients send `model_id` (and the evaluation dataset) with
 * `runs/log-metric` and `runs/log-batch`; the tracking routes store the run metric as usual and call this to
 * record the model link too. Writes are idempotent so a retried log-batch does not fail on its own rows.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { inChunks } from "../inChunks.js";

export interface LoggedModelMetricInput {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string;
  datasetName?: string | undefined;
  datasetDigest?: string | undefined;
}

// MLflow stores ±Inf as ±DBL_MAX so every SQL engine can hold it; NaN goes to is_nan.
const DOUBLE_MAX = 1.7976931348623157e308;

export async function recordLoggedModelMetrics(
  db: Kysely<Database>,
  modelId: string,
  metrics: readonly LoggedModelMetricInput[],
): Promise<void> {
  const rows = metrics.map((m) => ({
    model_id: modelId,
    metric_name: m.key,
    metric_timestamp_ms: m.timestamp,
    metric_step: m.step,
    metric_value: Number.isNaN(m.value) ? 0 : Math.max(-DOUBLE_MAX, Math.min(DOUBLE_MAX, m.value)),
    is_nan: Number.isNaN(m.value) ? 1 : 0,
    run_id: m.runId,
    dataset_name: m.datasetName ?? "",
    dataset_digest: m.datasetDigest ?? "",
  }));
  for (const chunk of inChunks(rows, 100)) {
    await db
      .insertInto("logged_model_metrics")
      .values(chunk)
      .onConflict((oc) =>
        oc
          .columns([
            "model_id",
            "metric_name",
            "metric_timestamp_ms",
            "metric_step",
            "run_id",
            "dataset_name",
            "dataset_digest",
          ])
          .doUpdateSet((eb) => ({
            metric_value: eb.ref("excluded.metric_value"),
            is_nan: eb.ref("excluded.is_nan"),
          })),
      )
      .execute();
  }
}
