import { describe, expect, it } from "vitest";
import { parseAnalysisTemplate } from "../analysis/analysisTemplate.js";
import { parseRolloutSpec, type AnalysisRef } from "../rollout/rolloutSpec.js";
import {
  DEFAULT_ANALYSIS_TEMPLATE_NAME,
  DEFAULT_ANALYSIS_TEMPLATE_YAML,
  DEFAULT_BOUNDED_ANALYSIS_COUNT,
  DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME,
  DEFAULT_STRATEGIES,
  defaultAnalysisTemplate,
  defaultAnalysisTemplates,
  defaultRolloutSpec,
  defaultRolloutSpecYaml,
} from "./defaultRollout.js";

function templateNames(ref: AnalysisRef | undefined): string[] {
  return ref?.templates.map((t) => t.templateName) ?? [];
}

describe("defaultAnalysisTemplate", () => {
  it("judges error rate and p99 latency against stable, and agreement, every second over 10s", () => {
    const template = defaultAnalysisTemplate();
    expect(template.metadata.name).toBe(DEFAULT_ANALYSIS_TEMPLATE_NAME);
    expect(
      template.spec.metrics.map((m) => ({
        name: m.name,
        interval: m.interval,
        count: m.count,
        inconclusiveLimit: m.inconclusiveLimit,
        failureCondition: m.failureCondition,
        provider: m.provider.flowops,
      })),
    ).toEqual([
      {
        name: "error-rate",
        interval: "1s",
        count: undefined,
        inconclusiveLimit: 5,
        failureCondition: "result > 0.05",
        provider: { metric: "error_rate", compare: "stable", window: "10s", minSamples: 20 },
      },
      {
        name: "latency-p99",
        interval: "1s",
        count: undefined,
        inconclusiveLimit: 5,
        failureCondition: "result > 0.1",
        provider: { metric: "latency_p99", compare: "stable", window: "10s", minSamples: 20 },
      },
      {
        name: "agreement",
        interval: "1s",
        count: undefined,
        inconclusiveLimit: 5,
        failureCondition: "result < 0.9",
        provider: { metric: "agreement", window: "10s", minSamples: 20 },
      },
    ]);
  });

  it("is exactly what its printed YAML parses to, so a user can copy and edit it", () => {
    expect(parseAnalysisTemplate(DEFAULT_ANALYSIS_TEMPLATE_YAML, "copy.yaml")).toEqual(
      defaultAnalysisTemplate(),
    );
  });

  it("has a bounded twin that completes after a fixed number of measurements", () => {
    const [continuous, bounded] = defaultAnalysisTemplates();
    expect(continuous?.metadata.name).toBe(DEFAULT_ANALYSIS_TEMPLATE_NAME);
    expect(bounded?.metadata.name).toBe(DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME);
    expect(bounded?.spec.metrics.map((m) => m.count)).toEqual([
      DEFAULT_BOUNDED_ANALYSIS_COUNT,
      DEFAULT_BOUNDED_ANALYSIS_COUNT,
      DEFAULT_BOUNDED_ANALYSIS_COUNT,
    ]);
    expect(bounded?.spec.metrics.map((m) => m.name)).toEqual(continuous?.spec.metrics.map((m) => m.name));
  });
});

describe("defaultRolloutSpec", () => {
  it.each(DEFAULT_STRATEGIES)("gives a %s spec that parses as a user's rollout.yaml", (strategy) => {
    const spec = defaultRolloutSpec(strategy, "churn");
    expect(spec.strategy.kind).toBe(strategy);
    expect(parseRolloutSpec(defaultRolloutSpecYaml(strategy, "churn"), "rollout.yaml")).toEqual(spec);
  });

  it("walks a canary through 10 and 50 percent to 100, with background analysis", () => {
    const { strategy } = defaultRolloutSpec("canary");
    if (strategy.kind !== "canary") throw new Error(`expected canary, got ${strategy.kind}`);
    expect(strategy.canary.steps).toEqual([
      { kind: "setWeight", weight: 10 },
      { kind: "pause", durationMs: 10_000 },
      { kind: "setWeight", weight: 50 },
      { kind: "pause", durationMs: 10_000 },
      { kind: "setWeight", weight: 100 },
    ]);
    const weights = strategy.canary.steps.flatMap((s) => (s.kind === "setWeight" ? [s.weight] : []));
    expect(weights.at(-1)).toBe(100);
    expect(templateNames(strategy.canary.analysis)).toEqual([DEFAULT_ANALYSIS_TEMPLATE_NAME]);
  });

  it("analyses a blue-green preview with the bounded template and promotes 30s after", () => {
    const { strategy } = defaultRolloutSpec("blueGreen");
    if (strategy.kind !== "blueGreen") throw new Error(`expected blueGreen, got ${strategy.kind}`);
    expect(templateNames(strategy.blueGreen.prePromotionAnalysis)).toEqual([
      DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME,
    ]);
    expect(strategy.blueGreen.autoPromotionEnabled).toBe(true);
    expect(strategy.blueGreen.autoPromotionSeconds).toBe(30);
  });

  it("mirrors all traffic for 30s in a shadow, with an analysis that completes", () => {
    const { strategy } = defaultRolloutSpec("shadow");
    if (strategy.kind !== "shadow") throw new Error(`expected shadow, got ${strategy.kind}`);
    expect(strategy.shadow.mirrorPercent).toBe(100);
    expect(strategy.shadow.duration).toBe(30_000);
    expect(templateNames(strategy.shadow.analysis)).toEqual([DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME]);
  });

  it("splits an A/B test 50/50, sticky on x-user-id and seeded by the endpoint", () => {
    const { strategy } = defaultRolloutSpec("abTest", "0123");
    if (strategy.kind !== "abTest") throw new Error(`expected abTest, got ${strategy.kind}`);
    expect(strategy.abTest.variants).toEqual([
      { name: "stable", weight: 50 },
      { name: "candidate", weight: 50 },
    ]);
    // A numeric-looking endpoint stays a string seed.
    expect(strategy.abTest.stickiness).toEqual({ header: "x-user-id", seed: "0123", separator: ":" });
    expect(strategy.abTest.test).toEqual({ metric: "online_accuracy", alpha: 0.05, maxSamples: 10_000 });
  });
});
