import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEPLOYMENT_TRAFFIC_WEIGHT, exportedSeriesNames, FLOWOPS_METRICS } from "../metricNames.js";

const DASHBOARD_FILE = "deploy/monitoring/flowops-dashboard.json";

interface Target {
  refId?: string;
  expr?: string;
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  schemaVersion?: number;
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: { name: string; type: string; query?: unknown; definition?: string }[] };
}

async function loadDashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD_FILE, "utf8")) as Dashboard;
}

function queries(dashboard: Dashboard): string[] {
  return (dashboard.panels ?? []).flatMap((panel) => (panel.targets ?? []).map((t) => t.expr ?? ""));
}

describe("the Grafana dashboard", () => {
  it("is a dashboard model Grafana imports: schema version, uid, panels placed on the 24-column grid", async () => {
    const dashboard = await loadDashboard();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    const ids = new Set<number>();
    for (const panel of dashboard.panels ?? []) {
      expect(typeof panel.id).toBe("number");
      expect(ids.has(panel.id ?? -1), `panel id ${panel.id} is unique`).toBe(false);
      ids.add(panel.id ?? -1);
      expect(panel.gridPos, `${panel.title} has a grid position`).toBeDefined();
      const grid = panel.gridPos ?? { x: 0, w: 0, h: 0, y: 0 };
      expect(grid.x + grid.w).toBeLessThanOrEqual(24);
      if (panel.type !== "row") {
        expect(panel.targets?.length ?? 0, `${panel.title} has queries`).toBeGreaterThan(0);
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    }
  });

  it("has an endpoint variable listing the endpoints that serve requests", async () => {
    const dashboard = await loadDashboard();
    const variable = dashboard.templating?.list?.find((v) => v.name === "endpoint");
    expect(variable?.type).toBe("query");
    expect(variable?.definition).toBe('label_values(flowops_inference_requests_total{model!=""}, model)');
  });

  it("queries only series FlowOps exports", async () => {
    const exported = exportedSeriesNames();
    const used = queries(await loadDashboard()).flatMap((expr) => expr.match(/\bflowops_[a-z_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });

  it("filters every per-endpoint query by the endpoint variable, on the label that metric uses", async () => {
    const labelOf = new Map(FLOWOPS_METRICS.map((m) => [m.name, m.endpointLabel]));
    for (const expr of queries(await loadDashboard())) {
      for (const match of expr.matchAll(/\b(flowops_[a-z_]+?)(_bucket|_count|_sum)?\{([^}]*)\}/g)) {
        const label = labelOf.get(match[1] ?? "") ?? labelOf.get(`${match[1]}${match[2] ?? ""}`);
        if (label !== undefined) expect(match[3], expr).toContain(`${label}=~"$endpoint"`);
      }
    }
  });

  it("charts requests, errors, latency quantiles, traffic weights, analyses, drift and SLO burn", async () => {
    const all = queries(await loadDashboard()).join("\n");
    for (const needle of [
      "rate(flowops_inference_requests_total",
      'code=~"5.."',
      "histogram_quantile(0.5,",
      "histogram_quantile(0.95,",
      "histogram_quantile(0.99,",
      DEPLOYMENT_TRAFFIC_WEIGHT,
      "flowops_analysis_phase",
      "flowops_drift_score",
      "flowops_slo_burn_rate",
    ]) {
      expect(all).toContain(needle);
    }
    expect(all).toContain("sum by (model, version");
  });
});
