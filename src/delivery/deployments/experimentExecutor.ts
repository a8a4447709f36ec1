/**
 * Judges a running A/B test: per-arm counts since the experiment started (feedback correctness for
 * `online_accuracy`, request errors for `error_rate`), the mSPRT always-valid p-value at every look, and
 * the experimentConcluded input once the difference is significant or the sample cap is reached. Only
 * proportions are testable from what serving records (latencies live in histograms, without per-request
 * values to average), so other metrics are refused when the deployment is created.
 */
import { FlowOpsError } from "../../errors.js";
import {
  EMPTY_ARM,
  lookAt,
  NEW_SEQUENTIAL_TEST,
  observeCounts,
  type ArmStats,
  type SequentialTestState,
} from "../experiments/sequentialTest.js";
import type { RolloutInput, RolloutState } from "../rollout/rolloutState.js";
import type { RolloutSpec } from "../rollout/rolloutSpec.js";
import type { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import type { LiveTelemetry } from "../telemetry/liveTelemetry.js";

/** The A/B metrics the executor can test, and whether a larger proportion is better. */
const TESTABLE_METRICS = { online_accuracy: "higher", error_rate: "lower" } as const;
type TestableMetric = keyof typeof TESTABLE_METRICS;

function isTestable(metric: string): metric is TestableMetric {
  return Object.hasOwn(TESTABLE_METRICS, metric);
}

/** Refuses an A/B test on a metric the executor cannot compute; `file` names the rollout spec. */
export function checkExperimentMetric(spec: RolloutSpec, file: string): void {
  if (spec.strategy.kind !== "abTest") return;
  const metric = spec.strategy.abTest.test.metric;
  if (!isTestable(metric)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${file}: strategy.abTest.test.metric: '${metric}' cannot be tested in-process; expected one of ` +
        `${Object.keys(TESTABLE_METRICS).join(", ")} (latency is recorded as histograms, without per-request means)`,
    );
  }
}

interface Experiment {
  /** revision.attempt of the rollout, so a new deploy starts a fresh test. */
  readonly key: string;
  readonly startedAt: number;
  test: SequentialTestState;
}

export class ExperimentExecutor {
  private readonly experiments = new Map<string, Experiment>();

  constructor(
    private readonly deps: {
      telemetry: Pick<LiveTelemetry, "window">;
      feedback: Pick<FeedbackLedger, "window">;
    },
  ) {}

  /**
   * Looks at the test of a running A/B rollout; returns the input to feed, if it concluded. A state that is
   * not a running A/B test drops whatever was kept for the deployment.
   */
  look(deployment: string, state: RolloutState, now: number): RolloutInput | undefined {
    const strategy = state.spec.strategy;
    const candidate = state.candidate;
    if (
      strategy.kind !== "abTest" ||
      state.phase !== "Progressing" ||
      !state.candidateLoaded ||
      candidate === undefined
    ) {
      this.experiments.delete(deployment);
      return undefined;
    }
    const test = strategy.abTest.test;
    if (!isTestable(test.metric)) return undefined;
    const experiment = this.experimentOf(deployment, state, now);
    const control = this.armStats(test.metric, deployment, state.stable, experiment.startedAt, now);
    const treatment = this.armStats(test.metric, deployment, candidate, experiment.startedAt, now);
    const look = lookAt(
      { ...experiment.test, control, treatment },
      { metric: "proportion", alpha: test.alpha, maxSamples: test.maxSamples },
    );
    experiment.test = look.state;
    const rates = `stable ${describeRate(control)}, candidate ${describeRate(treatment)}`;
    switch (look.decision) {
      case "not-yet":
        return undefined;
      case "sample-cap":
        this.experiments.delete(deployment);
        return {
          type: "experimentConcluded",
          winner: "none",
          reason: `${test.metric}: no significant difference after ${control.n + treatment.n} samples (p = ${formatP(look.state.pValue)}; ${rates})`,
        };
      case "significant": {
        this.experiments.delete(deployment);
        const delta = look.delta ?? 0;
        const candidateBetter = TESTABLE_METRICS[test.metric] === "higher" ? delta > 0 : delta < 0;
        return {
          type: "experimentConcluded",
          winner: candidateBetter ? "candidate" : "stable",
          reason: `${test.metric} difference ${delta >= 0 ? "+" : ""}${delta.toFixed(4)} (candidate - stable), p = ${formatP(look.state.pValue)} <= alpha ${test.alpha}; ${rates}`,
        };
      }
    }
  }

  forget(deployment: string): void {
    this.experiments.delete(deployment);
  }

  private experimentOf(deployment: string, state: RolloutState, now: number): Experiment {
    const key = `${state.revision}.${state.attempt}`;
    const kept = this.experiments.get(deployment);
    if (kept !== undefined && kept.key === key) return kept;
    // After a restart the start is read back from the rollout's history; the p-value starts afresh.
    const started = [...state.history].reverse().find((h) => h.kind === "ExperimentStarted");
    const experiment = { key, startedAt: started?.at ?? now, test: NEW_SEQUENTIAL_TEST };
    this.experiments.set(deployment, experiment);
    return experiment;
  }

  private armStats(
    metric: TestableMetric,
    endpoint: string,
    model: string,
    from: number,
    to: number,
  ): ArmStats {
    switch (metric) {
      case "online_accuracy": {
        const { labelled, correct } = this.deps.feedback.window(endpoint, model, from, to);
        return observeCounts(EMPTY_ARM, correct, labelled);
      }
      case "error_rate": {
        const { requests, errors } = this.deps.telemetry.window(endpoint, model, from, to);
        return observeCounts(EMPTY_ARM, errors, requests);
      }
    }
  }
}

function describeRate(arm: ArmStats): string {
  return arm.n === 0 ? "no samples" : `${(arm.sum / arm.n).toFixed(4)} of ${arm.n}`;
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}
