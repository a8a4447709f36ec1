import { afterEach, describe, expect, it } from "vitest";
import { EndpointRegistry } from "../../delivery/routing/endpointRegistry.js";
import type { TrafficPlan } from "../../delivery/routing/trafficRouter.js";
import { FeedbackLedger } from "../../delivery/telemetry/feedbackLedger.js";
import { LiveTelemetry } from "../../delivery/telemetry/liveTelemetry.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { Tensor } from "../../serving/tensor.js";
import { buildProfile, type ReferenceProfile } from "../drift/referenceProfile.js";
import type { NewDriftReport, StoredDriftReport } from "./driftReportStore.js";
import { DriftMonitor, type DriftMonitorOptions } from "./driftMonitor.js";
import { mulberry32 } from "../../seededRandom.js";

const STABLE = "models:/churn/1";
const CANDIDATE = "models:/churn/2";

/** A model of two features answering x0 + x1 per row. */
function sumModel(version: string): LoadedModel {
  return {
    name: "churn",
    version,
    platform: "onnx_onnxv1",
    inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
    ready: () => true,
    infer: async (inputs) => {
      const x = inputs[0] as Tensor;
      const data = x.data as Float64Array;
      const rows = x.shape[0] as number;
      const y = new Float64Array(rows);
      for (let r = 0; r < rows; r++) y[r] = (data[2 * r] as number) + (data[2 * r + 1] as number);
      return [{ name: "y", datatype: "FP64", shape: [rows], data: y }];
    },
    close: async () => undefined,
  };
}

/** Seeded standard normal draws (mulberry32 and Box-Muller), so every run sees the same data. */
function normals(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function referenceProfile(): ReferenceProfile {
  const draw = normals(1);
  const rows = 2000;
  const x0 = new Float64Array(rows).map(() => draw());
  const x1 = new Float64Array(rows).map(() => draw());
  return buildProfile([
    { name: "x_0", values: x0 },
    { name: "x_1", values: x1 },
  ]);
}

function request(rows: number, draw: () => number, shift: number): PredictRequest {
  const data = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    data[2 * r] = draw() + shift;
    data[2 * r + 1] = draw();
  }
  return { input: { kind: "tensors", tensors: [{ name: "x", datatype: "FP64", shape: [rows, 2], data }] } };
}

interface World {
  registry: EndpointRegistry;
  monitor: DriftMonitor;
  stored: StoredDriftReport[];
  clock: { now: number };
  /** Sends `requests` requests of 10 rows, then moves the clock past the window and closes it. */
  window(requests: number, shift: number): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function world(
  options: Partial<DriftMonitorOptions> = {},
  plan: TrafficPlan = { routes: [{ model: STABLE, weight: 100 }], stable: STABLE, compareFraction: 0 },
): Promise<World> {
  const clock = { now: 1_700_000_000_000 };
  const registry = new EndpointRegistry({
    loader: async (key) => sumModel(key.split("/").pop() as string),
    telemetry: new LiveTelemetry(),
    feedback: new FeedbackLedger(),
    now: () => clock.now,
  });
  await registry.load("churn", STABLE);
  if (plan.candidate !== undefined) await registry.load("churn", plan.candidate);
  registry.setTraffic("churn", plan);
  const profile = referenceProfile();
  const stored: StoredDriftReport[] = [];
  const monitor = new DriftMonitor({
    registry,
    profiles: { get: async (name, version) => (name === "churn" && version === "1" ? profile : undefined) },
    reports: {
      add: async (row: NewDriftReport) => {
        const saved = { ...row, id: stored.length + 1 };
        stored.push(saved);
        return saved;
      },
    },
    now: () => clock.now,
    ...options,
  });
  monitor.start();
  cleanups.push(async () => {
    await monitor.close();
    await registry.close();
  });
  const draw = normals(2);
  let sent = 0;
  return {
    registry,
    monitor,
    stored,
    clock,
    async window(requests, shift) {
      for (let i = 0; i < requests; i++) {
        await registry.infer("churn", request(10, draw, shift), { requestId: `r${sent++}`, headers: {} });
      }
      clock.now += 15_000;
      await monitor.tickOnce();
    },
  };
}

describe("DriftMonitor", () => {
  it("reports no drift on live traffic drawn like the reference", async () => {
    const w = await world();
    for (let i = 0; i < 4; i++) await w.window(50, 0);
    expect(w.stored).toHaveLength(4);
    expect(w.stored.map((row) => row.report.datasetDrift)).toEqual([false, false, false, false]);
    expect(w.stored.every((row) => row.rows === 500 && row.model === STABLE)).toBe(true);
    expect(w.monitor.status("churn").consecutiveDriftWindows).toBe(0);
  });

  it("reports dataset drift in the first window after the live inputs shift, and counts drifted windows", async () => {
    const seen: string[] = [];
    const w = await world({
      onReport: (endpoint, report) => seen.push(`${endpoint} ${report.datasetDrift}`),
    });
    await w.window(50, 0);
    await w.window(50, 0);
    await w.window(50, 2);
    await w.window(50, 2);
    expect(w.stored.map((row) => row.report.datasetDrift)).toEqual([false, false, true, true]);
    expect(seen).toEqual(["churn false", "churn false", "churn true", "churn true"]);
    const status = w.monitor.status("churn");
    expect(status.consecutiveDriftWindows).toBe(2);
    expect(status.latest).toMatchObject({ datasetDrift: true, driftedColumns: ["x_0"], share: 0.5 });
    await w.window(50, 0);
    expect(w.monitor.status("churn").consecutiveDriftWindows).toBe(0);
  });

  it("keeps a window with fewer rows than minRows open until it has enough", async () => {
    const w = await world();
    await w.window(10, 0);
    expect(w.stored).toHaveLength(0);
    expect(w.monitor.status("churn").window).toMatchObject({ modelKey: STABLE, rows: 100 });
    await w.window(10, 0);
    expect(w.stored.map((row) => row.rows)).toEqual([200]);
  });

  it("closes a window early once it holds closeAtRows rows", async () => {
    const w = await world({ closeAtRows: 300 });
    for (let i = 0; i < 30; i++) {
      await w.registry.infer("churn", request(10, normals(i), 0), { requestId: `q${i}`, headers: {} });
    }
    await w.monitor.close();
    expect(w.stored.map((row) => row.rows)).toEqual([300]);
  });

  it("samples only the stable model's answers during a canary", async () => {
    const w = await world(
      {},
      {
        routes: [
          { model: STABLE, weight: 50 },
          { model: CANDIDATE, weight: 50 },
        ],
        stable: STABLE,
        candidate: CANDIDATE,
        compareFraction: 0,
      },
    );
    await w.window(60, 0);
    expect(w.stored.map((row) => [row.model, row.rows])).toEqual([[STABLE, 300]]);
  });

  it("says so, and stores nothing, when the stable model has no reference profile", async () => {
    const logged: string[] = [];
    const w = await world({ profiles: { get: async () => undefined }, log: (m) => logged.push(m) });
    await w.window(30, 0);
    expect(w.stored).toHaveLength(0);
    expect(w.monitor.status("churn").problem).toBe(
      `model '${STABLE}' has no reference profile to compare with`,
    );
    expect(logged).toHaveLength(1);
  });
});
