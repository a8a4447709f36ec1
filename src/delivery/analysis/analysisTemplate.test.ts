import { describe, expect, it } from "vitest";
import { parseArgoDuration } from "./argoDuration.js";
import { DEFAULT_CONSECUTIVE_ERROR_LIMIT, isDryRun, parseAnalysisTemplate } from "./analysisTemplate.js";

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
    - name: service-name
  metrics:
    - name: success-rate
      interval: 30s
      count: 5
      successCondition: result[0] >= 0.95
      failureLimit: 2
      provider:
        prometheus:
          address: http://prometheus:9090
          query: sum(rate(x{service="{{args.service-name}}"}[1m]))
    - name: latency
      provider:
        flowops:
          metric: latency_p95
          compare: stable
          window: 5m
      failureCondition: result > 0.5
`;

describe("parseArgoDuration", () => {
  it.each<[string | number, number]>([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["30", 30_000],
    [45, 45_000],
    ["0", 0],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseArgoDuration(text)).toBe(ms);
  });

  it.each<string | number>(["", "5x", "m", "-1s", "1.5", 1.5, -3, "5 m", "s5"])("rejects %j", (text) => {
    expect(parseArgoDuration(text)).toBeUndefined();
  });
});

describe("parseAnalysisTemplate", () => {
  it("reads metrics with Argo's defaults", () => {
    const template = parseAnalysisTemplate(TEMPLATE, "analysis.yaml");
    const [successRate, latency] = template.spec.metrics;
    expect(successRate).toMatchObject({
      name: "success-rate",
      interval: "30s",
      count: 5,
      failureLimit: 2,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: DEFAULT_CONSECUTIVE_ERROR_LIMIT,
      consecutiveSuccessLimit: 0,
    });
    expect(latency?.failureLimit).toBe(0);
    expect(latency?.provider).toEqual({
      flowops: { metric: "latency_p95", compare: "stable", window: "5m" },
    });
    expect(template.spec.args).toEqual([{ name: "service-name" }]);
    expect(template.spec.dryRun).toEqual([]);
  });

  it("keeps a bare-number interval as Argo's seconds string", () => {
    const text = TEMPLATE.replace("interval: 30s", "interval: 30");
    expect(parseAnalysisTemplate(text, "a.yaml").spec.metrics[0]?.interval).toBe("30");
  });

  it("marks dry-run metrics by name and by wildcard", () => {
    const named = parseAnalysisTemplate(`${TEMPLATE}  dryRun:\n    - metricName: latency\n`, "a.yaml");
    expect(isDryRun(named, "latency")).toBe(true);
    expect(isDryRun(named, "success-rate")).toBe(false);
    const all = parseAnalysisTemplate(`${TEMPLATE}  dryRun:\n    - metricName: "*"\n`, "a.yaml");
    expect(isDryRun(all, "success-rate")).toBe(true);
  });

  it.each([
    [
      "interval: 30s",
      "interval: soon",
      "analysis.yaml:10: spec.metrics[0].interval: expected a duration like 30s",
    ],
    ["count: 5", "count: 5\n      cadence: 3", "analysis.yaml:12: spec.metrics[0]: unknown key 'cadence'"],
    ["failureLimit: 2", "failureLimit: -2", "analysis.yaml:13: spec.metrics[0].failureLimit:"],
    [
      "successCondition: result[0] >= 0.95",
      "successCondition: result[0] >= (0.95))",
      "analysis.yaml:12: spec.metrics[0].successCondition: unexpected ')' at column 20",
    ],
    [
      "metric: latency_p95",
      "metric: latency_p42",
      "analysis.yaml:21: spec.metrics[1].provider.flowops.metric:",
    ],
    [
      "        flowops:",
      "        datadog:",
      "analysis.yaml:20: spec.metrics[1].provider: unknown key 'datadog'",
    ],
    [
      "      count: 5\n",
      "      count: 1\n",
      "analysis.yaml:11: spec.metrics[0].count: count (1) must be >= failureLimit (2)",
    ],
    ["      interval: 30s\n", "", "spec.metrics[0].count: interval must be specified when count > 1"],
    [
      "name: latency",
      "name: success-rate",
      "analysis.yaml:18: spec.metrics[1].name: duplicate metric name 'success-rate'",
    ],
    ["kind: AnalysisTemplate", "kind: Rollout", "analysis.yaml:2: kind:"],
  ])("names the file, line and field when %s becomes %s", (from, to, message) => {
    expect(() => parseAnalysisTemplate(TEMPLATE.replace(from, to), "analysis.yaml")).toThrow(message);
  });

  it("requires exactly one provider", () => {
    const text = TEMPLATE.replace(
      "          window: 5m\n",
      "          window: 5m\n        prometheus:\n          address: http://p\n          query: up\n",
    );
    expect(() => parseAnalysisTemplate(text, "a.yaml")).toThrow(
      "spec.metrics[1].provider: expected exactly one provider: prometheus or flowops",
    );
  });

  it("rejects a dry-run entry for a metric the template does not have", () => {
    expect(() => parseAnalysisTemplate(`${TEMPLATE}  dryRun:\n    - metricName: latncy\n`, "a.yaml")).toThrow(
      "a.yaml:26: spec.dryRun[0].metricName: no metric named 'latncy' (metrics: success-rate, latency)",
    );
  });

  it("reports YAML syntax errors with their line", () => {
    expect(() => parseAnalysisTemplate("spec:\n  metrics: [\n", "bad.yaml")).toThrow(
      /^bad\.yaml:\d+: invalid YAML/,
    );
  });

  it("leaves conditions with {{args.*}} references to be checked when the run resolves them", () => {
    const text = TEMPLATE.replace("result > 0.5", "result > {{args.threshold}}");
    expect(parseAnalysisTemplate(text, "a.yaml").spec.metrics[1]?.failureCondition).toBe(
      "result > {{args.threshold}}",
    );
  });
});
