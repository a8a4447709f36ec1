/**
 * The objectives FlowOps holds an endpoint to when its config names none, and the rules file rendered from
 * them that ships in deploy/monitoring/. No throughput floor by default: an endpoint idle by design would
 * raise a ticket forever.
 */
import { renderPrometheusRules } from "./prometheusRules.js";
import { DEFAULT_SLO_WINDOW_MS, type SloConfig } from "./sloSpec.js";

export const DEFAULT_SLO_CONFIG: SloConfig = {
  defaults: {
    windowMs: DEFAULT_SLO_WINDOW_MS,
    objectives: [
      { kind: "latency", id: "latency-300ms", thresholdMs: 300, objective: 99 },
      { kind: "availability", id: "availability", objective: 99.9 },
      { kind: "drift", id: "drift", maxShare: 0.5 },
    ],
  },
  endpoints: [],
};

/** Relative to the repository root. */
export const DEFAULT_ALERTS_FILE = "deploy/monitoring/flowops-alerts.yaml";
export const RENDER_DEFAULTS_COMMAND = "npx tsx scripts/renderMonitoringDefaults.ts";

/** The text of deploy/monitoring/flowops-alerts.yaml. */
export function renderDefaultAlerts(): string {
  return renderPrometheusRules(DEFAULT_SLO_CONFIG, {
    header:
      `Prometheus rules for FlowOps' default SLOs (src/monitoring/slo/defaultSlos.ts): 99 % of requests\n` +
      `within 300 ms, 99.9 % without a 5xx status, over 30 days, with the SRE workbook's multiwindow,\n` +
      `multi-burn-rate alerts; and a ticket when half the features drift.\n` +
      `Generated; regenerate with: ${RENDER_DEFAULTS_COMMAND}`,
  });
}
