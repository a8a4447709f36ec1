/**
 * QueryTraceMetrics as mlflow's SQL store answers it (`query_trace_metrics`): one metric of traces, spans or
 * assessments, aggregated (COUNT, SUM, AVG, MIN, MAX, PERCENTILE) over the rows that have a value, grouped
 * by an optional time bucket and the requested dimensions, ordered by the bucket then the dimensions, at
 * most `max_results` groups, without paging. Groups with a missing dimension are left out. Without
 * dimensions there is always one group, so a COUNT of nothing is 0 while an AVG of nothing is no point.
 *
 * Percentiles interpolate linearly between the two nearest ranks, which is what mlflow computes on both
 * SQLite (its registered `percentile` aggregate) and PostgreSQL (`percentile_cont`).
 */
import type { MetadataDb } from "../../db/connect.js";
import { invalidParameter } from "../../errors.js";
import { parseExperimentId } from "../experimentStore.js";
import { readMetricRows, type MetricRow } from "./traceMetricRows.js";
import {
  aggregationLabel,
  validateMetricQuery,
  type MetricAggregation,
  type MetricViewType,
} from "./traceMetricsConfig.js";
import { parseMetricFilter } from "./traceMetricsFilter.js";

export const QUERY_TRACE_METRICS_DEFAULT_MAX_RESULTS = 1000;
const TIME_BUCKET = "time_bucket";

export interface TraceMetricsQuery {
  experimentIds: readonly string[];
  viewType: MetricViewType;
  metricName: string;
  aggregations: readonly MetricAggregation[];
  dimensions?: readonly string[] | undefined;
  filters?: readonly string[] | undefined;
  timeIntervalSeconds?: number | undefined;
  startTimeMs?: number | undefined;
  endTimeMs?: number | undefined;
  maxResults?: number | undefined;
}

export interface MetricDataPoint {
  metricName: string;
  dimensions: Record<string, string>;
  values: Record<string, number>;
}

interface Group {
  bucketMs: number | undefined;
  dimensions: string[];
  values: (number | string)[];
}

export async function queryTraceMetrics(
  meta: MetadataDb,
  query: TraceMetricsQuery,
): Promise<MetricDataPoint[]> {
  const dimensions = query.dimensions ?? [];
  validateMetricQuery(query.viewType, query.metricName, query.aggregations, dimensions);
  const interval = query.timeIntervalSeconds || undefined;
  if (interval !== undefined && (query.startTimeMs === undefined || query.endTimeMs === undefined)) {
    throw invalidParameter("start_time_ms and end_time_ms are required if time_interval_seconds is set");
  }
  const experimentIds = query.experimentIds
    .map((id) => parseExperimentId(id))
    .filter((id): id is number => id !== undefined);
  const filters = (query.filters ?? []).map((filter) => parseMetricFilter(filter));
  const rows = await readMetricRows(meta, {
    viewType: query.viewType,
    metricName: query.metricName,
    dimensions,
    experimentIds,
    filters,
    startTimeMs: query.startTimeMs,
    endTimeMs: query.endTimeMs,
  });
  const isSessionCount = query.viewType === "TRACES" && query.metricName === "session_count";
  const groups = groupRows(
    rows.filter((row) => isSessionCount || row.value !== null),
    dimensions,
    interval === undefined ? undefined : interval * 1000,
  );
  const maxResults = query.maxResults ?? QUERY_TRACE_METRICS_DEFAULT_MAX_RESULTS;
  const points: MetricDataPoint[] = [];
  for (const group of sortGroups(groups).slice(0, Math.max(0, maxResults))) {
    const values: Record<string, number> = {};
    for (const aggregation of query.aggregations) {
      const value = aggregate(aggregation, group.values, isSessionCount);
      if (value !== undefined) values[aggregationLabel(aggregation)] = value;
    }
    if (Object.keys(values).length === 0) continue;
    const named: Record<string, string> = {};
    if (group.bucketMs !== undefined) named[TIME_BUCKET] = isoBucket(group.bucketMs);
    dimensions.forEach((dimension, i) => (named[dimension] = group.dimensions[i] as string));
    points.push({ metricName: query.metricName, dimensions: named, values });
  }
  return points;
}

function groupRows(
  rows: readonly MetricRow[],
  dimensions: readonly string[],
  bucketMs: number | undefined,
): Group[] {
  const groups = new Map<string, Group>();
  const groupKey = (bucket: number | undefined, values: readonly (string | null)[]) =>
    JSON.stringify([bucket ?? null, values]);
  // Without a bucket or dimensions, SQL aggregates the whole (maybe empty) set into one row.
  if (bucketMs === undefined && dimensions.length === 0) {
    groups.set(groupKey(undefined, []), { bucketMs, dimensions: [], values: [] });
  }
  for (const row of rows) {
    const values = dimensions.map((d) => row.dimensions[d] ?? null);
    if (values.some((v) => v === null)) continue;
    const bucket = bucketMs === undefined ? undefined : Math.floor(row.timestampMs / bucketMs) * bucketMs;
    const key = groupKey(bucket, values);
    let group = groups.get(key);
    if (group === undefined) {
      group = { bucketMs: bucket, dimensions: values as string[], values: [] };
      groups.set(key, group);
    }
    if (row.value !== null) group.values.push(row.value);
  }
  return [...groups.values()];
}

function sortGroups(groups: Group[]): Group[] {
  const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return groups.sort((a, b) => {
    const byBucket = (a.bucketMs ?? 0) - (b.bucketMs ?? 0);
    if (byBucket !== 0) return byBucket;
    for (let i = 0; i < a.dimensions.length; i++) {
      const byDimension = compareText(a.dimensions[i] as string, b.dimensions[i] as string);
      if (byDimension !== 0) return byDimension;
    }
    return 0;
  });
}

/** SQL's aggregate of the group's values; undefined where SQL gives NULL (no values). */
function aggregate(
  aggregation: MetricAggregation,
  values: readonly (number | string)[],
  distinct: boolean,
): number | undefined {
  if (aggregation.type === "COUNT") return distinct ? new Set(values).size : values.length;
  const numbers = values.map(Number);
  if (numbers.length === 0) return undefined;
  switch (aggregation.type) {
    case "SUM":
      return numbers.reduce((sum, n) => sum + n, 0);
    case "AVG":
      return numbers.reduce((sum, n) => sum + n, 0) / numbers.length;
    case "MIN":
      return numbers.reduce((min, n) => (n < min ? n : min));
    case "MAX":
      return numbers.reduce((max, n) => (n > max ? n : max));
    case "PERCENTILE":
      return percentile(numbers, aggregation.percentile ?? 0);
  }
}

/** Linear interpolation at rank `p/100 * (n-1)`, numpy's default (PostgreSQL's percentile_cont). */
export function percentile(numbers: readonly number[], percentileValue: number): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const index = (percentileValue / 100) * (sorted.length - 1);
  const lower = Math.floor(index);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const low = sorted[lower] as number;
  return low + (index - lower) * ((sorted[upper] as number) - low);
}

/** Python's `datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat()` for a whole-second bucket. */
function isoBucket(bucketMs: number): string {
  return `${new Date(bucketMs).toISOString().slice(0, 19)}+00:00`;
}
