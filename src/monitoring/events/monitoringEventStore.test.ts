import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends } from "../../../test/support/backends.js";
import { FlowOpsError } from "../../errors.js";
import { MonitoringEventStore } from "./monitoringEventStore.js";

const T0 = 1_700_000_000_000;

describe.each(metadataBackends())("MonitoringEventStore on $name", (backend) => {
  let store: MonitoringEventStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    const opened = await backend.open();
    store = new MonitoringEventStore(opened.meta);
    close = opened.close;
  });
  afterEach(async () => close());

  it("returns events oldest first with their details decoded", async () => {
    await store.add({
      endpoint: "churn",
      kind: "slo_alert_firing",
      severity: "page",
      at: T0,
      details: { slo: "availability", burnRate: 20 },
    });
    await store.add({ kind: "server_note", severity: "info", at: T0 + 1, details: {} });
    const events = await store.list();
    expect(events.map((e) => e.kind)).toEqual(["slo_alert_firing", "server_note"]);
    expect(events[0]).toMatchObject({
      endpoint: "churn",
      at: T0,
      details: { slo: "availability", burnRate: 20 },
    });
    expect(events[1]?.endpoint).toBeUndefined();
  });

  it("filters by endpoint and pages after an id", async () => {
    const first = await store.add({ endpoint: "a", kind: "k", severity: "ticket", at: T0, details: {} });
    await store.add({ endpoint: "b", kind: "k", severity: "ticket", at: T0, details: {} });
    await store.add({ endpoint: "a", kind: "k2", severity: "ticket", at: T0, details: {} });
    expect((await store.list({ endpoint: "a" })).map((e) => e.kind)).toEqual(["k", "k2"]);
    expect((await store.list({ endpoint: "a", afterId: first.id })).map((e) => e.kind)).toEqual(["k2"]);
  });

  it("rejects a limit outside 1 to 1000", async () => {
    await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(FlowOpsError);
  });
});
