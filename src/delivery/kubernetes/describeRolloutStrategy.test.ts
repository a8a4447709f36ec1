import { describe, expect, it } from "vitest";
import { defaultRolloutSpec } from "../deployments/defaultRollout.js";
import { parseRolloutSpec } from "../rollout/rolloutSpec.js";
import { describeRolloutStrategy } from "./describeRolloutStrategy.js";

const spec = (yaml: string) => parseRolloutSpec(yaml, "rollout.yaml");

describe("describeRolloutStrategy", () => {
  it("writes canary pauses back in Argo's notation: whole seconds bare, finer ones in ms", () => {
    const strategy = describeRolloutStrategy(
      spec(`strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 5m}
      - pause: {duration: 1500ms}
      - pause: {}
      - analysis: {templates: [{templateName: error-rate}]}
      - setWeight: 100
    analysis: {templates: [{templateName: latency}], args: [{name: a, value: b}], startingStep: 1}
`),
    );
    expect(strategy).toEqual({
      canary: {
        steps: [
          { setWeight: 20 },
          { pause: { duration: 300 } },
          { pause: { duration: "1500ms" } },
          { pause: {} },
          { analysis: { templates: [{ templateName: "error-rate" }] } },
          { setWeight: 100 },
        ],
        analysis: {
          templates: [{ templateName: "latency" }],
          args: [{ name: "a", value: "b" }],
          startingStep: 1,
        },
      },
    });
  });

  it("leaves out the keys of a canary analysis the spec did not give", () => {
    const strategy = describeRolloutStrategy(
      spec(`strategy:
  canary:
    steps:
      - analysis: {templates: [{templateName: error-rate}]}
      - setWeight: 100
    analysis: {templates: [{templateName: latency}]}
`),
    );
    expect(strategy).toEqual({
      canary: {
        steps: [{ analysis: { templates: [{ templateName: "error-rate" }] } }, { setWeight: 100 }],
        analysis: { templates: [{ templateName: "latency" }] },
      },
    });
    expect(Object.keys((strategy as { canary: { analysis: object } }).canary.analysis)).toEqual([
      "templates",
    ]);
  });

  it("passes blue-green's settings through, with the parser's defaults and without absent keys", () => {
    const strategy = describeRolloutStrategy(
      spec(`strategy:
  blueGreen:
    autoPromotionEnabled: false
    postPromotionAnalysis: {templates: [{templateName: error-rate}]}
`),
    );
    expect(strategy).toEqual({
      blueGreen: {
        autoPromotionEnabled: false,
        postPromotionAnalysis: { templates: [{ templateName: "error-rate" }] },
        scaleDownDelaySeconds: 30,
      },
    });
  });

  it("leaves out a blue-green key held as undefined, which the render's shape may not carry", () => {
    const strategy = describeRolloutStrategy({
      strategy: {
        kind: "blueGreen",
        blueGreen: { autoPromotionEnabled: true, autoPromotionSeconds: undefined, scaleDownDelaySeconds: 30 },
      },
    });
    expect(strategy).toEqual({ blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30 } });
    expect(Object.keys((strategy as { blueGreen: object }).blueGreen)).not.toContain("autoPromotionSeconds");
  });

  it("carries an A/B test as parsed, for the renderer to refuse by name", () => {
    const parsed = defaultRolloutSpec("abTest", "churn");
    if (parsed.strategy.kind !== "abTest") throw new Error("the abTest default is an A/B test");
    expect(describeRolloutStrategy(parsed)).toEqual({ abTest: parsed.strategy.abTest });
  });

  it("carries a shadow as parsed, for the renderer to refuse by name", () => {
    const parsed = defaultRolloutSpec("shadow");
    const strategy = describeRolloutStrategy(parsed);
    expect(strategy).toEqual({
      shadow: {
        mirrorPercent: 100,
        duration: 30_000,
        analysis: { templates: [{ templateName: "flowops-default-bounded" }] },
      },
    });
  });
});
