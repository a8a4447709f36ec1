import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import type { AnswerEvent, AnswerObserver } from "../../delivery/routing/endpointRegistry.js";
import type { DriftReport } from "../../monitoring/drift/datasetDrift.js";
import { MonitoringEventStore } from "../../monitoring/events/monitoringEventStore.js";
import { ServerMetrics } from "../../monitoring/metrics/serverMetrics.js";
import { DriftMonitor } from "../../monitoring/online/driftMonitor.js";
import { DriftReportStore } from "../../monitoring/online/driftReportStore.js";
import { ProfileStore } from "../../monitoring/online/profileStore.js";
import { SloMonitor } from "../../monitoring/slo/sloMonitor.js";
import { parseSloConfig } from "../../monitoring/slo/sloSpec.js";
import { buildServer } from "../app.js";
import type { ServerContext } from "../context.js";

const NOW = Date.UTC(2026, 0, 1, 12);

const report = (share: number, drifted: string[]): DriftReport =>
  ({
    columns: ["x", "y"].map((column) => ({
      column,
      columnType: "numerical",
      method: "wasserstein",
      score: drifted.includes(column) ? 0.4 : 0.01,
      threshold: 0.1,
      drifted: drifted.includes(column),
      referenceSize: 1000,
      currentSize: 500,
    })),
    driftedColumns: drifted.length,
    share,
    datasetDrift: share >= 0.5,
    driftShare: 0.5,
  }) as unknown as DriftReport;

describe("monitoring status routes", () => {
  let app: FastifyInstance;
  let ctx: ServerContext;
  let close: () => Promise<void>;
  let observers: AnswerObserver[];

  beforeEach(async () => {
    const opened = await sqliteBackend.open();
    observers = [];
    const registry = {
      addObserver(observer: AnswerObserver) {
        observers.push(observer);
        return () => undefined;
      },
    };
    const slo = new SloMonitor({
      config: parseSloConfig(
        "slos:\n  defaults:\n    objectives:\n      - availability: {objective: 99}\n",
        "m.yaml",
      ),
      registry,
      events: new MonitoringEventStore(opened.meta),
      now: () => NOW,
    });
    slo.start();
    const drift = new DriftMonitor({
      registry,
      profiles: new ProfileStore(opened.meta),
      reports: new DriftReportStore(opened.meta),
    });
    ctx = {
      config: {
        host: "127.0.0.1",
        port: 0,
        backendStoreUri: opened.uri,
        defaultArtifactRoot: "mlflow-artifacts:/",
        artifactsDestination: "/nonexistent",
        serveArtifacts: false,
        bodyLimit: 1024 * 1024,
      },
      meta: opened.meta,
      now: () => NOW,
      monitoring: { drift, slo, metrics: new ServerMetrics({ gpu: { read: () => Promise.resolve([]) } }) },
    };
    app = await buildServer(ctx, { logger: false });
    close = async () => {
      await app.close();
      await slo.close();
      await opened.close();
    };
  });
  afterEach(async () => close());

  const answer = (status: number) => {
    for (const observer of observers) {
      observer.answered({ endpoint: "churn", status, seconds: 0.01, at: NOW - 1000 } as AnswerEvent);
    }
  };

  it("shows an endpoint's SLI, budget and latest drift with the drifted columns", async () => {
    for (let i = 0; i < 199; i += 1) answer(200);
    answer(500);
    await new DriftReportStore(ctx.meta).add({
      endpoint: "churn",
      model: "models:/churn/1",
      windowStart: NOW - 15_000,
      windowEnd: NOW,
      rows: 500,
      report: report(0.5, ["x"]),
    });
    const response = await app.inject({ method: "GET", url: "/api/v1/monitoring/status?endpoint=churn" });
    expect(response.statusCode).toBe(200);
    const [status] = (response.json() as { endpoints: Record<string, unknown>[] }).endpoints;
    expect(status).toMatchObject({
      endpoint: "churn",
      slos: [{ id: "availability", sli: 0.995, budgetRemaining: 0.5, alerts: [] }],
      drift: { share: 0.5, datasetDrift: true, driftedColumns: ["x"], model: "models:/churn/1" },
    });
  });

  it("answers 404 for an endpoint nothing monitors", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/monitoring/status?endpoint=nope" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("lists monitoring events of one endpoint", async () => {
    const events = new MonitoringEventStore(ctx.meta);
    await events.add({ endpoint: "churn", kind: "slo_alert_firing", severity: "page", at: NOW, details: {} });
    await events.add({ endpoint: "other", kind: "slo_alert_firing", severity: "page", at: NOW, details: {} });
    const response = await app.inject({ method: "GET", url: "/api/v1/monitoring/events?endpoint=churn" });
    expect((response.json() as { events: { endpoint: string }[] }).events.map((e) => e.endpoint)).toEqual([
      "churn",
    ]);
  });

  it("exports HTTP requests on /metrics by route pattern, not raw URL", async () => {
    await app.inject({ method: "GET", url: "/api/v1/monitoring/events?endpoint=churn" });
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.headers["content-type"]).toContain("text/plain");
    expect(response.body).toContain(
      'flowops_http_requests_total{method="GET",route="/api/v1/monitoring/events",code="200"} 1',
    );
    expect(response.body).toContain("# TYPE flowops_inference_requests_total counter");
  });
});
