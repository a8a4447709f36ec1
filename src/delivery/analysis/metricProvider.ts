/**
 * The seam between an analysis run and whatever measures a metric (Prometheus, FlowOps' own serving
 * telemetry), in the shape of Argo Rollouts' `metric/provider.go`: a provider returns a measurement with a
 * phase instead of throwing, and keeps `Error` (could not measure) apart from a value the conditions judge.
 * Providers measure; `analysisRun.ts` judges.
 */
import type { AnalysisMetric } from "./analysisTemplate.js";
import type { MetricValue } from "./conditionExpression.js";

/** What one measurement attempt produced. `Running` is for providers that poll (a job still in progress). */
export interface ProviderMeasurement {
  /** `Inconclusive`: too little data to judge (FlowOps' low-traffic rule); `message` says what was missing. */
  readonly phase: "Successful" | "Error" | "Running" | "Inconclusive";
  readonly value?: MetricValue;
  readonly message?: string;
  /** For `Running`: when to ask again (ms since the epoch). */
  readonly resumeAt?: number;
}

export interface MeasurementContext {
  /** The run's resolved arguments. */
  readonly args: Readonly<Record<string, string>>;
  /** The instant of the measurement, ms since the epoch; providers read time from here, not a clock. */
  readonly now: number;
  /** The endpoint under analysis and which of its versions is stable and which is the candidate. */
  readonly endpoint?: string;
  readonly stableVersion?: string;
  readonly candidateVersion?: string;
  readonly signal?: AbortSignal;
}

export interface MetricProvider {
  /** The provider key in the template (`prometheus`, `flowops`). */
  readonly type: string;
  /** Takes one measurement; failures to measure come back as `{ phase: "Error", message }`, not as throws. */
  measure(metric: AnalysisMetric, context: MeasurementContext): Promise<ProviderMeasurement>;
  /** Stops an in-progress measurement when the run terminates; providers with nothing to stop omit it. */
  terminate?(metric: AnalysisMetric, context: MeasurementContext): Promise<void>;
}

/** Turns a provider's measurement into what `recordMeasurement` takes, or undefined while still running. */
export function toOutcome(
  measurement: ProviderMeasurement,
): { value: MetricValue } | { error: string } | { inconclusive: string } | undefined {
  switch (measurement.phase) {
    case "Successful":
      return { value: measurement.value ?? null };
    case "Error":
      return { error: measurement.message ?? "the provider reported an error without a message" };
    case "Inconclusive":
      return { inconclusive: measurement.message ?? "the provider had too little data to judge" };
    case "Running":
      return undefined;
  }
}
