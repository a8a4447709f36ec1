import { describe, expect, it } from "vitest";
import { ofType, startedRollout, type Driver } from "./rolloutMachineFixtures.js";
import { parseRolloutSpec } from "./rolloutSpec.js";

describe("A/B test rollout", () => {
  const spec = parseRolloutSpec(
    `strategy:
  abTest:
    variants: [{name: stable, weight: 70}, {name: candidate, weight: 30}]
    stickiness: {header: x-user, seed: exp-7}
    test: {metric: online_accuracy, maxSamples: 5000}
`,
    "r.yaml",
  );
  const started = (): Driver => startedRollout(spec);

  it("splits traffic by the variant weights with sticky assignment", () => {
    const d = started();
    expect(ofType(d.actions, "setTraffic")).toEqual([
      {
        type: "setTraffic",
        routes: [
          { model: "m:1", weight: 70 },
          { model: "m:2", weight: 30 },
        ],
        abTest: { stickiness: { header: "x-user", seed: "exp-7", separator: ":" } },
      },
    ]);
  });

  it("promotes the candidate when the test finds it significantly better", () => {
    const d = started();
    d.send({ type: "experimentConcluded", winner: "candidate", reason: "p = 0.01 < 0.05" }, 3_600_000);
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "m:2" });
  });

  it("keeps stable when the test favours it and pauses when the sample cap is hit without a winner", () => {
    const lost = started();
    lost.send({ type: "experimentConcluded", winner: "stable", reason: "p = 0.002" });
    expect(lost.state).toMatchObject({ phase: "Degraded", canaryWeight: 0 });
    const capped = started();
    capped.send({ type: "experimentConcluded", winner: "none", reason: "sample cap 5000" });
    expect(capped.state).toMatchObject({ phase: "Paused", pauseReason: "AwaitingDecision" });
    capped.send({ type: "promote" });
    expect(capped.state.stable).toBe("m:2");
  });
});
