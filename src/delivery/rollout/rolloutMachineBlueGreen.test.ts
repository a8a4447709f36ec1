import { describe, expect, it } from "vitest";
import { Driver, ofType } from "./rolloutMachineFixtures.js";
import { parseRolloutSpec } from "./rolloutSpec.js";
import { createRollout } from "./rolloutState.js";

function blueGreen(yaml: string): Driver {
  const d = new Driver(createRollout(parseRolloutSpec(`strategy:\n  blueGreen: ${yaml}\n`, "r.yaml"), "m:1"));
  d.send({ type: "deploy", candidate: "m:2" });
  d.send({ type: "candidateLoaded" }, 1000);
  return d;
}

describe("blue-green rollout", () => {
  const analyses =
    "{autoPromotionSeconds: 60, prePromotionAnalysis: {templates: [{templateName: smoke}]}, " +
    "postPromotionAnalysis: {templates: [{templateName: error-rate}]}}";

  it("previews, auto-promotes after autoPromotionSeconds, and completes after post-promotion analysis", () => {
    const d = blueGreen(analyses);
    expect(ofType(d.actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "m:1", weight: 100 }], preview: "m:2" },
    ]);
    d.finish("prePromotion", "Successful", 5000);
    expect(d.state).toMatchObject({ phase: "Paused", pauseReason: "BlueGreenPause", pauseUntil: 66_000 });
    expect(d.send({ type: "tick" }, 30_000)).toEqual([]);
    d.send({ type: "tick" }, 30_000);
    expect(d.state).toMatchObject({ phase: "Promoting", activeIsCandidate: true });
    expect(ofType(d.actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "m:2", weight: 100 }] },
    ]);
    expect(ofType(d.actions, "unloadModel")).toEqual([]);
    d.finish("postPromotion", "Successful", 60_000);
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "m:2" });
    expect(ofType(d.actions, "unloadModel")).toEqual([
      { type: "unloadModel", model: "m:1", afterSeconds: 30 },
    ]);
  });

  it("switches back to the still-loaded old version when post-promotion analysis fails", () => {
    const d = blueGreen(analyses);
    d.finish("prePromotion", "Successful");
    d.send({ type: "promote" });
    expect(d.state.phase).toBe("Promoting");
    d.finish("postPromotion", "Failed", 20_000);
    expect(d.state).toMatchObject({ phase: "Degraded", stable: "m:1", activeIsCandidate: false });
    expect(ofType(d.actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "m:1", weight: 100 }] },
    ]);
    expect(ofType(d.actions, "unloadModel")).toEqual([
      { type: "unloadModel", model: "m:2", afterSeconds: 30 },
    ]);
  });

  it("aborts before the switch when pre-promotion analysis fails", () => {
    const d = blueGreen(analyses);
    d.finish("prePromotion", "Failed");
    expect(d.state).toMatchObject({ phase: "Degraded", previewActive: false });
    expect(ofType(d.actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "m:1", weight: 100 }] },
    ]);
  });

  it("waits for promote when autoPromotionEnabled is false, ignoring autoPromotionSeconds", () => {
    const d = blueGreen("{autoPromotionEnabled: false, autoPromotionSeconds: 10}");
    expect(d.state).toMatchObject({ phase: "Paused", pauseReason: "BlueGreenPause" });
    expect(d.send({ type: "tick" }, 3_600_000)).toEqual([]);
    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "m:2" });
  });

  it("switches at once when autoPromotionSeconds is 0, as Argo only pauses for a positive value", () => {
    const d = blueGreen("{autoPromotionSeconds: 0}");
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "m:2" });
  });

  it("switches at once with the defaults", () => {
    const d = blueGreen("{}");
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "m:2", previousStable: "m:1" });
  });
});
