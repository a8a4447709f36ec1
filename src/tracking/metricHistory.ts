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
import { nonNegativeOffset, pageTokenFor, startOffsetFromPageToken } from "./search/mlflowPageToken.js";

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
  // As mlflow's store: a negative offset fetches from the start (SQLite's OFFSET) and still counts on in
  // the next token.
  const tokenOffset = startOffsetFromPageToken(options.pageToken);
  const window: HistoryWindow = {
    offset: nonNegativeOffset(tokenOffset),
    tokenOffset,
    maxResults: options.maxResults,
  };
  // Histories run to many thousands of points, so the common read takes the four columns a point needs
  // (half the row decoding of `selectAll` with the digit columns) and builds each point in one step; only a
  // history holding a step or timestamp beyond 2^53 is read again with the exact digits.
  const points = await readPoints(db, runId, metricKey, window);
  const metrics = points ?? (await readExactPoints(db, runId, metricKey, window)).map(toMetric);
  return pageOf(metrics, window);
}

interface HistoryWindow {
  offset: number;
  /** The offset the page token named, from which the next token counts. */
  tokenOffset: number;
  maxResults: number | undefined;
}

/** The points of `window` (one more than a page, to tell whether another follows), or undefined. */
async function readPoints(
  db: Kysely<Database>,
  runId: string,
  metricKey: string,
  window: HistoryWindow,
): Promise<Metric[] | undefined> {
  const rows = await windowed(
    orderedHistory(db, runId, metricKey).select(["value", "is_nan", "timestamp", "step"]),
    window,
  ).execute();
  const points: Metric[] = new Array<Metric>(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as (typeof rows)[number];
    // The drivers hand int64 columns over as doubles: beyond 2^53 the double may have lost digits.
    const timestamp = Number(row.timestamp);
    const step = Number(row.step);
    if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(step)) return undefined;
    points[i] = { key: metricKey, value: storedMetricValue(row.value, row.is_nan), timestamp, step };
  }
  return points;
}

/** The rows of `window` with the exact digits of steps and timestamps beyond 2^53 (see exactInt64.ts). */
async function readExactPoints(
  db: Kysely<Database>,
  runId: string,
  metricKey: string,
  window: HistoryWindow,
): Promise<MetricRowLike[]> {
  return windowed(orderedHistory(db, runId, metricKey).selectAll().select(METRIC_DIGITS), window).execute();
}

/** One metric's rows in MLflow's SQL store order: timestamp, step, value. */
function orderedHistory(db: Kysely<Database>, runId: string, metricKey: string) {
  return db
    .selectFrom("metrics")
    .where("run_uuid", "=", runId)
    .where("key", "=", metricKey)
    .orderBy("timestamp")
    .orderBy("step")
    .orderBy("value");
}

/**
 * `query` limited to the window. SQLite refuses an OFFSET without a LIMIT, so a page token without
 * max_results is read whole and cut in `pageOf` (MLflow answers the points after the offset there).
 */
function windowed<Q extends { limit(n: number): Q; offset(n: number): Q }>(
  query: Q,
  window: HistoryWindow,
): Q {
  if (window.maxResults === undefined) return query;
  return query.limit(window.maxResults + 1).offset(window.offset);
}

function pageOf(metrics: Metric[], window: HistoryWindow): MetricHistoryPage {
  const { maxResults, offset } = window;
  if (maxResults === undefined) return { metrics: offset > 0 ? metrics.slice(offset) : metrics };
  if (metrics.length <= maxResults) return { metrics };
  metrics.length = maxResults;
  return { metrics, next_page_token: pageTokenFor(window.tokenOffset + maxResults) };
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
