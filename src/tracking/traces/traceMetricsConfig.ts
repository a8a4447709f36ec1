/**
 * What QueryTraceMetrics may ask for, per view (TRACES, SPANS, ASSESSMENTS): each metric's aggregations and
 * the dimensions it may be grouped by, as mlflow's `sql_trace_metrics_utils.py` declares them, and mlflow's
 * checks of a request against them with its messages.
 */
import { invalidParameter } from "../../errors.js";
import { pythonStringListRepr } from "../validationMessages.js";

export const METRIC_VIEW_TYPES = ["TRACES", "SPANS", "ASSESSMENTS"] as const;
export type MetricViewType = (typeof METRIC_VIEW_TYPES)[number];

export const AGGREGATION_TYPES = ["COUNT", "SUM", "AVG", "PERCENTILE", "MIN", "MAX"] as const;
export type AggregationType = (typeof AGGREGATION_TYPES)[number];

export interface MetricAggregation {
  type: AggregationType;
  /** 0 to 100; only (and always) for PERCENTILE. */
  percentile?: number | undefined;
}

interface MetricConfig {
  aggregations: readonly AggregationType[];
  dimensions: readonly string[];
}

const COUNT_ONLY: readonly AggregationType[] = ["COUNT"];
const VALUE_AGGREGATIONS: readonly AggregationType[] = ["AVG", "MIN", "MAX", "PERCENTILE"];
const SUMMABLE_AGGREGATIONS: readonly AggregationType[] = ["SUM", ...VALUE_AGGREGATIONS];

export const TOKEN_METRICS = [
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
] as const;
export const SPAN_COST_METRICS = ["input_cost", "output_cost", "total_cost"] as const;

const tokenMetric: MetricConfig = { aggregations: SUMMABLE_AGGREGATIONS, dimensions: ["trace_name"] };
const costMetric: MetricConfig = {
  aggregations: SUMMABLE_AGGREGATIONS,
  dimensions: ["span_model_name", "span_model_provider"],
};

// Insertion order is mlflow's: its "metric_name must be one of" message lists the keys in this order.
const METRICS: Readonly<Record<MetricViewType, Readonly<Record<string, MetricConfig>>>> = {
  TRACES: {
    trace_count: { aggregations: COUNT_ONLY, dimensions: ["trace_name", "trace_status"] },
    session_count: { aggregations: COUNT_ONLY, dimensions: [] },
    latency: { aggregations: VALUE_AGGREGATIONS, dimensions: ["trace_name"] },
    ...Object.fromEntries(TOKEN_METRICS.map((name) => [name, tokenMetric])),
  },
  SPANS: {
    span_count: {
      aggregations: COUNT_ONLY,
      dimensions: ["span_name", "span_type", "span_status", "span_model_name", "span_model_provider"],
    },
    latency: { aggregations: VALUE_AGGREGATIONS, dimensions: ["span_name", "span_status"] },
    ...Object.fromEntries(SPAN_COST_METRICS.map((name) => [name, costMetric])),
  },
  ASSESSMENTS: {
    assessment_count: { aggregations: COUNT_ONLY, dimensions: ["assessment_name", "assessment_value"] },
    assessment_value: { aggregations: VALUE_AGGREGATIONS, dimensions: ["assessment_name"] },
  },
};

/** Python's `sorted()` of strings: by code point. */
function sortedByCodePoint(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** mlflow's `validate_query_trace_metrics_params`, check by check. */
export function validateMetricQuery(
  viewType: MetricViewType,
  metricName: string,
  aggregations: readonly MetricAggregation[],
  dimensions: readonly string[],
): void {
  const metrics = METRICS[viewType];
  const config = Object.hasOwn(metrics, metricName) ? metrics[metricName] : undefined;
  if (config === undefined) {
    throw invalidParameter(
      `metric_name must be one of ${pythonStringListRepr(Object.keys(metrics))}, got '${metricName}'`,
    );
  }
  const invalidAggregations = new Set(
    aggregations.map((a) => a.type).filter((t) => !config.aggregations.includes(t)),
  );
  if (invalidAggregations.size > 0) {
    throw invalidParameter(
      `Found invalid aggregation_type(s): ${pythonStringListRepr(sortedByCodePoint(invalidAggregations))}. ` +
        `Supported aggregation types: ${pythonStringListRepr(sortedByCodePoint(config.aggregations))}`,
    );
  }
  const invalidDimensions = new Set(dimensions.filter((d) => !config.dimensions.includes(d)));
  if (invalidDimensions.size > 0) {
    throw invalidParameter(
      `Found invalid dimension(s): ${pythonStringListRepr(sortedByCodePoint(invalidDimensions))}. ` +
        `Supported dimensions: ${pythonStringListRepr(sortedByCodePoint(config.dimensions))}`,
    );
  }
}

/**
 * mlflow's `MetricAggregation.__post_init__` checks. mlflow raises them as a plain ValueError, which its
 * server answers with a 500 page; they are the caller's mistake, so here they are a 400 with the same words.
 */
export function checkAggregation(aggregation: MetricAggregation): MetricAggregation {
  const { type, percentile } = aggregation;
  if (type === "PERCENTILE") {
    if (percentile === undefined)
      throw invalidParameter("Percentile value is required for PERCENTILE aggregation");
    if (percentile > 100 || percentile < 0) {
      throw invalidParameter(
        `Percentile value must be between 0 and 100, got ${pythonFloatRepr(percentile)}`,
      );
    }
  } else if (percentile !== undefined) {
    throw invalidParameter(`Percentile value is only allowed for PERCENTILE aggregation type, got ${type}`);
  }
  return aggregation;
}

/** Python's `repr(float)` for the finite values a percentile takes: 50 is "50.0". */
export function pythonFloatRepr(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return String(value);
}

/** The key of an aggregation's value in a data point: its type, or `P<percentile>` (P50.0, P99.9). */
export function aggregationLabel(aggregation: MetricAggregation): string {
  return aggregation.type === "PERCENTILE"
    ? `P${pythonFloatRepr(aggregation.percentile ?? 0)}`
    : aggregation.type;
}
