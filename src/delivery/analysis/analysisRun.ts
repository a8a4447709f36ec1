/**
 * One AnalysisRun as a pure state machine with Argo Rollouts' semantics (`analysis/analysis.go`): which metrics
 * are due at `now`, how a measurement is judged, and how counters turn into metric and run phases. It takes
 * no measurements and keeps no timers: the caller asks `dueMeasurements`, measures, calls `recordMeasurement`,
 * and sleeps until `nextWakeAt`. The state is plain JSON so a run survives a restart.
 */
import { FlowOpsError } from "../../errors.js";
import { parseArgoDuration } from "./argoDuration.js";
import { isDryRun, type AnalysisMetric, type AnalysisTemplate } from "./analysisTemplate.js";
import { parseCondition, type MetricValue } from "./conditionExpression.js";
import {
  assessMetric,
  countMeasurement,
  effectiveCount,
  isCompleted,
  judgeValue,
  SEVERITY,
  type AnalysisPhase,
  type Measurement,
  type MetricName,
  type MetricResult,
} from "./metricAssessment.js";

export {
  effectiveCount,
  isCompleted,
  MEASUREMENT_HISTORY_LIMIT,
  type AnalysisPhase,
  type Measurement,
  type MeasurementPhase,
  type MetricName,
  type MetricResult,
} from "./metricAssessment.js";

/** Argo's `DefaultErrorRetryInterval`: an errored metric without an interval is retried after 10 s. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;

export interface AnalysisRunState {
  readonly templateName: string;
  /** The template's metrics with `{{args.*}}` resolved. */
  readonly metrics: readonly AnalysisMetric[];
  readonly results: readonly MetricResult[];
  readonly phase: AnalysisPhase;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly terminated: boolean;
}

/**
 * What a provider measured: a value the conditions judge, an error (could not measure), or an inconclusive
 * measurement the provider judged itself (too few samples to say anything, FlowOps' low-traffic rule).
 */
export type MeasurementOutcome =
  { readonly value: MetricValue } | { readonly error: string } | { readonly inconclusive: string };

function resolveArgs(
  template: AnalysisTemplate,
  given: Readonly<Record<string, string>>,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const arg of template.spec.args) {
    const value = given[arg.name] ?? arg.value;
    if (value === undefined) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `AnalysisTemplate ${template.metadata.name}: argument '${arg.name}' has no value and none was supplied`,
      );
    }
    values.set(arg.name, value);
  }
  return values;
}

function substitute(text: string, args: ReadonlyMap<string, string>, where: string): string {
  return text.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (_, name: string) => {
    const value = args.get(name);
    if (value === undefined) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${where}: '{{args.${name}}}' names an undeclared argument`,
      );
    }
    return value;
  });
}

function resolveMetric(
  metric: AnalysisMetric,
  args: ReadonlyMap<string, string>,
  index: number,
): AnalysisMetric {
  const where = `spec.metrics[${index}]`;
  const resolved = JSON.parse(
    JSON.stringify(metric, (_, value: unknown) =>
      typeof value === "string" ? substitute(value, args, where) : value,
    ),
  ) as AnalysisMetric;
  // Conditions that held `{{args.*}}` are only checkable once resolved.
  for (const key of ["successCondition", "failureCondition"] as const) {
    const text = resolved[key];
    if (text !== undefined) parseCondition(text, `${where}.${key}`);
  }
  return resolved;
}

/** Starts a run at `now`; `args` override the template's argument defaults. */
export function createAnalysisRun(
  template: AnalysisTemplate,
  args: Readonly<Record<string, string>>,
  now: number,
): AnalysisRunState {
  const values = resolveArgs(template, args);
  const metrics = template.spec.metrics.map((metric, i) => resolveMetric(metric, values, i));
  const results = metrics.map((metric): MetricResult => ({
    name: metric.name,
    phase: "Pending",
    dryRun: isDryRun(template, metric.name),
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    measurements: [],
  }));
  return {
    templateName: template.metadata.name,
    metrics,
    results,
    phase: "Pending",
    startedAt: now,
    terminated: false,
  };
}

function durationMs(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseArgoDuration(text);
}

function resultOf(
  state: AnalysisRunState,
  name: MetricName,
): { metric: AnalysisMetric; result: MetricResult } {
  const index = state.metrics.findIndex((metric) => metric.name === name);
  const metric = state.metrics[index];
  const result = state.results[index];
  if (metric === undefined || result === undefined) {
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `analysis run of ${state.templateName} has no metric '${name}' (metrics: ${state.metrics.map((m) => m.name).join(", ")})`,
    );
  }
  return { metric, result };
}

/**
 * When the metric's next measurement is due, or undefined when it takes no more. Argo compares with a strict
 * `After`; time here is whole milliseconds handed in by the caller, so a measurement is due at the instant
 * `nextWakeAt` names rather than one tick after it.
 */
function nextDueAt(
  state: AnalysisRunState,
  metric: AnalysisMetric,
  result: MetricResult,
): number | undefined {
  if (isCompleted(result.phase) || state.terminated || isCompleted(state.phase)) return undefined;
  const last = result.measurements[result.measurements.length - 1];
  if (last === undefined) return state.startedAt + (durationMs(metric.initialDelay) ?? 0);
  const count = effectiveCount(metric);
  if (count !== undefined && result.count >= count) return undefined;
  const interval =
    durationMs(metric.interval) ?? (last.phase === "Error" ? ERROR_RETRY_INTERVAL_MS : undefined);
  return interval === undefined ? undefined : last.finishedAt + interval;
}

/** The metrics to measure now, in template order. A terminating run schedules none. */
export function dueMeasurements(state: AnalysisRunState, now: number): MetricName[] {
  if (isTerminating(state)) return [];
  return state.metrics
    .filter((metric, i) => {
      const due = nextDueAt(state, metric, state.results[i] as MetricResult);
      return due !== undefined && due <= now;
    })
    .map((metric) => metric.name);
}

/** The earliest instant a measurement falls due, or undefined when the run needs no more wake-ups. */
export function nextWakeAt(state: AnalysisRunState): number | undefined {
  if (isTerminating(state)) return undefined;
  let earliest: number | undefined;
  state.metrics.forEach((metric, i) => {
    const due = nextDueAt(state, metric, state.results[i] as MetricResult);
    if (due !== undefined && (earliest === undefined || due < earliest)) earliest = due;
  });
  return earliest;
}

/** Records what the provider returned for `metric` at `now`, judges it, and reassesses the run. */
export function recordMeasurement(
  state: AnalysisRunState,
  metricName: MetricName,
  outcome: MeasurementOutcome,
  now: number,
): AnalysisRunState {
  return recordMeasurements(state, { [metricName]: outcome }, now);
}

/**
 * Records several metrics measured in the same pass (what `dueMeasurements` returned together), then
 * reassesses once, as one Argo reconcile does: a failure in one does not discard the others' values, and
 * the run's phase is the worst of them.
 */
export function recordMeasurements(
  state: AnalysisRunState,
  outcomes: Readonly<Record<MetricName, MeasurementOutcome>>,
  now: number,
): AnalysisRunState {
  let results = state.results;
  for (const [metricName, outcome] of Object.entries(outcomes)) {
    const { metric, result } = resultOf(state, metricName);
    if (isCompleted(state.phase) || isCompleted(result.phase)) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `analysis run of ${state.templateName}: metric '${metricName}' is already ${isCompleted(result.phase) ? result.phase : state.phase}`,
      );
    }
    const measurement = measure(metric, outcome, now);
    results = results.map((r) => (r.name === metricName ? countMeasurement(r, measurement) : r));
  }
  return assess({ ...state, results }, now);
}

function measure(metric: AnalysisMetric, outcome: MeasurementOutcome, now: number): Measurement {
  const conditions = {
    ...(metric.successCondition === undefined ? {} : { successCondition: metric.successCondition }),
    ...(metric.failureCondition === undefined ? {} : { failureCondition: metric.failureCondition }),
  };
  if ("error" in outcome) return { phase: "Error", message: outcome.error, finishedAt: now, ...conditions };
  if ("inconclusive" in outcome) {
    return { phase: "Inconclusive", message: outcome.inconclusive, finishedAt: now, ...conditions };
  }
  return { ...judgeValue(metric, outcome.value), value: outcome.value, finishedAt: now, ...conditions };
}

/** Stops the run (the rollout finished or was aborted): metrics not yet judged complete as Successful. */
export function terminate(state: AnalysisRunState, now: number): AnalysisRunState {
  if (isCompleted(state.phase)) return state;
  return assess({ ...state, terminated: true }, now);
}

/** Argo's `IsTerminating`: asked to stop, or a metric that counts (not dry-run) completed badly. */
export function isTerminating(state: AnalysisRunState): boolean {
  return (
    state.terminated ||
    state.results.some((r) => !r.dryRun && r.phase !== "Successful" && isCompleted(r.phase))
  );
}

function assess(state: AnalysisRunState, now: number): AnalysisRunState {
  let results = state.results;
  // A metric that completes badly makes the run terminate, which completes the others: repeat until stable.
  for (;;) {
    const terminating = isTerminating({ ...state, results });
    let changed = false;
    results = results.map((result, i) => {
      const { phase, reason } = assessMetric(state.metrics[i] as AnalysisMetric, result, terminating);
      if (phase === result.phase) return result;
      changed = true;
      const last = result.measurements[result.measurements.length - 1];
      const message = [reason, last?.message].filter((part) => part !== undefined).join(": ");
      return { ...result, phase, ...(message === "" ? {} : { message }) };
    });
    if (!changed) break;
  }
  const phase = runPhase(results);
  return { ...state, results, phase, ...(isCompleted(phase) ? { finishedAt: now } : {}) };
}

/** The worst of the completed metrics once all are complete; dry-run metrics never decide it. */
function runPhase(results: readonly MetricResult[]): AnalysisPhase {
  if (results.every((r) => r.phase === "Pending")) return "Pending";
  if (!results.every((r) => isCompleted(r.phase))) return "Running";
  return results
    .filter((r) => !r.dryRun)
    .reduce<AnalysisPhase>(
      (worst, r) => (SEVERITY[r.phase] > SEVERITY[worst] ? r.phase : worst),
      "Successful",
    );
}
