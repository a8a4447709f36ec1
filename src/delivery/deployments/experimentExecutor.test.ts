import { describe, expect, it } from "vitest";
import { step } from "../rollout/rolloutMachine.js";
import { parseRolloutSpec } from "../rollout/rolloutSpec.js";
import { createRollout, type RolloutState } from "../rollout/rolloutState.js";
import type { WindowStats } from "../telemetry/liveTelemetry.js";
import { defaultRolloutSpec } from "./defaultRollout.js";
import { checkExperimentMetric, ExperimentExecutor } from "./experimentExecutor.js";

type Counts = Record<string, { labelled: number; correct: number; requests: number; errors: number }>;

function executorOver(counts: Counts): ExperimentExecutor {
  const of = (model: string) => counts[model] ?? { labelled: 0, correct: 0, requests: 0, errors: 0 };
  return new ExperimentExecutor({
    feedback: { window: (_endpoint, model) => of(model) },
    telemetry: {
      window: (_endpoint, model): WindowStats => ({
        requests: of(model).requests,
        errors: of(model).errors,
        latencyQuantile: () => undefined,
        predictions: [],
        compared: 0,
        agreed: 0,
      }),
    },
  });
}

function runningAbTest(metric = "online_accuracy"): RolloutState {
  const spec = parseRolloutSpec(
    `strategy:
  abTest:
    variants: [{name: stable, weight: 50}, {name: candidate, weight: 50}]
    stickiness: {header: x-user-id, seed: churn}
    test: {metric: ${metric}, maxSamples: 10000}
`,
    "ab.yaml",
  );
  let state = createRollout(spec, "v1");
  state = step(state, { type: "deploy", candidate: "v2" }, 1000).state;
  return step(state, { type: "candidateLoaded" }, 1000).state;
}

describe("ExperimentExecutor", () => {
  it("declares the candidate the winner when its online accuracy is significantly higher", () => {
    const executor = executorOver({
      v1: { labelled: 400, correct: 200, requests: 400, errors: 0 },
      v2: { labelled: 400, correct: 360, requests: 400, errors: 0 },
    });
    const input = executor.look("churn", runningAbTest(), 5000);
    expect(input).toMatchObject({ type: "experimentConcluded", winner: "candidate" });
    expect(input?.type === "experimentConcluded" ? input.reason : "").toMatch(/p = .* <= alpha 0.05/);
  });

  it("keeps stable when the candidate's error rate is significantly higher", () => {
    const executor = executorOver({
      v1: { labelled: 0, correct: 0, requests: 500, errors: 5 },
      v2: { labelled: 0, correct: 0, requests: 500, errors: 150 },
    });
    expect(executor.look("churn", runningAbTest("error_rate"), 5000)).toMatchObject({ winner: "stable" });
  });

  it("waits while there is too little data to decide", () => {
    const executor = executorOver({
      v1: { labelled: 5, correct: 3, requests: 5, errors: 0 },
      v2: { labelled: 5, correct: 4, requests: 5, errors: 0 },
    });
    expect(executor.look("churn", runningAbTest(), 5000)).toBeUndefined();
  });

  it("concludes without a winner at the sample cap", () => {
    const executor = executorOver({
      v1: { labelled: 5000, correct: 2500, requests: 5000, errors: 0 },
      v2: { labelled: 5000, correct: 2500, requests: 5000, errors: 0 },
    });
    expect(executor.look("churn", runningAbTest(), 5000)).toMatchObject({ winner: "none" });
  });

  it("does nothing for a deployment that is not running an A/B test", () => {
    const executor = executorOver({});
    expect(executor.look("churn", createRollout(defaultRolloutSpec("canary"), "v1"), 5000)).toBeUndefined();
  });

  it("refuses a latency A/B test with the metrics it can test", () => {
    const spec = defaultRolloutSpec("abTest", "churn");
    if (spec.strategy.kind !== "abTest") throw new Error("expected an A/B spec");
    spec.strategy.abTest.test.metric = "latency";
    expect(() => checkExperimentMetric(spec, "ab.yaml")).toThrow(/online_accuracy, error_rate/);
  });
});
