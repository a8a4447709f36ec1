/**
 * The rendered rules and the embedded evaluator must fire the same alerts on the same traffic. promtool's
 * rule unit tests replay the traffic through the shipped rules file; skipped where promtool is not installed
 * (Debian: `apt-get install prometheus`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { evaluateSlo, type WindowCounts } from "./burnRate.js";
import { DEFAULT_ALERTS_FILE, DEFAULT_SLO_CONFIG } from "./defaultSlos.js";
import { BURN_ALERT, prometheusRuleGroups } from "./prometheusRules.js";

const MINUTE = 60_000;
const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;

/** Minutes of steady traffic, in order from t = 0. */
const PHASES = [
  { minutes: 120, perMinute: 600, errorRatio: 0 },
  { minutes: 120, perMinute: 600, errorRatio: 0.02 },
  { minutes: 10, perMinute: 600, errorRatio: 0 },
];
const END_MINUTE = PHASES.reduce((sum, p) => sum + p.minutes, 0);

/** Exact counts of PHASES over any window; nothing before t = 0. */
const counts: WindowCounts = (from, to) => {
  let good = 0;
  let total = 0;
  let start = 0;
  for (const phase of PHASES) {
    const end = start + phase.minutes * MINUTE;
    const overlap = Math.max(0, Math.min(to, end) - Math.max(from, start)) / MINUTE;
    total += overlap * phase.perMinute;
    good += overlap * phase.perMinute * (1 - phase.errorRatio);
    start = end;
  }
  return { good, total };
};

/** promtool's expanding notation for a counter growing by `perMinute(phase)` each minute. */
function counterValues(perMinute: (phase: (typeof PHASES)[number]) => number): string {
  const parts = ["0"];
  let value = 0;
  for (const phase of PHASES) {
    const step = perMinute(phase);
    parts.push(`${value + step}+${step}x${phase.minutes - 1}`);
    value += step * phase.minutes;
  }
  return parts.join(" ");
}

describe("Prometheus and the embedded evaluator", () => {
  it("fire the expected burn-rate alerts after a two-hour error burst that ended ten minutes ago", () => {
    const availability = DEFAULT_SLO_CONFIG.defaults?.objectives.find((o) => o.kind === "availability");
    const windowMs = DEFAULT_SLO_CONFIG.defaults?.windowMs ?? 0;
    const objective = availability?.kind === "availability" ? availability.objective : 0;
    const result = evaluateSlo({ objective, windowMs }, counts, END_MINUTE * MINUTE);
    expect(
      result.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.longWindow}/${a.shortWindow}`),
    ).toEqual(["page 6h/30m", "ticket 3d/6h"]);
  });

  it.skipIf(!hasPromtool)(
    "agree on which alerts fire, replayed through the shipped rules by promtool",
    async () => {
      const availability = DEFAULT_SLO_CONFIG.defaults?.objectives.find((o) => o.kind === "availability");
      const windowMs = DEFAULT_SLO_CONFIG.defaults?.windowMs ?? 0;
      const objective = availability?.kind === "availability" ? availability.objective : 0;
      const firing = evaluateSlo({ objective, windowMs }, counts, END_MINUTE * MINUTE).alerts.filter(
        (a) => a.firing,
      );
      const rules = prometheusRuleGroups(DEFAULT_SLO_CONFIG).flatMap((g) => g.rules);
      const expected = firing.map((alert) => {
        const rule = rules.find(
          (r) =>
            "alert" in r &&
            r.alert === BURN_ALERT &&
            r.labels.slo === "availability" &&
            r.labels.long_window === alert.longWindow,
        );
        if (rule === undefined || !("alert" in rule)) throw new Error(`no rule for ${alert.longWindow}`);
        const fill = (text: string) => text.replaceAll("{{ $labels.model }}", "a");
        return {
          exp_labels: { ...rule.labels, model: "a" },
          exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)])),
        };
      });
      const labels = 'model="a",version="1",protocol="v2"';
      const testFile = {
        rule_files: [resolve(DEFAULT_ALERTS_FILE)],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: [
              {
                series: `flowops_inference_requests_total{${labels},code="200"}`,
                values: counterValues((p) => p.perMinute * (1 - p.errorRatio)),
              },
              {
                series: `flowops_inference_requests_total{${labels},code="500"}`,
                values: counterValues((p) => p.perMinute * p.errorRatio),
              },
            ],
            alert_rule_test: [{ eval_time: `${END_MINUTE}m`, alertname: BURN_ALERT, exp_alerts: expected }],
          },
        ],
      };
      const dir = await mkdtemp(join(tmpdir(), "flowops-promtool-"));
      try {
        const path = join(dir, "burn.test.yaml");
        await writeFile(path, stringify(testFile, { lineWidth: 0 }));
        const run = () =>
          execFileSync("promtool", ["test", "rules", path], { encoding: "utf8", stdio: "pipe" });
        expect(run).not.toThrow();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
