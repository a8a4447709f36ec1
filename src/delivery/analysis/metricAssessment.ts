/**
 * How one metric of an AnalysisRun is judged, with Argo Rollouts' rules (`analysis/analysis.go`,
 * `utils/evaluate`): a measured value against the success and failure conditions, the counters a
 * measurement moves, and the metric phase those counters and the limits give. Scheduling and the run as a
 * whole live in `analysisRun.ts`.
 */
import type { AnalysisMetric } from "./analysisTemplate.js";
import { ConditionEvaluationError, parseCondition, type MetricValue } from "./conditionExpression.js";

export type MetricName = string;
export type MeasurementPhase = "Successful" | "Failed" | "Inconclusive" | "Error";
export type AnalysisPhase = "Pending" | "Running" | MeasurementPhase;

/** Argo's `DefaultMeasurementHistoryLimit`; counters keep counting past it. */
export const MEASUREMENT_HISTORY_LIMIT = 10;

export interface Measurement {
  readonly phase: MeasurementPhase;
  readonly value?: MetricValue;
  readonly message?: string;
  /** The conditions the value was judged by, so an event can say which value failed which condition. */
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly finishedAt: number;
}

export interface MetricResult {
  readonly name: MetricName;
  readonly phase: AnalysisPhase;
  readonly dryRun: boolean;
  /** Successful + Failed + Inconclusive measurements; errors do not count (Argo's `Count`). */
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
  readonly consecutiveError: number;
  readonly consecutiveSuccess: number;
  readonly measurements: readonly Measurement[];
  /** Why the metric completed, e.g. `failed (2) > failureLimit (1)`. */
  readonly message?: string;
}

const COMPLETED: ReadonlySet<AnalysisPhase> = new Set(["Successful", "Failed", "Inconclusive", "Error"]);
/** Argo's `IsWorse` order. */
export const SEVERITY: Record<AnalysisPhase, number> = {
  Pending: 0,
  Running: 0,
  Successful: 1,
  Inconclusive: 2,
  Error: 3,
  Failed: 4,
};

export function isCompleted(phase: AnalysisPhase): boolean {
  return COMPLETED.has(phase);
}

/** Argo's `EffectiveCount`: no count and no interval means one measurement; only an interval means forever. */
export function effectiveCount(metric: AnalysisMetric): number | undefined {
  if (metric.count === undefined || metric.count === 0) return metric.interval === undefined ? 1 : undefined;
  return metric.count;
}

/** Argo's `EvaluateResult`: a missing condition is the negation of the other one. */
export function judgeValue(
  metric: AnalysisMetric,
  value: MetricValue,
): { phase: MeasurementPhase; message?: string } {
  const { successCondition, failureCondition } = metric;
  try {
    let success =
      successCondition === undefined
        ? false
        : parseCondition(successCondition, "successCondition").evaluate(value);
    let failure =
      failureCondition === undefined
        ? false
        : parseCondition(failureCondition, "failureCondition").evaluate(value);
    if (successCondition === undefined && failureCondition === undefined) return { phase: "Successful" };
    if (failureCondition === undefined) failure = !success;
    if (successCondition === undefined) success = !failure;
    if (failure) return { phase: "Failed" };
    return success ? { phase: "Successful" } : { phase: "Inconclusive" };
  } catch (error) {
    if (error instanceof ConditionEvaluationError) return { phase: "Error", message: error.message };
    throw error;
  }
}

export function countMeasurement(result: MetricResult, measurement: Measurement): MetricResult {
  const measurements = [...result.measurements, measurement].slice(-MEASUREMENT_HISTORY_LIMIT);
  const base = { ...result, measurements };
  switch (measurement.phase) {
    case "Successful":
      return {
        ...base,
        count: result.count + 1,
        successful: result.successful + 1,
        consecutiveError: 0,
        consecutiveSuccess: result.consecutiveSuccess + 1,
      };
    case "Failed":
      return {
        ...base,
        count: result.count + 1,
        failed: result.failed + 1,
        consecutiveError: 0,
        consecutiveSuccess: 0,
      };
    case "Inconclusive":
      return {
        ...base,
        count: result.count + 1,
        inconclusive: result.inconclusive + 1,
        consecutiveError: 0,
        consecutiveSuccess: 0,
      };
    case "Error":
      return {
        ...base,
        error: result.error + 1,
        consecutiveError: result.consecutiveError + 1,
        consecutiveSuccess: 0,
      };
  }
}

/** Argo's `assessMetricStatus`, returning the reason with the phase. */
export function assessMetric(
  metric: AnalysisMetric,
  result: MetricResult,
  terminating: boolean,
): { phase: AnalysisPhase; reason?: string } {
  if (isCompleted(result.phase)) return { phase: result.phase };
  if (result.measurements.length === 0) {
    return terminating ? { phase: "Successful", reason: "run terminated" } : { phase: "Pending" };
  }
  if (metric.failureLimit >= 0 && result.failed > metric.failureLimit) {
    return { phase: "Failed", reason: `failed (${result.failed}) > failureLimit (${metric.failureLimit})` };
  }
  if (result.inconclusive > metric.inconclusiveLimit) {
    return {
      phase: "Inconclusive",
      reason: `inconclusive (${result.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  }
  if (result.consecutiveError > metric.consecutiveErrorLimit) {
    return {
      phase: "Error",
      reason: `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})`,
    };
  }
  const successLimit = metric.consecutiveSuccessLimit;
  if (successLimit > 0 && result.consecutiveSuccess >= successLimit) {
    return {
      phase: "Successful",
      reason: `consecutiveSuccesses (${result.consecutiveSuccess}) reached consecutiveSuccessLimit (${successLimit})`,
    };
  }
  const count = effectiveCount(metric);
  if (count !== undefined && result.count >= count) {
    const failureApplies = metric.failureLimit >= 0;
    const successApplies = successLimit > 0;
    if (failureApplies && successApplies) {
      return {
        phase: "Inconclusive",
        reason: `count (${count}) reached, neither failureLimit nor consecutiveSuccessLimit reached`,
      };
    }
    if (successApplies)
      return {
        phase: "Failed",
        reason: `count (${count}) reached without ${successLimit} consecutive successes`,
      };
    return { phase: "Successful", reason: `count (${count}) reached` };
  }
  if (terminating) return { phase: "Successful", reason: "run terminated" };
  return { phase: "Running" };
}
