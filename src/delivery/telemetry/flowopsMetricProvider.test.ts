import { describe, expect, it } from "vitest";
import type { AnalysisMetric } from "../analysis/analysisTemplate.js";
import { populationStabilityIndex } from "../experiments/populationStability.js";
import { FeedbackLedger } from "./feedbackLedger.js";
import { describeWindow, FlowOpsMetricProvider } from "./flowopsMetricProvider.js";
import { LiveTelemetry } from "./liveTelemetry.js";

const NOW = 1_700_000_060_000;
const STABLE = "models:/churn/1";
const CANDIDATE = "models:/churn/2";

type FlowOpsSpec = NonNullable<AnalysisMetric["provider"]["flowops"]>;

function metric(flowops: FlowOpsSpec, interval?: string): AnalysisMetric {
  return {
    name: flowops.metric,
    ...(interval === undefined ? {} : { interval }),
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    provider: { flowops },
  };
}

const context = { args: {}, now: NOW, endpoint: "churn", stableVersion: STABLE, candidateVersion: CANDIDATE };

function setup() {
  const telemetry = new LiveTelemetry();
  const feedback = new FeedbackLedger();
  const provider = new FlowOpsMetricProvider({ telemetry, feedback });
  const traffic = (
    model: string,
    count: number,
    options: {
      errors?: number;
      seconds?: (i: number) => number;
      prediction?: (i: number) => number | string;
    } = {},
  ) => {
    for (let i = 0; i < count; i++) {
      telemetry.recordRequest({
        endpoint: "churn",
        model,
        status: i < (options.errors ?? 0) ? 500 : 200,
        seconds: options.seconds?.(i) ?? 0.01,
        ...(options.prediction === undefined ? {} : { predictions: [options.prediction(i)] }),
        at: NOW - 5000 + (i % 5) * 1000,
      });
    }
  };
  return { telemetry, feedback, provider, traffic };
}

describe("FlowOpsMetricProvider", () => {
  it("measures the candidate's error rate, and minus stable's with compare", async () => {
    const { provider, traffic } = setup();
    traffic(STABLE, 100, { errors: 2 });
    traffic(CANDIDATE, 50, { errors: 5 });
    expect(await provider.measure(metric({ metric: "error_rate" }), context)).toEqual({
      phase: "Successful",
      value: 0.1,
    });
    const compared = await provider.measure(metric({ metric: "error_rate", compare: "stable" }), context);
    expect(compared.phase).toBe("Successful");
    expect(compared.value).toBeCloseTo(0.08, 10);
  });

  it("measures a latency quantile in seconds", async () => {
    const { provider, traffic } = setup();
    traffic(CANDIDATE, 100, { seconds: (i) => (i + 1) / 1000 });
    const p99 = await provider.measure(metric({ metric: "latency_p99" }), context);
    expect(p99.phase).toBe("Successful");
    expect(Math.abs((p99.value as number) - 0.099) / 0.099).toBeLessThan(0.05);
  });

  it("measures the PSI of a shifted prediction distribution against stable", async () => {
    const { provider, traffic } = setup();
    traffic(STABLE, 100, { prediction: (i) => (i % 10 < 8 ? "stay" : "churn") });
    traffic(CANDIDATE, 100, { prediction: (i) => (i % 10 < 5 ? "stay" : "churn") });
    const measured = await provider.measure(metric({ metric: "prediction_psi" }), context);
    const stable = Array.from({ length: 100 }, (_, i) => (i % 10 < 8 ? "stay" : "churn"));
    const candidate = Array.from({ length: 100 }, (_, i) => (i % 10 < 5 ? "stay" : "churn"));
    expect(measured.phase).toBe("Successful");
    expect(measured.value).toBeCloseTo(populationStabilityIndex(stable, candidate).psi, 10);
    expect(measured.value as number).toBeGreaterThan(0.25);
  });

  it("compares mixed numeric and string predictions as strings", async () => {
    const { provider, traffic } = setup();
    traffic(STABLE, 30, { prediction: (i) => (i % 2 === 0 ? 1 : "1") });
    traffic(CANDIDATE, 30, { prediction: () => 1 });
    const measured = await provider.measure(metric({ metric: "prediction_psi" }), context);
    expect(measured).toEqual({ phase: "Successful", value: 0 });
  });

  it("measures agreement from the candidate's comparisons with stable", async () => {
    const { telemetry, provider } = setup();
    telemetry.recordComparison({
      endpoint: "churn",
      model: CANDIDATE,
      compared: 40,
      agreed: 38,
      at: NOW - 2000,
    });
    expect(await provider.measure(metric({ metric: "agreement", compare: "stable" }), context)).toEqual({
      phase: "Successful",
      value: 0.95,
    });
  });

  it("measures online accuracy from labelled feedback, minus stable's with compare", async () => {
    const { feedback, provider } = setup();
    for (let i = 0; i < 40; i++) {
      feedback.recordPrediction(`s${i}`, "churn", STABLE, 1, NOW - 9000);
      feedback.recordFeedback(`s${i}`, i < 30 ? 1 : 0, NOW - 3000);
      feedback.recordPrediction(`c${i}`, "churn", CANDIDATE, 1, NOW - 9000);
      feedback.recordFeedback(`c${i}`, i < 36 ? "1" : "0", NOW - 3000);
    }
    expect(await provider.measure(metric({ metric: "online_accuracy" }), context)).toEqual({
      phase: "Successful",
      value: 0.9,
    });
    const compared = await provider.measure(
      metric({ metric: "online_accuracy", compare: "stable" }),
      context,
    );
    expect(compared.value).toBeCloseTo(0.15, 10);
  });

  it("is inconclusive when too few requests reached the candidate, naming model, endpoint, window and counts", async () => {
    const { provider, traffic } = setup();
    traffic(STABLE, 100);
    traffic(CANDIDATE, 5);
    expect(await provider.measure(metric({ metric: "error_rate", window: "10s" }), context)).toEqual({
      phase: "Inconclusive",
      message: `5 requests to ${CANDIDATE} on endpoint churn in the last 10s; 20 needed`,
    });
  });

  it("is inconclusive when stable had too little traffic to compare with", async () => {
    const { provider, traffic } = setup();
    traffic(STABLE, 3);
    traffic(CANDIDATE, 100);
    const measured = await provider.measure(
      metric({ metric: "latency_p50", compare: "stable", minSamples: 10 }),
      context,
    );
    expect(measured).toEqual({
      phase: "Inconclusive",
      message: `3 requests to ${STABLE} on endpoint churn in the last 1m; 10 needed`,
    });
  });

  it("answers inconclusive with 0 requests for an endpoint it never saw", async () => {
    const { provider } = setup();
    const measured = await provider.measure(metric({ metric: "error_rate" }), {
      ...context,
      endpoint: "fraud",
    });
    expect(measured).toEqual({
      phase: "Inconclusive",
      message: `0 requests to ${CANDIDATE} on endpoint fraud in the last 1m; 20 needed`,
    });
  });

  it("takes the window from the metric's interval when the provider names none", async () => {
    const { telemetry, provider } = setup();
    for (let i = 0; i < 30; i++) {
      telemetry.recordRequest({
        endpoint: "churn",
        model: CANDIDATE,
        status: 200,
        seconds: 0.01,
        at: NOW - 30_000,
      });
    }
    const measured = await provider.measure(metric({ metric: "error_rate" }, "5s"), context);
    expect(measured.message).toBe(`0 requests to ${CANDIDATE} on endpoint churn in the last 5s; 20 needed`);
    expect((await provider.measure(metric({ metric: "error_rate" }), context)).value).toBe(0);
  });

  it("judges stable itself when the context has no candidate", async () => {
    const { provider, traffic } = setup();
    traffic(STABLE, 20, { errors: 4 });
    const stableOnly = { args: {}, now: NOW, endpoint: "churn", stableVersion: STABLE };
    expect(await provider.measure(metric({ metric: "error_rate", compare: "stable" }), stableOnly)).toEqual({
      phase: "Successful",
      value: 0.2,
    });
    const psi = await provider.measure(metric({ metric: "prediction_psi" }), stableOnly);
    expect(psi.phase).toBe("Inconclusive");
  });

  it("reports an error when the run names no endpoint or the metric is not a flowops one", async () => {
    const { provider } = setup();
    const noEndpoint = await provider.measure(metric({ metric: "error_rate" }), { args: {}, now: NOW });
    expect(noEndpoint.phase).toBe("Error");
    const prometheus: AnalysisMetric = {
      ...metric({ metric: "error_rate" }),
      provider: { prometheus: { address: "http://p", query: "up" } },
    };
    expect((await provider.measure(prometheus, context)).phase).toBe("Error");
  });
});

describe("describeWindow", () => {
  it("writes a window the way Argo durations are written", () => {
    expect(describeWindow(250)).toBe("250ms");
    expect(describeWindow(10_000)).toBe("10s");
    expect(describeWindow(90_000)).toBe("1m30s");
    expect(describeWindow(3_600_000)).toBe("1h");
  });
});
