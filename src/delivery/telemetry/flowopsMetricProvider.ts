/**
 * The `flowops` metric provider: measures a rollout from FlowOps' own serving telemetry instead of an external
 * Prometheus. It computes the value (error rate, latency quantile, prediction PSI, agreement, online accuracy)
 * over the window ending at the measurement's `now`, optionally as candidate minus stable, and answers
 * Inconclusive when too little traffic reached a model to say anything. It judges nothing: the conditions in
 * the template do.
 */
import { parseArgoDuration } from "../analysis/argoDuration.js";
import type { AnalysisMetric, FlowOpsMetric } from "../analysis/analysisTemplate.js";
import type { MeasurementContext, MetricProvider, ProviderMeasurement } from "../analysis/metricProvider.js";
import { populationStabilityIndex } from "../experiments/populationStability.js";
import type { FeedbackLedger } from "./feedbackLedger.js";
import type { LiveTelemetry } from "./liveTelemetry.js";

export const DEFAULT_MIN_SAMPLES = 20;
export const DEFAULT_WINDOW_MS = 60_000;

/** `10s`, `1m30s`, `250ms`: the window as a person reads it in a message. */
export function describeWindow(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return [
    hours > 0 ? `${hours}h` : "",
    minutes > 0 ? `${minutes}m` : "",
    seconds > 0 ? `${seconds}s` : "",
  ].join("");
}

/** What one measurement looks at: the endpoint, the window and who is judged against whom. */
interface Scope {
  readonly endpoint: string;
  readonly judged: string;
  /** Set when the value is judged minus stable. */
  readonly stable?: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly windowText: string;
  readonly minSamples: number;
}

type SideValue = { value: number } | { tooFew: string };

const LATENCY_QUANTILE: Partial<Record<FlowOpsMetric, number>> = {
  latency_p50: 0.5,
  latency_p95: 0.95,
  latency_p99: 0.99,
};

export class FlowOpsMetricProvider implements MetricProvider {
  readonly type = "flowops";
  private readonly telemetry: LiveTelemetry;
  private readonly feedback: FeedbackLedger;

  constructor(deps: { telemetry: LiveTelemetry; feedback: FeedbackLedger }) {
    this.telemetry = deps.telemetry;
    this.feedback = deps.feedback;
  }

  measure(metric: AnalysisMetric, context: MeasurementContext): Promise<ProviderMeasurement> {
    return Promise.resolve(this.measureNow(metric, context));
  }

  private measureNow(metric: AnalysisMetric, context: MeasurementContext): ProviderMeasurement {
    const spec = metric.provider.flowops;
    if (spec === undefined) {
      return { phase: "Error", message: `metric '${metric.name}' has no flowops provider` };
    }
    const endpoint = context.endpoint;
    const judged = context.candidateVersion ?? context.stableVersion;
    if (endpoint === undefined || judged === undefined) {
      return {
        phase: "Error",
        message: `metric '${metric.name}': the analysis run names no endpoint or model version to measure`,
      };
    }
    const windowMs =
      (spec.window === undefined ? undefined : parseArgoDuration(spec.window)) ??
      (metric.interval === undefined ? undefined : parseArgoDuration(metric.interval)) ??
      DEFAULT_WINDOW_MS;
    const stable = context.stableVersion;
    const comparing = stable !== undefined && stable !== judged;
    const paired = spec.metric === "prediction_psi" || spec.metric === "agreement";
    const scope: Scope = {
      endpoint,
      judged,
      ...(comparing && (spec.compare === "stable" || spec.metric === "prediction_psi") ? { stable } : {}),
      fromMs: context.now - windowMs,
      toMs: context.now,
      windowText: describeWindow(windowMs),
      minSamples: spec.minSamples ?? DEFAULT_MIN_SAMPLES,
    };
    if (spec.metric === "prediction_psi") return this.predictionPsi(scope);
    const candidate = this.side(spec.metric, scope, judged);
    if ("tooFew" in candidate) return { phase: "Inconclusive", message: candidate.tooFew };
    if (paired || scope.stable === undefined) return { phase: "Successful", value: candidate.value };
    const baseline = this.side(spec.metric, scope, scope.stable);
    if ("tooFew" in baseline) return { phase: "Inconclusive", message: baseline.tooFew };
    return { phase: "Successful", value: candidate.value - baseline.value };
  }

  /** One model's value of a per-model metric over the window, or why there is too little data. */
  private side(metric: FlowOpsMetric, scope: Scope, model: string): SideValue {
    const where = `${model} on endpoint ${scope.endpoint} in the last ${scope.windowText}`;
    const needed = `; ${scope.minSamples} needed`;
    if (metric === "online_accuracy") {
      const { labelled, correct } = this.feedback.window(scope.endpoint, model, scope.fromMs, scope.toMs);
      if (labelled < scope.minSamples)
        return { tooFew: `${labelled} labelled predictions of ${where}${needed}` };
      return { value: correct / labelled };
    }
    const stats = this.telemetry.window(scope.endpoint, model, scope.fromMs, scope.toMs);
    if (metric === "agreement") {
      if (stats.compared < scope.minSamples) {
        return { tooFew: `${stats.compared} comparisons with stable of ${where}${needed}` };
      }
      return { value: stats.agreed / stats.compared };
    }
    if (stats.requests < scope.minSamples)
      return { tooFew: `${stats.requests} requests to ${where}${needed}` };
    if (metric === "error_rate") return { value: stats.errors / stats.requests };
    const quantile = LATENCY_QUANTILE[metric];
    const seconds = quantile === undefined ? undefined : stats.latencyQuantile(quantile);
    if (seconds === undefined)
      return { tooFew: `no latency recorded for ${stats.requests} requests to ${where}` };
    return { value: seconds };
  }

  /** PSI of the candidate's predictions against stable's over the same window (stable is the reference). */
  private predictionPsi(scope: Scope): ProviderMeasurement {
    if (scope.stable === undefined) {
      return {
        phase: "Inconclusive",
        message: `no candidate on endpoint ${scope.endpoint} to compare with stable ${scope.judged}`,
      };
    }
    const samples: (number | string)[][] = [];
    for (const model of [scope.stable, scope.judged]) {
      const stats = this.telemetry.window(scope.endpoint, model, scope.fromMs, scope.toMs);
      const where = `${model} on endpoint ${scope.endpoint} in the last ${scope.windowText}`;
      if (stats.requests < scope.minSamples || stats.predictions.length === 0) {
        return {
          phase: "Inconclusive",
          message: `${stats.requests} requests (${stats.predictions.length} predictions) to ${where}; ${scope.minSamples} needed`,
        };
      }
      samples.push(stats.predictions);
    }
    const [reference, current] = samples as [(number | string)[], (number | string)[]];
    try {
      const anyString = reference.some(isString) || current.some(isString);
      const psi = anyString
        ? populationStabilityIndex(reference.map(String), current.map(String))
        : populationStabilityIndex(reference as number[], current as number[]);
      return { phase: "Successful", value: psi.psi };
    } catch (error) {
      return {
        phase: "Error",
        message:
          `prediction_psi of ${scope.judged} against ${scope.stable} on endpoint ${scope.endpoint} in the last ` +
          `${scope.windowText} (${current.length} and ${reference.length} predictions): ${(error as Error).message}`,
      };
    }
  }
}

function isString(value: number | string): value is string {
  return typeof value === "string";
}
