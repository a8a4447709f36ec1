import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { exportedSeriesNames } from "../metricNames.js";
import {
  DEFAULT_ALERTS_FILE,
  DEFAULT_SLO_CONFIG,
  RENDER_DEFAULTS_COMMAND,
  renderDefaultAlerts,
} from "./defaultSlos.js";
import { ERROR_RATIO_RECORD_PREFIX, prometheusRuleGroups, renderPrometheusRules } from "./prometheusRules.js";
import { parseSloDuration } from "./sloDuration.js";
import { parseSloConfig } from "./sloSpec.js";

interface ParsedRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface ParsedRules {
  groups: { name: string; rules: ParsedRule[] }[];
}

const CONFIG = parseSloConfig(
  `slos:
  defaults:
    objectives:
      - availability: {objective: 99.9}
  endpoints:
    fraud.detector:
      objectives:
        - latency: {threshold: 250ms, objective: 95}
        - throughput: {minRps: 10}
        - drift: {maxShare: 0.3}
`,
  "monitoring.yaml",
);

const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;

/** Structure Prometheus requires of a rules file, and the references between its rules. */
function checkRulesFile(text: string): ParsedRules {
  const file = parse(text) as ParsedRules;
  const series = exportedSeriesNames();
  const groupNames = new Set<string>();
  for (const group of file.groups) {
    expect(groupNames.has(group.name), `group ${group.name} appears once`).toBe(false);
    groupNames.add(group.name);
    const recorded = new Set<string>();
    for (const rule of group.rules) {
      expect([rule.record, rule.alert].filter((v) => v !== undefined)).toHaveLength(1);
      expect(rule.expr.split("(").length, `balanced parentheses in ${rule.expr}`).toBe(
        rule.expr.split(")").length,
      );
      for (const name of rule.expr.match(/\bflowops_[a-z_]+/g) ?? []) {
        expect(series.has(name), `${name} is a series FlowOps exports`).toBe(true);
      }
      for (const name of rule.expr.match(/flowops:[a-z_:0-9]+/g) ?? []) {
        expect(recorded.has(name), `${name} is recorded earlier in ${group.name}`).toBe(true);
      }
      if (rule.record !== undefined) recorded.add(rule.record);
      if (rule.for !== undefined) expect(parseSloDuration(rule.for)).toBeGreaterThan(0);
      if (rule.alert !== undefined) expect(["page", "ticket"]).toContain(rule.labels?.severity);
    }
  }
  return file;
}

describe("Prometheus rules", () => {
  it("ship in deploy/monitoring exactly as the default SLOs render", async () => {
    const committed = await readFile(DEFAULT_ALERTS_FILE, "utf8");
    expect(
      committed === renderDefaultAlerts(),
      `${DEFAULT_ALERTS_FILE} is out of date with src/monitoring/slo/defaultSlos.ts; run ${RENDER_DEFAULTS_COMMAND}`,
    ).toBe(true);
  });

  it("render the default SLOs as a well-formed rules file", () => {
    const file = checkRulesFile(renderDefaultAlerts());
    expect(file.groups.map((g) => g.name)).toEqual(["flowops-slo-defaults"]);
  });

  it("render per-endpoint objectives as a well-formed rules file", () => {
    checkRulesFile(renderPrometheusRules(CONFIG));
  });

  it("record the error ratio of every window the workbook's alerts read", () => {
    const [defaults] = prometheusRuleGroups(DEFAULT_SLO_CONFIG);
    const availability = defaults?.rules.filter((r) => "record" in r && r.labels.slo === "availability");
    expect(availability?.map((r) => ("record" in r ? r.record : ""))).toEqual(
      ["5m", "30m", "1h", "6h", "3d"].map((w) => `${ERROR_RATIO_RECORD_PREFIX}${w}`),
    );
    expect(availability?.[0]?.expr).toBe(
      'sum by (model) (rate(flowops_inference_requests_total{model!="",code=~"5.."}[5m]))\n/\n' +
        'sum by (model) (rate(flowops_inference_requests_total{model!=""}[5m]))',
    );
  });

  it("page when both the 1h and 5m windows burn more than 14.4 times the budget", () => {
    const [defaults] = prometheusRuleGroups(DEFAULT_SLO_CONFIG);
    const fast = defaults?.rules.find(
      (r) => "alert" in r && r.labels.slo === "availability" && r.labels.long_window === "1h",
    );
    expect(fast).toMatchObject({
      alert: "FlowOpsErrorBudgetBurn",
      expr:
        'flowops:slo_errors_per_request:ratio_rate1h{model!="",slo="availability"} > (14.4 * 0.001)\nand\n' +
        'flowops:slo_errors_per_request:ratio_rate5m{model!="",slo="availability"} > (14.4 * 0.001)',
      for: "2m",
      labels: { severity: "page", slo: "availability", long_window: "1h", short_window: "5m" },
    });
  });

  it("count latency as the requests under the threshold's histogram bucket", () => {
    const group = prometheusRuleGroups(CONFIG).find((g) => g.name === "flowops-slo-fraud.detector");
    const first = group?.rules[0];
    expect(first && "record" in first ? first.expr : "").toContain(
      'flowops_inference_latency_seconds_bucket{model="fraud.detector",le="0.25"}[5m]',
    );
  });

  it("leave endpoints with objectives of their own out of the defaults", () => {
    const defaults = prometheusRuleGroups(CONFIG).find((g) => g.name === "flowops-slo-defaults");
    expect(defaults?.rules[0]?.expr).toContain('{model!="",model!~"fraud\\\\.detector",code=~"5.."}');
  });

  it("treat an endpoint without any traffic as below its throughput floor", () => {
    const group = prometheusRuleGroups(CONFIG).find((g) => g.name === "flowops-slo-fraud.detector");
    const floor = group?.rules.find((r) => "alert" in r && r.alert === "FlowOpsThroughputBelowFloor");
    expect(floor).toMatchObject({
      expr: '(sum(rate(flowops_inference_requests_total{model="fraud.detector"}[5m])) or vector(0)) < 10',
      labels: { severity: "ticket", slo: "throughput", model: "fraud.detector" },
    });
  });

  it("raise a ticket when the drifted share reaches the ceiling", () => {
    const group = prometheusRuleGroups(CONFIG).find((g) => g.name === "flowops-slo-fraud.detector");
    const drift = group?.rules.find((r) => "alert" in r && r.alert === "FlowOpsDriftShareAboveCeiling");
    expect(drift?.expr).toBe('max by (endpoint) (flowops_drift_share{endpoint="fraud.detector"}) >= 0.3');
  });

  it("refuse a latency threshold between histogram buckets, listing the bounds", () => {
    const config = parseSloConfig(
      "slos:\n  defaults:\n    objectives:\n      - latency: {threshold: 310ms, objective: 99}\n",
      "m.yaml",
    );
    expect(() => prometheusRuleGroups(config)).toThrow(
      /slos\.defaults: latency threshold 310ms is not a bucket bound of flowops_inference_latency_seconds.*0\.25s, 0\.3s, 0\.5s/,
    );
  });

  it.skipIf(!hasPromtool)("pass promtool check rules", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-rules-"));
    try {
      for (const [name, text] of [
        ["defaults.yaml", renderDefaultAlerts()],
        ["endpoints.yaml", renderPrometheusRules(CONFIG)],
      ] as const) {
        await writeFile(join(dir, name), text);
        execFileSync("promtool", ["check", "rules", join(dir, name)], { stdio: "pipe" });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
