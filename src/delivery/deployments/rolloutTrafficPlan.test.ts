import { describe, expect, it } from "vitest";
import { step } from "../rollout/rolloutMachine.js";
import { createRollout, type RolloutInput, type RolloutState } from "../rollout/rolloutState.js";
import { defaultRolloutSpec } from "./defaultRollout.js";
import { exposesMore, trafficPlanFor } from "./rolloutTrafficPlan.js";

function drive(state: RolloutState, inputs: RolloutInput[]): RolloutState {
  return inputs.reduce((s, input) => step(s, input, 1000).state, state);
}

const deployed: RolloutInput[] = [{ type: "deploy", candidate: "v2" }, { type: "candidateLoaded" }];

describe("trafficPlanFor", () => {
  it("splits a canary by its weight and compares the candidate's answers with stable's", () => {
    const state = drive(createRollout(defaultRolloutSpec("canary"), "v1"), deployed);
    expect(trafficPlanFor(state)).toEqual({
      routes: [
        { model: "v1", weight: 90 },
        { model: "v2", weight: 10 },
      ],
      stable: "v1",
      candidate: "v2",
      compareFraction: 1,
    });
  });

  it("gives a candidate that has not loaded no traffic", () => {
    const state = drive(createRollout(defaultRolloutSpec("canary"), "v1"), [
      { type: "deploy", candidate: "v2" },
    ]);
    expect(trafficPlanFor(state).routes).toEqual([{ model: "v1", weight: 100 }]);
  });

  it("mirrors to a shadow candidate without giving it answers", () => {
    const plan = trafficPlanFor(drive(createRollout(defaultRolloutSpec("shadow"), "v1"), deployed));
    expect(plan).toMatchObject({
      routes: [{ model: "v1", weight: 100 }],
      mirror: { model: "v2", percent: 100 },
    });
  });

  it("points a blue-green preview at the candidate before the switch", () => {
    const plan = trafficPlanFor(drive(createRollout(defaultRolloutSpec("blueGreen"), "v1"), deployed));
    expect(plan).toMatchObject({ routes: [{ model: "v1", weight: 100 }], preview: "v2" });
  });

  it("carries an A/B test's stickiness", () => {
    const plan = trafficPlanFor(drive(createRollout(defaultRolloutSpec("abTest", "churn"), "v1"), deployed));
    expect(plan.abTest?.stickiness).toMatchObject({ header: "x-user-id", seed: "churn" });
    expect(plan.routes).toContainEqual({ model: "v2", weight: 50 });
  });

  it("sends everything back to stable after an abort, which exposes nothing more", () => {
    const running = drive(createRollout(defaultRolloutSpec("canary"), "v1"), deployed);
    const aborted = drive(running, [{ type: "abort", reason: "test" }]);
    expect(trafficPlanFor(aborted).routes).toEqual([{ model: "v1", weight: 100 }]);
    expect(exposesMore(trafficPlanFor(running), trafficPlanFor(aborted))).toBe(false);
    expect(exposesMore(trafficPlanFor(aborted), trafficPlanFor(running))).toBe(true);
  });
});
