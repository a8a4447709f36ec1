/**
 * The rows QueryTraceMetrics aggregates, read per view: traces (`trace_info` with the name tag and the
 * session and token usage metadata), spans (with their trace) or valid assessments (with their trace). The
 * experiments, the time range and the filters are applied in SQL; the values mlflow keeps in denormalized
 * columns (token counts, span model and cost, an assessment's numeric value) are derived here from the data
 * FlowOps stores, the way mlflow derives those columns when it writes them (`trace_analytics.py`).
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { invalidParameter } from "../../errors.js";
import { TRACE_NAME_TAG } from "./entities.js";
import { SPAN_COST_METRICS, type MetricViewType } from "./traceMetricsConfig.js";
import type { MetricFilter } from "./traceMetricsFilter.js";

const SESSION_METADATA = "mlflow.trace.session";
const TOKEN_USAGE_METADATA = "mlflow.trace.tokenUsage";
const SPAN_COST_ATTRIBUTE = "mlflow.llm.cost";
const SPAN_MODEL_ATTRIBUTE = "mlflow.llm.model";
const SPAN_PROVIDER_ATTRIBUTE = "mlflow.llm.provider";
const MODEL_DIMENSION_MAX_LENGTH = 500;

/** One row to aggregate: its time (ms), what it may be grouped by, and the metric's value (null: none). */
export interface MetricRow {
  timestampMs: number;
  dimensions: Readonly<Record<string, string | null>>;
  value: number | string | null;
}

export interface MetricRowsQuery {
  viewType: MetricViewType;
  metricName: string;
  /** The dimensions asked for; span content (models, costs) is read only when needed. */
  dimensions: readonly string[];
  experimentIds: readonly number[];
  filters: readonly MetricFilter[];
  startTimeMs?: number | undefined;
  endTimeMs?: number | undefined;
}

export async function readMetricRows(meta: MetadataDb, query: MetricRowsQuery): Promise<MetricRow[]> {
  if (query.experimentIds.length === 0) return [];
  switch (query.viewType) {
    case "TRACES":
      return readTraceRows(meta, query);
    case "SPANS":
      return readSpanRows(meta, query);
    case "ASSESSMENTS":
      return readAssessmentRows(meta, query);
  }
}

interface TraceRow {
  request_id: string;
  timestamp_ms: number | string;
  execution_time_ms: number | string | null;
  status: string;
  trace_name: string | null;
  session_id: string | null;
  token_usage: string | null;
}

async function readTraceRows(meta: MetadataDb, query: MetricRowsQuery): Promise<MetricRow[]> {
  const { rows } = await sql<TraceRow>`select t.request_id, t.timestamp_ms, t.execution_time_ms, t.status,
      ${keyValue("trace_tags", TRACE_NAME_TAG)} as trace_name,
      ${keyValue("trace_request_metadata", SESSION_METADATA)} as session_id,
      ${keyValue("trace_request_metadata", TOKEN_USAGE_METADATA)} as token_usage
    from trace_info t
    where ${sql.join(conditions(query, sql.ref("t.timestamp_ms")), sql` and `)}`.execute(meta.db);
  const tokenUsage = (row: TraceRow) => jsonObject(row.token_usage);
  const value = (row: TraceRow): number | string | null => {
    switch (query.metricName) {
      case "trace_count":
        return row.request_id;
      case "session_count":
        return row.session_id;
      case "latency":
        return row.execution_time_ms === null ? null : Number(row.execution_time_ms);
      default:
        return tokenCountOrNull(tokenUsage(row)[query.metricName]);
    }
  };
  return rows.map((row) => ({
    timestampMs: Number(row.timestamp_ms),
    dimensions: { trace_name: row.trace_name, trace_status: row.status },
    value: value(row),
  }));
}

interface SpanRow {
  span_id: string;
  name: string | null;
  type: string | null;
  status: string;
  start_ms: number | string;
  latency_ms: number | string | null;
  content: string | null;
}

async function readSpanRows(meta: MetadataDb, query: MetricRowsQuery): Promise<MetricRow[]> {
  const isCost = (SPAN_COST_METRICS as readonly string[]).includes(query.metricName);
  const needsContent =
    isCost || query.dimensions.some((d) => d === "span_model_name" || d === "span_model_provider");
  const startMs = sql`(s.start_time_unix_nano / 1000000)`;
  // Costs are dated by the span's start, counts and latencies by their trace's, as in mlflow.
  const { rows } = await sql<SpanRow>`select s.span_id, s.name, s.type, s.status, ${startMs} as start_ms,
      (s.end_time_unix_nano - s.start_time_unix_nano) / 1000000 as latency_ms,
      ${needsContent ? sql.ref("s.content") : sql`null`} as content
    from spans s join trace_info t on t.request_id = s.trace_id
    where ${sql.join(conditions(query, isCost ? startMs : sql.ref("t.timestamp_ms")), sql` and `)}`.execute(
    meta.db,
  );
  return rows.map((row) => {
    const attributes = jsonObject(jsonObject(row.content).attributes);
    const value = (): number | string | null => {
      if (query.metricName === "span_count") return row.span_id;
      if (query.metricName === "latency") return row.latency_ms === null ? null : Number(row.latency_ms);
      return finiteFloatOrNull(jsonObject(attributes[SPAN_COST_ATTRIBUTE])[query.metricName]);
    };
    return {
      timestampMs: Number(row.start_ms),
      dimensions: {
        span_name: row.name,
        span_type: row.type,
        span_status: row.status,
        span_model_name: modelDimension(attributes[SPAN_MODEL_ATTRIBUTE]),
        span_model_provider: modelDimension(attributes[SPAN_PROVIDER_ATTRIBUTE]),
      },
      value: value(),
    };
  });
}

interface AssessmentRow {
  assessment_id: string;
  name: string;
  value: string;
  timestamp_ms: number | string;
}

async function readAssessmentRows(meta: MetadataDb, query: MetricRowsQuery): Promise<MetricRow[]> {
  // Superseded (overridden) assessments are not counted, as in mlflow.
  const { rows } = await sql<AssessmentRow>`select a.assessment_id, a.name, a.value, t.timestamp_ms
    from assessments a join trace_info t on t.request_id = a.trace_id
    where a.valid = 1 and ${sql.join(conditions(query, sql.ref("t.timestamp_ms")), sql` and `)}`.execute(
    meta.db,
  );
  return rows.map((row) => ({
    timestampMs: Number(row.timestamp_ms),
    dimensions: { assessment_name: row.name, assessment_value: row.value },
    value:
      query.metricName === "assessment_count" ? row.assessment_id : assessmentAggregate(parseJson(row.value)),
  }));
}

function keyValue(table: "trace_tags" | "trace_request_metadata", key: string): RawBuilder<string | null> {
  return sql`(select kv.value from ${sql.table(table)} kv where kv.request_id = t.request_id and kv.key = ${key})`;
}

function conditions(query: MetricRowsQuery, timestamp: RawBuilder<unknown> | ReturnType<typeof sql.ref>) {
  const all: RawBuilder<SqlBool>[] = [
    sql<SqlBool>`t.experiment_id in (${sql.join(query.experimentIds.map((id) => sql.lit(id)))})`,
  ];
  if (query.startTimeMs !== undefined) all.push(sql<SqlBool>`${timestamp} >= ${query.startTimeMs}`);
  if (query.endTimeMs !== undefined) all.push(sql<SqlBool>`${timestamp} <= ${query.endTimeMs}`);
  for (const filter of query.filters) all.push(filterSql(query.viewType, filter));
  return all;
}

/** mlflow's `_apply_filters`: a span or assessment filter only applies to its own view. */
function filterSql(viewType: MetricViewType, filter: MetricFilter): RawBuilder<SqlBool> {
  switch (filter.view) {
    case "trace":
      if (filter.entity === "status") return sql<SqlBool>`t.status = ${filter.value}`;
      return sql<SqlBool>`exists (select 1 from ${sql.table(
        filter.entity === "tag" ? "trace_tags" : "trace_request_metadata",
      )} kv where kv.request_id = t.request_id and kv.key = ${filter.key} and kv.value = ${filter.value})`;
    case "span":
      if (viewType !== "SPANS") {
        throw invalidParameter(`Filtering by span is only supported for SPANS view type, got ${viewType}`);
      }
      return sql<SqlBool>`${sql.ref(`s.${filter.entity}`)} = ${filter.value}`;
    case "assessment":
      if (viewType !== "ASSESSMENTS") {
        throw invalidParameter(
          `Filtering by assessment is only supported for ASSESSMENTS view type, got ${viewType}`,
        );
      }
      return sql<SqlBool>`${sql.ref(filter.entity === "name" ? "a.name" : "a.assessment_type")} = ${filter.value}`;
  }
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** mlflow's `_json_object`: a dict, or a string holding one; anything else is empty. */
function jsonObject(value: unknown): Record<string, unknown> {
  const parsed = typeof value === "string" ? parseJson(value) : value;
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/** mlflow's `token_count_or_none`: a whole number within int64 (7, 7.0 or "7"), not a boolean. */
function tokenCountOrNull(value: unknown): number | null {
  if (typeof value !== "number" && typeof value !== "string") return null;
  const number = Number(value);
  if (
    typeof value === "string" &&
    (value.trim() === "" || !/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value))
  ) {
    return null;
  }
  return Number.isFinite(number) && Number.isInteger(number) && Math.abs(number) < 2 ** 63 ? number : null;
}

/** mlflow's `finite_float_or_none`. */
function finiteFloatOrNull(value: unknown): number | null {
  if (typeof value !== "number" && typeof value !== "string") return null;
  const number = Number(value);
  return (typeof value === "string" && value.trim() === "") || !Number.isFinite(number) ? null : number;
}

/** A model or provider attribute (a JSON string) as mlflow's `bounded_model_dimension` keeps it. */
function modelDimension(attribute: unknown): string | null {
  if (typeof attribute !== "string") return null;
  const parsed = parseJson(attribute);
  const text = typeof parsed === "string" ? parsed : attribute;
  return [...text].slice(0, MODEL_DIMENSION_MAX_LENGTH).join("");
}

/** mlflow's `assessment_aggregate`: numbers as they are, booleans and "yes"/"no" as 1 and 0. */
function assessmentAggregate(value: unknown): number | null {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") {
    const normalized = value.trim().toLowerCase();
    if (normalized === "yes" || normalized === "no") return normalized === "yes" ? 1 : 0;
  }
  return null;
}
