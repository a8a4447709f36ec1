/**
 * The `prometheus` metric provider, as Argo Rollouts' (`metricproviders/prometheus/prometheus.go`): one instant
 * query at the measurement's time, a `vector` answered as one number per sample (NaN kept), a `scalar` as a
 * number; range results and Prometheus' own errors come back as Error measurements, never as throws.
 */
import type { AnalysisMetric } from "./analysisTemplate.js";
import type { MeasurementContext, MetricProvider, ProviderMeasurement } from "./metricProvider.js";

/** Argo's default query timeout. */
export const DEFAULT_PROMETHEUS_TIMEOUT_SECONDS = 30;

/** Prometheus writes sample values as strings: `"0.25"`, `"NaN"`, `"+Inf"`, `"-Inf"`. */
export function parseSampleValue(text: unknown): number {
  if (typeof text !== "string") return Number.NaN;
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text.trim() === "" ? Number.NaN : text);
}

interface PrometheusResponse {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

function sampleValue(sample: unknown): number {
  if (typeof sample !== "object" || sample === null) return Number.NaN;
  const value = (sample as { value?: unknown }).value;
  return Array.isArray(value) ? parseSampleValue(value[1]) : Number.NaN;
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail =
    typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  return detail === "" || error.message.includes(detail) ? error.message : `${error.message} (${detail})`;
}

export class PrometheusMetricProvider implements MetricProvider {
  readonly type = "prometheus";
  private readonly fetch: typeof fetch;

  constructor(options: { fetch?: typeof fetch } = {}) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async measure(metric: AnalysisMetric, context: MeasurementContext): Promise<ProviderMeasurement> {
    const spec = metric.provider.prometheus;
    if (spec === undefined) {
      return { phase: "Error", message: `metric '${metric.name}' has no prometheus provider` };
    }
    let url: URL;
    try {
      url = new URL(`${spec.address.replace(/\/+$/, "")}/api/v1/query`);
    } catch {
      return { phase: "Error", message: `prometheus address '${spec.address}' is not a URL` };
    }
    url.searchParams.set("query", spec.query);
    url.searchParams.set("time", String(context.now / 1000));
    const timeoutSeconds = spec.timeout ?? DEFAULT_PROMETHEUS_TIMEOUT_SECONDS;
    const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
    const signal = context.signal === undefined ? timeout : AbortSignal.any([timeout, context.signal]);
    const where = `prometheus at ${spec.address}`;
    let status: number;
    let body: string;
    try {
      const response = await this.fetch(url, { signal, headers: { accept: "application/json" } });
      status = response.status;
      body = await response.text();
    } catch (error) {
      if (timeout.aborted) {
        return { phase: "Error", message: `${where}: query timed out after ${timeoutSeconds} s` };
      }
      if (context.signal?.aborted === true) return { phase: "Error", message: `${where}: query cancelled` };
      return { phase: "Error", message: `${where}: ${describeFailure(error)}` };
    }
    let parsed: PrometheusResponse | undefined;
    try {
      parsed = JSON.parse(body) as PrometheusResponse;
    } catch {
      parsed = undefined;
    }
    // Prometheus answers 400/422/503 with a JSON error body; its errorType and error say more than the status.
    if (parsed?.status === "error") {
      return {
        phase: "Error",
        message: `${where}: ${String(parsed.errorType ?? "error")}: ${String(parsed.error ?? "no message")}`,
      };
    }
    if (status < 200 || status >= 300) {
      return {
        phase: "Error",
        message: `${where}: HTTP ${status}${body === "" ? "" : `: ${body.slice(0, 200)}`}`,
      };
    }
    if (parsed?.status !== "success" || typeof parsed.data !== "object" || parsed.data === null) {
      return {
        phase: "Error",
        message: `${where}: expected a Prometheus query response, got ${body.slice(0, 200)}`,
      };
    }
    return this.value(parsed.data, where);
  }

  private value(data: NonNullable<PrometheusResponse["data"]>, where: string): ProviderMeasurement {
    const { resultType, result } = data;
    switch (resultType) {
      case "vector":
        if (!Array.isArray(result))
          return { phase: "Error", message: `${where}: vector result is not a list` };
        return { phase: "Successful", value: result.map(sampleValue) };
      case "scalar":
        if (!Array.isArray(result))
          return { phase: "Error", message: `${where}: scalar result is not [time, value]` };
        return { phase: "Successful", value: parseSampleValue(result[1]) };
      default:
        return {
          phase: "Error",
          message: `${where}: result type ${JSON.stringify(resultType)} is not supported; expected vector or scalar`,
        };
    }
  }
}
