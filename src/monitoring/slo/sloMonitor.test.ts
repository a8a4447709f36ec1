import { describe, expect, it } from "vitest";
import type { WebhookEvent } from "../../delivery/deployments/webhookNotifier.js";
import type { AnswerEvent, AnswerObserver } from "../../delivery/routing/endpointRegistry.js";
import { FlowOpsError } from "../../errors.js";
import type { MonitoringEvent, MonitoringEventInput } from "../events/monitoringEventStore.js";
import { DEFAULT_SLO_CONFIG } from "./defaultSlos.js";
import { parseMonitoringConfig, SloMonitor } from "./sloMonitor.js";
import { parseSloConfig } from "./sloSpec.js";

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

function setup(yaml: string) {
  const observers: AnswerObserver[] = [];
  const events: MonitoringEvent[] = [];
  const posted: { urls: readonly string[]; event: WebhookEvent }[] = [];
  const observed: { endpoint: string; slo: string }[] = [];
  const monitor = new SloMonitor({
    config: parseSloConfig(yaml, "monitoring.yaml"),
    registry: {
      addObserver(observer) {
        observers.push(observer);
        return () => observers.splice(observers.indexOf(observer), 1);
      },
    },
    events: {
      add: (event: MonitoringEventInput) => {
        const stored = { ...event, id: events.length + 1 };
        events.push(stored);
        return Promise.resolve(stored);
      },
    },
    webhooks: { notify: (urls, event) => posted.push({ urls, event }) },
    webhookUrls: ["http://hooks.example/alerts"],
    deployment: () => Promise.resolve({ phase: "Healthy", weights: [{ model: "models:/m/1", weight: 100 }] }),
    metrics: { observeSlo: (endpoint, slo) => observed.push({ endpoint, slo }) },
    now: () => T0,
  });
  monitor.start();
  const send = (fromMs: number, minutes: number, perMinute: number, answer: Partial<AnswerEvent>) => {
    for (let m = 0; m < minutes; m += 1) {
      for (let i = 0; i < perMinute; i += 1) {
        for (const observer of observers) {
          observer.answered({
            endpoint: "churn",
            status: 200,
            seconds: 0.01,
            at: fromMs + m * MINUTE + i,
            ...answer,
          } as AnswerEvent);
        }
      }
    }
  };
  return { monitor, events, posted, observed, send };
}

const AVAILABILITY = "slos:\n  defaults:\n    objectives:\n      - availability: {objective: 99.9}\n";

describe("SloMonitor", () => {
  it("fires a fast-burn page once its condition has held for two minutes, and resolves it when errors stop", async () => {
    const { monitor, events, posted, send } = setup(AVAILABILITY);
    send(T0, 60, 100, { status: 503 });
    const afterErrors = T0 + 60 * MINUTE;
    await monitor.evaluate(afterErrors);
    expect(events).toEqual([]);
    send(afterErrors, 2, 100, { status: 503 });
    await monitor.evaluate(afterErrors + 2 * MINUTE);
    const fast = events.find((e) => e.details.alert === "availability-1h-5m");
    expect(fast).toMatchObject({ kind: "slo_alert_firing", severity: "page", endpoint: "churn" });
    expect(posted[0]?.urls).toEqual(["http://hooks.example/alerts"]);
    expect(posted[0]?.event).toMatchObject({ endpoint: "churn", kind: "slo_alert_firing", phase: "Healthy" });

    await monitor.evaluate(afterErrors + 3 * MINUTE);
    expect(events.filter((e) => e.details.alert === "availability-1h-5m")).toHaveLength(1);

    const healthyFrom = afterErrors + 3 * MINUTE;
    send(healthyFrom, 10, 100, {});
    await monitor.evaluate(healthyFrom + 10 * MINUTE);
    const fastEvents = events.filter((e) => e.details.alert === "availability-1h-5m");
    expect(fastEvents.map((e) => e.kind)).toEqual(["slo_alert_firing", "slo_alert_resolved"]);
    await monitor.close();
  });

  it("raises no alert and keeps the whole budget while every request succeeds", async () => {
    const { monitor, events, observed, send } = setup(AVAILABILITY);
    send(T0, 30, 50, {});
    await monitor.evaluate(T0 + 30 * MINUTE);
    expect(events).toEqual([]);
    expect(observed).toContainEqual({ endpoint: "churn", slo: "availability" });
    const [status] = monitor.status("churn", T0 + 30 * MINUTE);
    expect(status?.evaluation).toMatchObject({ sli: 1, budgetRemaining: 1 });
    await monitor.close();
  });

  it("counts a request as good for a latency objective only within its threshold", async () => {
    const { monitor, send } = setup(
      "slos:\n  defaults:\n    objectives:\n      - latency: {threshold: 300ms, objective: 99}\n",
    );
    send(T0, 1, 3, { seconds: 0.2 });
    send(T0, 1, 1, { seconds: 0.3 });
    send(T0, 1, 1, { seconds: 0.31 });
    const [status] = monitor.status("churn", T0 + MINUTE);
    expect(status?.evaluation?.sli).toBeCloseTo(4 / 5, 12);
    await monitor.close();
  });

  it("fires a ticket when the drift share reaches its ceiling", async () => {
    const { monitor, events } = setup(
      "slos:\n  defaults:\n    objectives:\n      - drift: {maxShare: 0.5}\n",
    );
    monitor.observeDriftShare("churn", 0.25);
    await monitor.evaluate(T0);
    expect(events).toEqual([]);
    monitor.observeDriftShare("churn", 0.5);
    await monitor.evaluate(T0 + MINUTE);
    expect(events[0]).toMatchObject({
      kind: "slo_alert_firing",
      severity: "ticket",
      details: { share: 0.5 },
    });
    expect(monitor.status("churn", T0 + MINUTE)[0]).toMatchObject({ value: 0.5, active: [{ firing: true }] });
    await monitor.close();
  });

  it("fires a throughput ticket when the request rate falls under its floor", async () => {
    const { monitor, events, send } = setup(
      "slos:\n  defaults:\n    objectives:\n      - throughput: {minRps: 1, window: 1m}\n",
    );
    send(T0, 1, 120, {});
    await monitor.evaluate(T0 + MINUTE);
    expect(events).toEqual([]);
    send(T0 + MINUTE, 1, 30, {});
    await monitor.evaluate(T0 + 2 * MINUTE);
    expect(events[0]).toMatchObject({ kind: "slo_alert_firing", details: { slo: "throughput", rps: 0.5 } });
    await monitor.close();
  });
});

describe("parseMonitoringConfig", () => {
  it("reads the SLOs and the alert webhooks", () => {
    const config = parseMonitoringConfig(
      `${AVAILABILITY}alerts:\n  webhooks: [http://hooks.example/a]\n`,
      "monitoring.yaml",
    );
    expect(config.webhooks).toEqual(["http://hooks.example/a"]);
    expect(config.slos.defaults?.objectives.map((o) => o.id)).toEqual(["availability"]);
  });

  it("falls back to the default SLOs when the file names none", () => {
    expect(parseMonitoringConfig("alerts:\n  webhooks: []\n", "m.yaml").slos).toBe(DEFAULT_SLO_CONFIG);
  });

  it("names the file and line of a webhook that is not a URL", () => {
    const error = (() => {
      try {
        parseMonitoringConfig("alerts:\n  webhooks:\n    - not a url\n", "m.yaml");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as Error).message).toBe("m.yaml:3: expected a webhook URL");
  });

  it("reads the drift monitor's settings, keeping only the keys given", () => {
    const config = parseMonitoringConfig("drift:\n  windowSeconds: 30\n  sampleRate: 0.25\n", "m.yaml");
    expect(config.drift).toEqual({ windowSeconds: 30, sampleRate: 0.25 });
    expect(parseMonitoringConfig("alerts:\n  webhooks: []\n", "m.yaml").drift).toEqual({});
  });

  it("names the file, line and key of a drift setting out of range or unknown", () => {
    expect(() => parseMonitoringConfig("drift:\n  windowSeconds: 30\n  sampleRate: 2\n", "m.yaml")).toThrow(
      /^m\.yaml:3: drift\.sampleRate: /,
    );
    expect(() => parseMonitoringConfig("drift:\n  window: 30\n", "m.yaml")).toThrow(
      /^m\.yaml:2: unknown key 'window' in drift$/,
    );
  });
});
