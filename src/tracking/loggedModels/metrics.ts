/**
 * Links metrics to logged models. MLflow 3 clients send `model_id` (and the evaluation dataset) with
 * `runs/log-metric` and `runs/log-batch`; the tracking routes store the run metric as usual and call this to
 * record the model link too. Writes are idempotent (the first value of a point stands) so a retried log-batch does not fail on its own
 * rows, and a batch repeating a point does not trip PostgreSQL's one-update-per-row rule. Steps and timestamps
 * are kept to the last digit, as MLflow keeps them (a step of 9223372036854775807 comes back as that).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { int64Parameter, type Int64 } from "../exactInt64.js";
import { inChunks } from "../inChunks.js";
import { storableMetricValue } from "../metricValue.js";

export interface LoggedModelMetricInput {
  key: string;
  value: number;
  timestamp: Int64;
  step: Int64;
  runId: string;
  datasetName?: string | undefined;
  datasetDigest?: string | undefined;
}

function storedAs(value: number): { metric_value: number; is_nan: 0 | 1 } {
  const stored = storableMetricValue(value);
  return { metric_value: stored.value, is_nan: stored.is_nan };
}

export async function recordLoggedModelMetrics(
  db: Kysely<Database>,
  modelId: string,
  metrics: readonly LoggedModelMetricInput[],
): Promise<void> {
  const rows = metrics.map((m) => ({
    model_id: modelId,
    metric_name: m.key,
    metric_timestamp_ms: int64Parameter(m.timestamp),
    metric_step: int64Parameter(m.step),
    ...storedAs(m.value),
    run_id: m.runId,
    dataset_name: m.datasetName ?? "",
    dataset_digest: m.datasetDigest ?? "",
  }));
  for (const chunk of inChunks(rows, 100)) {
    await db
      .insertInto("logged_model_metrics")
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
