/**
 * Reads metric histories: one run's full or paged history, and several runs' histories at once (the UI's
 * get-history-bulk). The run charts' sampled read is metricSampling.ts.
 */
import type { Kysely } from "kysely";
import type { Database, MetricTable } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import type { Metric, MetricWithRunId } from "./entities.js";
import { METRIC_DIGITS, storedInt64 } from "./exactInt64.js";
import { storedMetricValue } from "./runReader.js";
import { nonNegativeOffset } from "./search/mlflowPageToken.js";

export const MAX_RUNS_PER_BULK_REQUEST = 100;
export const MAX_BULK_HISTORY_RESULTS = 25000;

export interface MetricHistoryPage {
  metrics: Metric[];
  next_page_token?: string;
}

/** A stored point, with the exact digits of a step or timestamp beyond 2^53 (see exactInt64.ts). */
export type MetricRowLike = MetricTable & { step_digits?: string | null; timestamp_digits?: string | null };

function toMetric(row: MetricRowLike): Metric {
  return {
    key: row.key,
    value: storedMetricValue(row.value, row.is_nan),
    timestamp: storedInt64(row.timestamp, row.timestamp_digits),
    step: storedInt64(row.step, row.step_digits),
  };
}

export function toMetricWithRunId(row: MetricRowLike): MetricWithRunId {
  return { ...toMetric(row), run_id: row.run_uuid };
}

/** MLflow's page token: base64 of `{"offset": N}`. */
function decodeOffset(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidParameter(`Invalid page token, could not base64-decode or parse JSON: '${token}'`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset)) {
    throw invalidParameter(`Invalid page token, offset is not an integer: '${token}'`);
  }
  return nonNegativeOffset(offset);
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64");
}

/**
 * All points of one metric, ordered as MLflow's SQL store orders them (timestamp, step, value: a resumed run
 * whose steps start again keeps its time order); paged only when max_results is given.
 */
export async function getMetricHistory(
  db: Kysely<Database>,
  runId: string,
  metricKey: string,
  options: { maxResults?: number | undefined; pageToken?: string | undefined } = {},
): Promise<MetricHistoryPage> {
  // A page of 0 would hand back a token for the same offset forever (MLflow refuses it the same way).
  if (options.maxResults !== undefined && options.maxResults <= 0) {
    throw invalidParameter(
      `Invalid value ${options.maxResults} for parameter 'max_results' supplied. It must be a positive integer.`,
    );
  }
  const offset = decodeOffset(options.pageToken);
  let query = db
    .selectFrom("metrics")
    .selectAll()
    .select(METRIC_DIGITS)
    .where("run_uuid", "=", runId)
    .where("key", "=", metricKey)
    .orderBy("timestamp")
    .orderBy("step")
    .orderBy("value");
  if (options.maxResults !== undefined) query = query.limit(options.maxResults + 1).offset(offset);
  else if (offset > 0) query = query.offset(offset);
  const rows = await query.execute();
  if (options.maxResults === undefined || rows.length <= options.maxResults) {
    return { metrics: rows.map(toMetric) };
  }
  return {
    metrics: rows.slice(0, options.maxResults).map(toMetric),
    next_page_token: encodeOffset(offset + options.maxResults),
  };
}

export function assertRunCount(runIds: readonly string[], request: string): void {
  if (runIds.length === 0) {
    throw invalidParameter(`${request} request must specify at least one run_id.`);
  }
  if (runIds.length > MAX_RUNS_PER_BULK_REQUEST) {
    throw invalidParameter(
      `${request} request must specify at most ${MAX_RUNS_PER_BULK_REQUEST} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
}

/** Histories of several runs, runs in id order and points in (timestamp, step, value) order, as MLflow. */
export async function getMetricHistoryBulk(
  db: Kysely<Database>,
  runIds: readonly string[],
  metricKey: string,
  maxResults: number = MAX_BULK_HISTORY_RESULTS,
): Promise<MetricWithRunId[]> {
  assertRunCount(runIds, "GetMetricHistoryBulk");
  const limit = Math.min(maxResults, MAX_BULK_HISTORY_RESULTS);
  const rows = await db
    .selectFrom("metrics")
    .selectAll()
    .select(METRIC_DIGITS)
    .where("run_uuid", "in", [...new Set(runIds)])
    .where("key", "=", metricKey)
    .orderBy("run_uuid")
    .orderBy("timestamp")
    .orderBy("step")
    .orderBy("value")
    .limit(limit)
    .execute();
  return rows.map(toMetricWithRunId);
}
