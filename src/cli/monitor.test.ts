import { describe, expect, it } from "vitest";
import { formatMonitoringStatus, monitorCommand } from "./monitor.js";

describe("flowops monitor", () => {
  it("prints an endpoint's traffic, drift verdict and SLO table", () => {
    const text = formatMonitoringStatus({
      endpoint: "churn",
      phase: "Healthy",
      traffic: [{ model: "models:/churn/1", weight: 100, role: "stable" }],
      drift: {
        reportId: 3,
        model: "models:/churn/1",
        windowEnd: Date.UTC(2026, 0, 1),
        rows: 1500,
        share: 0.5,
        datasetDrift: true,
        driftedColumns: ["age"],
      },
      slos: [
        {
          id: "availability",
          kind: "availability",
          sli: 0.995,
          budgetRemaining: 0.5,
          burnRates: { "5m": 20, "1h": 15 },
          value: null,
          alerts: [{ name: "availability-1h-5m", severity: "page", since: 0, firing: true }],
        },
      ],
    });
    expect(text).toContain("Endpoint: churn (Healthy)");
    expect(text).toContain("Traffic:  models:/churn/1 100% (stable)");
    expect(text).toContain("DATASET DRIFT, share 0.5 over 1500 rows at 2026-01-01 00:00:00; drifted: age");
    expect(text).toMatch(/availability\s+99\.5%\s+50%\s+20\s+15\s+-\s+availability-1h-5m FIRING/);
  });

  it("has status, events and profile subcommands", () => {
    expect(monitorCommand().commands.map((c) => c.name())).toEqual(["status", "events", "profile"]);
  });
});
