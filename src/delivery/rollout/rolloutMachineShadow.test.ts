import { describe, expect, it } from "vitest";
import { ofType, startedRollout, type Driver } from "./rolloutMachineFixtures.js";
import { parseRolloutSpec } from "./rolloutSpec.js";

describe("shadow rollout", () => {
  const spec = parseRolloutSpec(
    "strategy:\n  shadow: {mirrorPercent: 25, duration: 10m, analysis: {templates: [{templateName: agreement}]}}\n",
    "r.yaml",
  );
  const started = (): Driver => startedRollout(spec);

  it("mirrors traffic without serving the candidate, then promotes after the duration and analysis", () => {
    const d = started();
    expect(ofType(d.actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "m:1", weight: 100 }], mirror: { model: "m:2", percent: 25 } },
    ]);
    d.finish("shadow", "Successful", 300_000);
    expect(d.state.phase).toBe("Progressing");
    d.send({ type: "tick" }, 300_000);
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "m:2" });
  });

  it("stops mirroring when the shadow analysis fails", () => {
    const d = started();
    d.finish("shadow", "Failed", 60_000);
    expect(d.state.phase).toBe("Degraded");
    expect(ofType(d.actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "m:1", weight: 100 }] },
    ]);
  });
});
