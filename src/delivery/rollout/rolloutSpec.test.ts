import { describe, expect, it } from "vitest";
import { parseRolloutSpec } from "./rolloutSpec.js";

const canaryYaml = `strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 5m}
      - pause: {}
      - analysis:
          templates: [{templateName: error-rate}]
          args: [{name: endpoint, value: iris}]
      - setWeight: 100
    analysis:
      templates: [{templateName: latency}]
      startingStep: 1
`;

function errorOf(text: string): string {
  try {
    parseRolloutSpec(text, "rollout.yaml");
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

describe("parseRolloutSpec", () => {
  it("reads canary steps in Argo's vocabulary with durations in milliseconds", () => {
    const spec = parseRolloutSpec(canaryYaml, "rollout.yaml");
    expect(spec.strategy.kind).toBe("canary");
    if (spec.strategy.kind !== "canary") return;
    expect(spec.strategy.canary.steps).toEqual([
      { kind: "setWeight", weight: 20 },
      { kind: "pause", durationMs: 300_000 },
      { kind: "pause" },
      {
        kind: "analysis",
        analysis: {
          templates: [{ templateName: "error-rate" }],
          args: [{ name: "endpoint", value: "iris" }],
        },
      },
      { kind: "setWeight", weight: 100 },
    ]);
    expect(spec.strategy.canary.analysis?.startingStep).toBe(1);
    expect(spec.strategy.canary.scaleDownDelaySeconds).toBe(30);
  });

  it("accepts Argo's canary whose steps end below 100 % (the rollout promotes after the last step)", () => {
    const text =
      "strategy:\n  canary:\n    steps:\n      - setWeight: 20\n      - pause: {}\n" +
      "      - setWeight: 60\n      - pause: {}\n";
    const spec = parseRolloutSpec(text, "r.yaml");
    expect(spec.strategy.kind === "canary" && spec.strategy.canary.steps).toEqual([
      { kind: "setWeight", weight: 20 },
      { kind: "pause" },
      { kind: "setWeight", weight: 60 },
      { kind: "pause" },
    ]);
    expect(errorOf("strategy:\n  canary:\n    steps:\n      - pause: {duration: 1m}\n")).toBe("no error");
  });

  it("rejects a weight outside 0..100 with the file and line", () => {
    const text = "strategy:\n  canary:\n    steps:\n      - setWeight: 150\n";
    expect(errorOf(text)).toMatch(/^rollout\.yaml:4: strategy\.canary\.steps\[0\]\.setWeight: .*0 to 100/);
  });

  it("names an unknown key and its line", () => {
    const text = "strategy:\n  blueGreen:\n    autoPromotionEnabled: false\n    previewReplicas: 2\n";
    expect(errorOf(text)).toBe("rollout.yaml:4: unknown key 'previewReplicas' in strategy.blueGreen");
  });

  it("rejects a step with two kinds and a strategy with two kinds", () => {
    expect(errorOf("strategy:\n  canary:\n    steps:\n      - {setWeight: 100, pause: {}}\n")).toMatch(
      /rollout\.yaml:4: .*exactly one of setWeight, pause, analysis \(found setWeight, pause\)/,
    );
    expect(
      errorOf("strategy:\n  canary: {steps: [{setWeight: 100}]}\n  shadow: {mirrorPercent: 5}\n"),
    ).toMatch(/exactly one of canary, blueGreen, abTest, shadow/);
  });

  it("rejects a duration Argo would not accept", () => {
    expect(errorOf("strategy:\n  canary:\n    steps:\n      - pause: {duration: 5 minutes}\n")).toMatch(
      /rollout\.yaml:4: .*duration like 30s/,
    );
  });

  it("applies Argo's blue-green defaults", () => {
    const spec = parseRolloutSpec("strategy:\n  blueGreen: {}\n", "rollout.yaml");
    expect(spec.strategy).toEqual({
      kind: "blueGreen",
      blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30 },
    });
  });

  it("reads an A/B test and requires weights summing to 100", () => {
    const text = `strategy:
  abTest:
    variants: [{name: stable, weight: 50}, {name: candidate, weight: 50}]
    stickiness: {header: x-user-id, seed: exp1}
    test: {metric: online_accuracy, maxSamples: 10000}
`;
    const spec = parseRolloutSpec(text, "rollout.yaml");
    expect(spec.strategy.kind === "abTest" && spec.strategy.abTest.test.alpha).toBe(0.05);
    expect(spec.strategy.kind === "abTest" && spec.strategy.abTest.stickiness.separator).toBe(":");
    expect(errorOf(text.replace("weight: 50}]", "weight: 40}]"))).toMatch(
      /rollout\.yaml:3: strategy\.abTest\.variants: .*summing to 100 \(sum is 90\)/,
    );
  });

  it("reads a shadow strategy", () => {
    const spec = parseRolloutSpec("strategy:\n  shadow: {mirrorPercent: 10, duration: 1h}\n", "r.yaml");
    expect(spec.strategy).toEqual({ kind: "shadow", shadow: { mirrorPercent: 10, duration: 3_600_000 } });
  });

  it("reports YAML syntax errors with the line", () => {
    expect(errorOf("strategy:\n  canary: [\n")).toMatch(/^rollout\.yaml:\d+: invalid YAML/);
  });
});
