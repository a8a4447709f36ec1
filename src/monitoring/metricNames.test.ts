import { describe, expect, it } from "vitest";
import { ServingMetrics } from "../serving/servingMetrics.js";
import { exportedSeriesNames, FLOWOPS_METRICS } from "./metricNames.js";

describe("FlowOps metric names", () => {
  it("lists each metric once, with Prometheus' naming rules", () => {
    const names = FLOWOPS_METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of FLOWOPS_METRICS) {
      expect(metric.name).toMatch(/^flowops_[a-z_]+$/);
      if (metric.type === "counter") expect(metric.name).toMatch(/_total$/);
      if (metric.endpointLabel !== undefined) expect(metric.labelNames).toContain(metric.endpointLabel);
    }
  });

  it("includes every metric the serving process exports, with the same labels", async () => {
    const serving = new ServingMetrics();
    serving.observeRequest({ model: "m", version: "1" }, "v2", 503, 0.01);
    serving.batchObserver({ model: "m", version: "1" }).observeBatch(1);
    serving.batchObserver({ model: "m", version: "1" }).observeQueue(0.001);
    const exported = await serving.registry.getMetricsAsJSON();
    for (const metric of exported) {
      const listed = FLOWOPS_METRICS.find((m) => m.name === metric.name);
      expect(listed, `${metric.name} is listed`).toBeDefined();
      expect(listed?.type).toBe(metric.type);
      const labels = new Set(metric.values.flatMap((v) => Object.keys(v.labels)).filter((l) => l !== "le"));
      expect([...labels].sort()).toEqual([...(listed?.labelNames ?? [])].sort());
    }
  });

  it("names histogram series by their bucket, count and sum suffixes", () => {
    const series = exportedSeriesNames();
    expect(series.has("flowops_inference_latency_seconds_bucket")).toBe(true);
    expect(series.has("flowops_inference_latency_seconds")).toBe(false);
    expect(series.has("flowops_slo_burn_rate")).toBe(true);
  });
});
