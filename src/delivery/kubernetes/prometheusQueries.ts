/**
 * PromQL for the serving metrics FlowOps computes in-process (src/serving/servingMetrics.ts), so an Argo
 * AnalysisTemplate judges a canary on the same numbers the built-in analysis uses. Queries address the
 * candidate through Argo's `{{args.version}}` and the stable version through `{{args.stable-version}}`.
 */
import { invalidParameter } from "../../errors.js";
import type { FlowOpsMetricName } from "./deploymentDescription.js";

export const REQUESTS_METRIC = "flowops_inference_requests_total";
export const ERRORS_METRIC = "flowops_inference_errors_total";
export const LATENCY_METRIC = "flowops_inference_latency_seconds";

export const MODEL_ARG = "model";
export const VERSION_ARG = "version";
export const STABLE_VERSION_ARG = "stable-version";

const DEFAULT_WINDOW = "5m";
const QUANTILES: Partial<Record<FlowOpsMetricName, number>> = {
  latency_p50: 0.5,
  latency_p95: 0.95,
  latency_p99: 0.99,
};

/**
 * The FlowOps metrics a query here can read back from Prometheus; agreement, prediction PSI and online
 * accuracy exist only inside the embedded server.
 */
export const PROMETHEUS_SERIES: ReadonlySet<string> = new Set([
  "error_rate",
  "latency_p50",
  "latency_p95",
  "latency_p99",
]);

function selector(versionArg: string): string {
  return `{model="{{args.${MODEL_ARG}}}",version="{{args.${versionArg}}}"}`;
}

function queryFor(metric: FlowOpsMetricName, versionArg: string, window: string): string | undefined {
  const labels = selector(versionArg);
  if (metric === "error_rate") {
    return `sum(rate(${ERRORS_METRIC}${labels}[${window}])) / sum(rate(${REQUESTS_METRIC}${labels}[${window}]))`;
  }
  const quantile = QUANTILES[metric];
  if (quantile === undefined) return undefined;
  return `histogram_quantile(${quantile}, sum by (le) (rate(${LATENCY_METRIC}_bucket${labels}[${window}])))`;
}

/**
 * The query for one FlowOps metric; with `compare: "stable"` the candidate's value minus the stable's, so a
 * condition reads as "no worse than stable by more than x".
 */
export function prometheusQuery(
  metric: FlowOpsMetricName,
  options: { compare?: "stable"; window?: string; where: string },
): string {
  const window = options.window ?? DEFAULT_WINDOW;
  const candidate = queryFor(metric, VERSION_ARG, window);
  if (candidate === undefined) {
    throw invalidParameter(
      `${options.where}: metric '${metric}' is computed inside FlowOps and has no Prometheus series; ` +
        `expected one of error_rate, latency_p50, latency_p95, latency_p99 for a Kubernetes render`,
    );
  }
  if (options.compare !== "stable") return candidate;
  const stable = queryFor(metric, STABLE_VERSION_ARG, window) ?? "";
  return `(${candidate}) - (${stable})`;
}
