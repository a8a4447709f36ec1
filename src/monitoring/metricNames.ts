/**
 * Every Prometheus metric FlowOps exports, by name, type and labels: the one list the metric registries,
 * the shipped alerting rules and the Grafana dashboard agree on. A dashboard query or rule that names a
 * series not listed here would chart nothing, so tests check both against this list.
 *
 * The serving metrics (src/serving/servingMetrics.ts) carry the endpoint's name in their `model` label,
 * because a serving process names what it serves by model; the monitoring metrics name it `endpoint`.
 * `endpointLabel` says which label holds the endpoint for each metric.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** The label that holds the endpoint's name, when the metric is per endpoint. */
  readonly endpointLabel?: string;
}

/**
 * Upper bounds of the inference latency histogram, in seconds. A latency SLO's threshold must be one of
 * them for Prometheus to count requests under it exactly (`le="0.3"`), so 0.3 s, the usual 300 ms
 * objective, is a bound of its own.
 */
export const INFERENCE_LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10,
];

export const INFERENCE_REQUESTS = "flowops_inference_requests_total";
export const INFERENCE_ERRORS = "flowops_inference_errors_total";
export const INFERENCE_LATENCY = "flowops_inference_latency_seconds";
export const DEPLOYMENT_TRAFFIC_WEIGHT = "flowops_deployment_traffic_weight";
export const ANALYSIS_PHASE = "flowops_analysis_phase";
export const DRIFT_SCORE = "flowops_drift_score";
export const DRIFT_SHARE = "flowops_drift_share";
export const SLO_BURN_RATE = "flowops_slo_burn_rate";
export const SLO_ERROR_BUDGET_REMAINING = "flowops_slo_error_budget_remaining";

export const FLOWOPS_METRICS: readonly MetricDefinition[] = [
  {
    name: "flowops_http_requests_total",
    type: "counter",
    help: "HTTP requests answered by the FlowOps server, by method, route and status.",
    labelNames: ["method", "route", "code"],
  },
  {
    name: "flowops_http_request_duration_seconds",
    type: "histogram",
    help: "Time to answer an HTTP request of the FlowOps server, in seconds.",
    labelNames: ["method", "route"],
  },
  {
    name: INFERENCE_REQUESTS,
    type: "counter",
    help: 'Inference requests answered, by model, version, protocol and HTTP status; model="unknown" for names not served, model="" for paths no route takes.',
    labelNames: ["model", "version", "protocol", "code"],
    endpointLabel: "model",
  },
  {
    name: INFERENCE_ERRORS,
    type: "counter",
    help: 'Inference requests answered with an HTTP error status (4xx or 5xx); model="unknown" for names not served, model="" for paths no route takes.',
    labelNames: ["model", "version", "protocol", "code"],
    endpointLabel: "model",
  },
  {
    name: INFERENCE_LATENCY,
    type: "histogram",
    help: "Time from the request reaching its route to the response being ready, in seconds.",
    labelNames: ["model", "version", "protocol"],
    endpointLabel: "model",
  },
  {
    name: "flowops_inference_batch_size",
    type: "histogram",
    help: "Rows per model call (several requests when dynamic batching combines them).",
    labelNames: ["model", "version"],
    endpointLabel: "model",
  },
  {
    name: "flowops_inference_queue_seconds",
    type: "histogram",
    help: "Time a request waited for its model call to start, in seconds.",
    labelNames: ["model", "version"],
    endpointLabel: "model",
  },
  {
    name: DEPLOYMENT_TRAFFIC_WEIGHT,
    type: "gauge",
    help: "Percent of an endpoint's traffic sent to a model version (0 to 100), by role stable or candidate.",
    labelNames: ["endpoint", "version", "role"],
    endpointLabel: "endpoint",
  },
  {
    name: ANALYSIS_PHASE,
    type: "gauge",
    help: "1 for the current phase of a deployment analysis (Pending, Running, Successful, Failed, Error, Inconclusive), 0 otherwise.",
    labelNames: ["endpoint", "analysis", "phase"],
    endpointLabel: "endpoint",
  },
  {
    name: "flowops_pipeline_runs_total",
    type: "counter",
    help: "Pipeline runs finished, by pipeline and outcome.",
    labelNames: ["pipeline", "status"],
  },
  {
    name: "flowops_pipeline_duration_seconds",
    type: "histogram",
    help: "Wall time of a pipeline run, in seconds, by pipeline and outcome.",
    labelNames: ["pipeline", "status"],
  },
  {
    name: "flowops_stage_duration_seconds",
    type: "histogram",
    help: "Wall time of one pipeline stage, in seconds, by pipeline, stage and outcome.",
    labelNames: ["pipeline", "stage", "status"],
  },
  {
    name: DRIFT_SCORE,
    type: "gauge",
    help: "Drift score of one feature (or the predictions) in the latest window against the reference, with its method.",
    labelNames: ["endpoint", "feature", "method"],
    endpointLabel: "endpoint",
  },
  {
    name: DRIFT_SHARE,
    type: "gauge",
    help: "Share of features found drifted in the latest window (0 to 1).",
    labelNames: ["endpoint"],
    endpointLabel: "endpoint",
  },
  {
    name: SLO_BURN_RATE,
    type: "gauge",
    help: "Error budget burn rate of an SLO over a window: error ratio divided by (1 - objective).",
    labelNames: ["endpoint", "slo", "window"],
    endpointLabel: "endpoint",
  },
  {
    name: SLO_ERROR_BUDGET_REMAINING,
    type: "gauge",
    help: "Share of an SLO's error budget left over its period (1 untouched, 0 spent, negative overspent).",
    labelNames: ["endpoint", "slo"],
    endpointLabel: "endpoint",
  },
  {
    name: "flowops_gpu_utilization_ratio",
    type: "gauge",
    help: "GPU utilisation reported by nvidia-smi (0 to 1), by GPU index.",
    labelNames: ["gpu"],
  },
  {
    name: "flowops_gpu_memory_used_bytes",
    type: "gauge",
    help: "GPU memory in use reported by nvidia-smi, in bytes, by GPU index.",
    labelNames: ["gpu"],
  },
  {
    name: "flowops_gpu_memory_total_bytes",
    type: "gauge",
    help: "GPU memory installed reported by nvidia-smi, in bytes, by GPU index.",
    labelNames: ["gpu"],
  },
];

const HISTOGRAM_SUFFIXES = ["_bucket", "_count", "_sum"] as const;

/** Every series name a scrape of FlowOps can hold: counters and gauges as named, histograms by their suffixes. */
export function exportedSeriesNames(metrics: readonly MetricDefinition[] = FLOWOPS_METRICS): Set<string> {
  const names = new Set<string>();
  for (const metric of metrics) {
    if (metric.type === "histogram") {
      for (const suffix of HISTOGRAM_SUFFIXES) names.add(`${metric.name}${suffix}`);
    } else {
      names.add(metric.name);
    }
  }
  return names;
}
