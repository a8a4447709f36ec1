import { describe, expect, it } from "vitest";
import { LiveTelemetry } from "./liveTelemetry.js";
import { mulberry32 } from "../../seededRandom.js";

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

const T0 = 1_700_000_000_000;

describe("LiveTelemetry", () => {
  it("counts requests and 5xx errors per endpoint and model in the window", () => {
    const telemetry = new LiveTelemetry();
    for (let i = 0; i < 10; i++) {
      telemetry.recordRequest({
        endpoint: "churn",
        model: "m:/1",
        status: i < 3 ? 500 : 200,
        seconds: 0.01,
        at: T0 + i,
      });
    }
    telemetry.recordRequest({ endpoint: "churn", model: "m:/1", status: 400, seconds: 0.01, at: T0 });
    telemetry.recordRequest({ endpoint: "churn", model: "m:/2", status: 503, seconds: 0.01, at: T0 });
    const stats = telemetry.window("churn", "m:/1", T0 - 1000, T0 + 1000);
    expect(stats.requests).toBe(11);
    expect(stats.errors).toBe(3);
    expect(telemetry.window("churn", "m:/2", T0 - 1000, T0 + 1000).errors).toBe(1);
  });

  it("answers latency quantiles of a long-tailed sample within 5 %", () => {
    const telemetry = new LiveTelemetry();
    const random = mulberry32(7);
    const samples: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Log-normal around 20 ms with a tail to seconds, spread over 20 one-second buckets.
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const seconds = 0.02 * Math.exp(0.8 * normal);
      samples.push(seconds);
      telemetry.recordRequest({ endpoint: "e", model: "m", status: 200, seconds, at: T0 + (i % 20) * 1000 });
    }
    samples.sort((a, b) => a - b);
    const stats = telemetry.window("e", "m", T0, T0 + 19_999);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const measured = stats.latencyQuantile(q) as number;
      const exact = exactQuantile(samples, q);
      expect(Math.abs(measured - exact) / exact).toBeLessThan(0.05);
    }
    expect(stats.latencyQuantile(0)).toBe(samples[0]);
    expect(stats.latencyQuantile(1)).toBe(samples[samples.length - 1]);
  });

  it("answers the exact latency when every request took the same time", () => {
    const telemetry = new LiveTelemetry();
    for (let i = 0; i < 50; i++)
      telemetry.recordRequest({ endpoint: "e", model: "m", status: 200, seconds: 0.0123, at: T0 });
    expect(telemetry.window("e", "m", T0, T0).latencyQuantile(0.99)).toBe(0.0123);
  });

  it("only counts the buckets that overlap the window", () => {
    const telemetry = new LiveTelemetry({ bucketMs: 1000 });
    for (let second = 0; second < 30; second++) {
      telemetry.recordRequest({
        endpoint: "e",
        model: "m",
        status: 200,
        seconds: 0.01,
        at: T0 + second * 1000 + 500,
      });
    }
    expect(telemetry.window("e", "m", T0 + 20_000, T0 + 29_999).requests).toBe(10);
    expect(telemetry.window("e", "m", T0 + 20_500, T0 + 21_000).requests).toBe(2);
  });

  it("drops buckets older than the retention and ignores late observations for them", () => {
    const telemetry = new LiveTelemetry({ bucketMs: 1000, retainMs: 10_000 });
    telemetry.recordRequest({ endpoint: "e", model: "m", status: 200, seconds: 0.01, at: T0 });
    telemetry.recordRequest({ endpoint: "e", model: "m", status: 200, seconds: 0.01, at: T0 + 60_000 });
    telemetry.recordRequest({ endpoint: "e", model: "m", status: 200, seconds: 0.01, at: T0 + 1000 });
    expect(telemetry.window("e", "m", T0, T0 + 60_000).requests).toBe(1);
    expect(telemetry.window("e", "m", T0 - 1000, T0 + 5000).requests).toBe(0);
  });

  it("reuses a ring slot for a newer bucket without carrying old counts over", () => {
    const telemetry = new LiveTelemetry({ bucketMs: 1000, retainMs: 2000 });
    telemetry.recordRequest({ endpoint: "e", model: "m", status: 500, seconds: 5, predictions: [1], at: T0 });
    telemetry.recordRequest({
      endpoint: "e",
      model: "m",
      status: 200,
      seconds: 0.01,
      predictions: [2],
      at: T0 + 3000,
    });
    const stats = telemetry.window("e", "m", T0 + 3000, T0 + 3000);
    expect(stats).toMatchObject({ requests: 1, errors: 0, predictions: [2] });
    expect(stats.latencyQuantile(1)).toBe(0.01);
  });

  it("keeps a bounded, representative sample of predictions per bucket", () => {
    const telemetry = new LiveTelemetry({ predictionsPerBucket: 100 });
    for (let i = 0; i < 1000; i++) {
      telemetry.recordRequest({
        endpoint: "e",
        model: "m",
        status: 200,
        seconds: 0.01,
        predictions: [i % 2, i % 2],
        at: T0,
      });
    }
    const { predictions } = telemetry.window("e", "m", T0, T0);
    expect(predictions).toHaveLength(100);
    const ones = predictions.filter((value) => value === 1).length;
    expect(ones).toBeGreaterThan(30);
    expect(ones).toBeLessThan(70);
  });

  it("sums comparisons of a candidate with stable", () => {
    const telemetry = new LiveTelemetry();
    telemetry.recordComparison({ endpoint: "e", model: "m:/2", compared: 4, agreed: 3, at: T0 });
    telemetry.recordComparison({ endpoint: "e", model: "m:/2", compared: 6, agreed: 6, at: T0 + 1500 });
    expect(telemetry.window("e", "m:/2", T0, T0 + 2000)).toMatchObject({
      compared: 10,
      agreed: 9,
      requests: 0,
    });
  });

  it("answers an empty window for an unknown endpoint and after forgetting", () => {
    const telemetry = new LiveTelemetry();
    const empty = telemetry.window("nowhere", "m", T0, T0 + 1000);
    expect(empty).toMatchObject({ requests: 0, errors: 0, predictions: [], compared: 0 });
    expect(empty.latencyQuantile(0.5)).toBeUndefined();
    telemetry.recordRequest({ endpoint: "e", model: "a", status: 200, seconds: 0.01, at: T0 });
    telemetry.recordRequest({ endpoint: "e", model: "b", status: 200, seconds: 0.01, at: T0 });
    telemetry.forget("e", "a");
    expect(telemetry.window("e", "a", T0, T0).requests).toBe(0);
    expect(telemetry.window("e", "b", T0, T0).requests).toBe(1);
    telemetry.forget("e");
    expect(telemetry.window("e", "b", T0, T0).requests).toBe(0);
  });
});
