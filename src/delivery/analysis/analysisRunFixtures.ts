/**
 * Set-up shared by the analysis run's tests: templates of one metric `m` by default, canned measurement
 * outcomes, and a recorder that feeds outcomes one second apart. Test-only; nothing in the product imports it.
 */
import { recordMeasurement, type AnalysisRunState, type MeasurementOutcome } from "./analysisRun.js";
import { parseAnalysisTemplate, type AnalysisTemplate } from "./analysisTemplate.js";

export const T0 = 1_700_000_000_000;
const provider = { flowops: { metric: "error_rate" } };

export function template(
  metrics: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): AnalysisTemplate {
  const doc = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "t" },
    spec: { metrics: metrics.map((m) => ({ name: "m", provider, ...m })), ...extra },
  };
  return parseAnalysisTemplate(JSON.stringify(doc), "t.yaml");
}

/** Records outcomes for metric `m`, one per second, and returns the state after each. */
export function record(
  state: AnalysisRunState,
  outcomes: MeasurementOutcome[],
  metric = "m",
): AnalysisRunState[] {
  const states: AnalysisRunState[] = [];
  let current = state;
  outcomes.forEach((outcome, i) => {
    current = recordMeasurement(current, metric, outcome, T0 + (i + 1) * 1000);
    states.push(current);
  });
  return states;
}

export const ok = { value: 0 };
export const bad = { value: 1 };
export const unsure = { value: 0.5 };
export const broken = { error: "prometheus: connection refused" };
/** Success below 0.1, failure above 0.9, inconclusive in between. */
export const judged = { successCondition: "result < 0.1", failureCondition: "result > 0.9" };

export const phases = (states: AnalysisRunState[]): string[] => states.map((s) => s.phase);
