/**
 * Reads metric histories: one run's full or paged history, several runs' histories at once (the UI's
 * get-history-bulk), and the step-sampled histories the run charts ask for (get-history-bulk-interval).
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import type { Metric, MetricWithRunId } from "./entities.js";
import { inChunks } from "./inChunks.js";
import { storedMetricValue } from "./runReader.js";
import { nonNegativeOffset } from "./search/pageToken.js";

export const MAX_RUNS_PER_BULK_REQUEST = 100;
export const MAX_BULK_HISTORY_RESULTS = 25000;
export const MAX_SAMPLED_RESULTS_PER_RUN = 2500;

export interface MetricHistoryPage {
  metrics: Metric[];
  next_page_token?: string;
}

interface MetricRowLike {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

function toMetric(row: MetricRowLike): Metric {
  return {
    key: row.key,
    value: storedMetricValue(row.value, row.is_nan),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  };
}

function toMetricWithRunId(row: MetricRowLike): MetricWithRunId {
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

function assertRunCount(runIds: readonly string[], request: string): void {
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

export interface StepInterval {
  startStep?: number | undefined;
  endStep?: number | undefined;
  maxResults?: number | undefined;
}

/**
 * MLflow's `_get_sampled_steps_from_steps`: at most `maxResults` steps spread evenly over the steps in
 * [start, end], plus the last one. MLflow compares the absolute index with the count of steps in range,
 * which drops samples when the range does not start at the first step; the index is compared with the
 * range's end here, as was intended.
 */
export function sampleSteps(
  startStep: number,
  endStep: number,
  maxResults: number,
  sortedSteps: readonly number[],
): Set<number> {
  const startIdx = lowerBound(sortedSteps, startStep);
  const endIdx = lowerBound(sortedSteps, endStep + 1);
  const count = endIdx - startIdx;
  if (count <= maxResults) return new Set(sortedSteps.slice(startIdx, endIdx));
  const interval = count / maxResults;
  const sampled = new Set<number>();
  for (let i = 0; i < maxResults; i++) {
    const idx = startIdx + Math.floor(i * interval);
    const step = sortedSteps[idx];
    if (idx < endIdx && step !== undefined) sampled.add(step);
  }
  const last = sortedSteps[endIdx - 1];
  if (last !== undefined) sampled.add(last);
  return sampled;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The run charts' read: the same sampled steps for every run, plus each run's own first and last step. */
export async function getMetricHistoryBulkInterval(
  db: Kysely<Database>,
  runIds: readonly string[],
  metricKey: string,
  interval: StepInterval = {},
): Promise<MetricWithRunId[]> {
  assertRunCount(runIds, "GetMetricHistoryBulkInterval");
  const maxResults = interval.maxResults ?? MAX_SAMPLED_RESULTS_PER_RUN;
  if (maxResults < 1 || maxResults > MAX_SAMPLED_RESULTS_PER_RUN) {
    throw invalidParameter(`max_results must be between 1 and ${MAX_SAMPLED_RESULTS_PER_RUN}.`);
  }
  const { startStep, endStep } = interval;
  if ((startStep === undefined) !== (endStep === undefined)) {
    throw invalidParameter("If either start step or end step are specified, both must be specified.");
  }
  if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
    throw invalidParameter(
      `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`,
    );
  }
  const ids = [...new Set(runIds)];
  const [stepRows, boundRows] = await Promise.all([
    db
      .selectFrom("metrics")
      .select("step")
      .distinct()
      .where("run_uuid", "in", ids)
      .where("key", "=", metricKey)
      .orderBy("step")
      .execute(),
    db
      .selectFrom("metrics")
      .select((eb) => [eb.fn.min("step").as("min_step"), eb.fn.max("step").as("max_step")])
      .where("run_uuid", "in", ids)
      .where("key", "=", metricKey)
      .groupBy("run_uuid")
      .execute(),
  ]);
  const allSteps = stepRows.map((r) => Number(r.step));
  const start = startStep ?? 0;
  const end = endStep ?? allSteps[allSteps.length - 1] ?? 0;
  const steps = sampleSteps(start, end, maxResults, allSteps);
  for (const bound of boundRows) {
    for (const step of [Number(bound.min_step), Number(bound.max_step)]) {
      if (step >= start && step <= end) steps.add(step);
    }
  }
  if (steps.size === 0) return [];

  const byRun = new Map<string, MetricWithRunId[]>();
  for (const chunk of inChunks([...steps])) {
    const rows = await db
      .selectFrom("metrics")
      .selectAll()
      .where("run_uuid", "in", ids)
      .where("key", "=", metricKey)
      .where("step", "in", chunk)
      .execute();
    for (const row of rows) {
      const list = byRun.get(row.run_uuid) ?? [];
      list.push(toMetricWithRunId(row));
      byRun.set(row.run_uuid, list);
    }
  }
  return ids.flatMap((id) =>
    (byRun.get(id) ?? [])
      .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp)
      .slice(0, MAX_BULK_HISTORY_RESULTS),
  );
}
