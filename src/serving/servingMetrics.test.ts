import { describe, expect, it } from "vitest";
import { ServingMetrics } from "./servingMetrics.js";

describe("serving metrics", () => {
  it("counts a request no route took under empty model and version, without a latency observation", async () => {
    const metrics = new ServingMetrics();
    metrics.observeUnroutedRequest("v2", 400);
    metrics.observeUnroutedRequest("v2", 400);
    metrics.observeUnroutedRequest("", 404);
    const text = await metrics.exposition();
    expect(text).toContain(
      'flowops_inference_requests_total{model="",version="",protocol="v2",code="400"} 2',
    );
    expect(text).toContain('flowops_inference_errors_total{model="",version="",protocol="v2",code="400"} 2');
    expect(text).toContain('flowops_inference_errors_total{model="",version="",protocol="",code="404"} 1');
    expect(text).not.toContain("flowops_inference_latency_seconds_count");
  });

  it("counts a routed request's answer with its model's labels and times it", async () => {
    const metrics = new ServingMetrics();
    metrics.observeRequest({ model: "sum", version: "1" }, "v1", 200, 0.002);
    const text = await metrics.exposition();
    expect(text).toContain(
      'flowops_inference_requests_total{model="sum",version="1",protocol="v1",code="200"} 1',
    );
    expect(text).not.toContain("flowops_inference_errors_total{");
    expect(text).toContain(
      'flowops_inference_latency_seconds_count{model="sum",version="1",protocol="v1"} 1',
    );
  });
});
