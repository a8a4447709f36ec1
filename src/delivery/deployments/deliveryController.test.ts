import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openMetadataDb, type MetadataDb } from "../../db/connect.js";
import { FlowOpsError } from "../../errors.js";
import type { MetricProvider, ProviderMeasurement } from "../analysis/metricProvider.js";
import type { TrafficPlan } from "../routing/trafficRouter.js";
import { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { DeliveryController, type DeliveryRegistry } from "./deliveryController.js";
import { DeploymentStore } from "./deploymentStore.js";

const ROLLOUT = `strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 10s}
      - setWeight: 100
    analysis:
      templates:
        - templateName: errors
`;

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: errors}
spec:
  metrics:
    - name: error-rate
      interval: 1s
      failureCondition: result > 0.05
      inconclusiveLimit: 2
      provider:
        flowops: {metric: error_rate, compare: stable}
`;

/** Records loads and splits like the real registry, refusing traffic to a model that is not loaded. */
class FakeRegistry implements DeliveryRegistry {
  readonly loaded = new Set<string>();
  readonly failing = new Set<string>();
  readonly plans: TrafficPlan[] = [];

  load(endpoint: string, modelKey: string): Promise<void> {
    if (this.failing.has(modelKey)) {
      return Promise.reject(new FlowOpsError("INVALID_PARAMETER_VALUE", `${modelKey}: no MLmodel file`));
    }
    this.loaded.add(`${endpoint} ${modelKey}`);
    return Promise.resolve();
  }

  unload(endpoint: string, modelKey: string): void {
    this.loaded.delete(`${endpoint} ${modelKey}`);
  }

  setTraffic(endpoint: string, plan: TrafficPlan): void {
    for (const route of plan.routes) {
      if (route.weight > 0 && !this.loaded.has(`${endpoint} ${route.model}`)) {
        throw new FlowOpsError("INVALID_STATE", `${route.model} is not loaded`);
      }
    }
    this.plans.push(plan);
  }

  get plan(): TrafficPlan | undefined {
    return this.plans[this.plans.length - 1];
  }

  remove(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A flowops provider whose measurement the test sets. */
class ScriptedProvider implements MetricProvider {
  readonly type = "flowops";
  measurement: ProviderMeasurement = { phase: "Successful", value: 0.01 };
  calls = 0;

  measure(): Promise<ProviderMeasurement> {
    this.calls += 1;
    return Promise.resolve(this.measurement);
  }
}

describe("DeliveryController", () => {
  let dir: string;
  let meta: MetadataDb;
  let clock: number;
  let provider: ScriptedProvider;
  let registry: FakeRegistry;
  let controller: DeliveryController<FakeRegistry>;

  function controllerOver(reg: FakeRegistry): DeliveryController<FakeRegistry> {
    return new DeliveryController({
      store: new DeploymentStore(meta),
      registry: reg,
      providers: [provider],
      telemetry: new LiveTelemetry(),
      feedback: new FeedbackLedger(),
      resolveModelKey: (uri) => Promise.resolve(uri),
      now: () => clock,
      log: () => undefined,
    });
  }

  async function createChurn(): Promise<void> {
    await controller.create({
      name: "churn",
      modelUri: "models:/churn/1",
      specYaml: ROLLOUT,
      specFile: "rollout.yaml",
      templates: [{ yaml: TEMPLATE, file: "errors.yaml" }],
    });
  }

  async function tickAt(at: number): Promise<void> {
    clock = at;
    await controller.tickOnce();
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-delivery-"));
    meta = await openMetadataDb(join(dir, "flowops.db"));
    clock = 1_000_000;
    provider = new ScriptedProvider();
    registry = new FakeRegistry();
    controller = controllerOver(registry);
  });

  afterEach(async () => {
    await controller.close();
    await meta.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the first version as stable at 100 % and records a Created event", async () => {
    await createChurn();
    const status = await controller.status("churn");
    expect(status).toMatchObject({ phase: "Healthy", stable: "models:/churn/1", strategy: "canary" });
    expect(registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect((await controller.events("churn")).map((e) => e.kind)).toEqual(["Created"]);
  });

  it("refuses a spec naming a template that is not defined, storing nothing", async () => {
    await expect(
      controller.create({ name: "churn", modelUri: "models:/churn/1", specYaml: ROLLOUT }),
    ).rejects.toThrow(/AnalysisTemplate 'errors' is not defined/);
    await expect(controller.status("churn")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("stores nothing when the first version cannot load", async () => {
    registry.failing.add("models:/churn/1");
    await expect(createChurn()).rejects.toThrow(/no MLmodel file/);
    expect(await controller.list()).toEqual([]);
  });

  it("rolls a canary with a failing analysis back to 0 % and records the failing value", async () => {
    await createChurn();
    await controller.deploy("churn", "models:/churn/2");
    expect(registry.plan?.routes).toEqual([
      { model: "models:/churn/1", weight: 80 },
      { model: "models:/churn/2", weight: 20 },
    ]);
    provider.measurement = { phase: "Successful", value: 0.2 };
    await tickAt(clock + 1000);

    const status = await controller.status("churn");
    expect(status.phase).toBe("Degraded");
    expect(status.abortedReason).toContain("error-rate = 0.2 (condition result > 0.05)");
    expect(registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect(status.analyses[0]?.metrics[0]).toMatchObject({
      name: "error-rate",
      phase: "Failed",
      last: { value: 0.2, phase: "Failed" },
    });
    const aborted = (await controller.events("churn")).find((e) => e.kind === "Aborted");
    expect(aborted?.values).toMatchObject({
      phase: "Failed",
      failures: [{ metric: "error-rate", value: "0.2", condition: "result > 0.05" }],
    });
  });

  it("promotes a healthy canary to 100 % and makes the candidate stable", async () => {
    await createChurn();
    await controller.deploy("churn", "models:/churn/2");
    await tickAt(clock + 1000);
    expect((await controller.status("churn")).phase).toBe("Paused");
    await tickAt(clock + 10_000);
    const status = await controller.status("churn");
    expect(status).toMatchObject({ phase: "Healthy", stable: "models:/churn/2" });
    expect(status.candidate).toBeUndefined();
    expect(registry.plan?.routes).toEqual([{ model: "models:/churn/2", weight: 100 }]);
    expect(status.analyses[0]?.phase).toBe("Successful");
    expect(provider.calls).toBeGreaterThan(0);
  });

  it("saves a wider split before applying it and applies a rollback before saving it", async () => {
    const saved: { phase: string; routedToCandidate: boolean }[] = [];
    const store = new DeploymentStore(meta);
    const save = store.save.bind(store);
    store.save = (name, state, events, runs, at) => {
      const routed = registry.plan?.routes.some((r) => r.model === "models:/churn/2" && r.weight > 0);
      saved.push({ phase: state.phase, routedToCandidate: routed === true });
      return save(name, state, events, runs, at);
    };
    controller = new DeliveryController({
      store,
      registry,
      providers: [provider],
      telemetry: new LiveTelemetry(),
      feedback: new FeedbackLedger(),
      resolveModelKey: (uri) => Promise.resolve(uri),
      now: () => clock,
      log: () => undefined,
    });
    await createChurn();
    await controller.deploy("churn", "models:/churn/2");
    // The save that set weight 20 happened while the candidate still had no traffic.
    expect(saved.find((s) => s.phase === "Paused")?.routedToCandidate).toBe(false);
    expect(registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 20 });

    provider.measurement = { phase: "Successful", value: 0.5 };
    await tickAt(clock + 1000);
    // The abort was routed back to stable before it was saved.
    expect(saved.find((s) => s.phase === "Degraded")?.routedToCandidate).toBe(false);
  });

  it("answers promote with nothing in progress with INVALID_STATE", async () => {
    await createChurn();
    await expect(controller.promote("churn")).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("keeps the split and continues the rollout after a restart", async () => {
    await createChurn();
    await controller.deploy("churn", "models:/churn/2");
    await tickAt(clock + 1000);
    await controller.close();

    registry = new FakeRegistry();
    controller = controllerOver(registry);
    await controller.resume();
    expect(registry.plan?.routes).toEqual([
      { model: "models:/churn/1", weight: 80 },
      { model: "models:/churn/2", weight: 20 },
    ]);
    const callsBefore = provider.calls;
    await tickAt(clock + 1000);
    expect(provider.calls).toBe(callsBefore + 1);
    await tickAt(clock + 10_000);
    expect(await controller.status("churn")).toMatchObject({ phase: "Healthy", stable: "models:/churn/2" });
    expect(registry.plan?.routes).toEqual([{ model: "models:/churn/2", weight: 100 }]);
  });

  it("never routes traffic to a candidate that fails to load", async () => {
    await createChurn();
    registry.failing.add("models:/churn/2");
    const status = await controller.deploy("churn", "models:/churn/2");
    expect(status.phase).toBe("Degraded");
    expect(status.abortedReason).toContain("failed to load");
    const candidateRoutes = registry.plans
      .flatMap((p) => p.routes)
      .filter((r) => r.model === "models:/churn/2");
    expect(candidateRoutes).toEqual([]);
  });

  it("pauses as Inconclusive when traffic is too low to judge", async () => {
    await createChurn();
    await controller.deploy("churn", "models:/churn/2");
    provider.measurement = {
      phase: "Inconclusive",
      message: "3 requests to models:/churn/2 in the last 10s; 20 needed",
    };
    for (let i = 1; i <= 3; i++) await tickAt(clock + 1000);

    const status = await controller.status("churn");
    expect(status).toMatchObject({ phase: "Paused", pauseReason: "InconclusiveAnalysis" });
    expect(registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 20 });
    const event = (await controller.events("churn")).find((e) => e.kind === "AnalysisInconclusive");
    expect(event?.details).toContain("20 needed");
  });

  it("refuses an A/B test on a metric it cannot compute", async () => {
    const spec = `strategy:
  abTest:
    variants: [{name: stable, weight: 50}, {name: candidate, weight: 50}]
    stickiness: {seed: churn}
    test: {metric: latency, maxSamples: 1000}
`;
    await expect(
      controller.create({ name: "churn", modelUri: "models:/churn/1", specYaml: spec, specFile: "ab.yaml" }),
    ).rejects.toThrow(/ab.yaml: strategy.abTest.test.metric: 'latency'/);
  });

  it("rolls the next version out under a canary spec given with deploy, and keeps it after a restart", async () => {
    await createChurn();
    const fourSteps = `strategy:
  canary:
    steps:
      - setWeight: 40
      - pause: {}
      - setWeight: 70
      - setWeight: 100
`;
    const status = await controller.deploy("churn", "models:/churn/2", {
      specYaml: fourSteps,
      specFile: "four-steps.yaml",
    });
    expect(status).toMatchObject({
      strategy: "canary",
      steps: 4,
      phase: "Paused",
      candidate: "models:/churn/2",
    });
    expect(registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 40 });
    const kinds = (await controller.events("churn")).map((e) => e.kind);
    expect(kinds.indexOf("SpecUpdated")).toBeLessThan(kinds.indexOf("CandidateLoaded"));
    const updated = (await controller.events("churn")).find((e) => e.kind === "SpecUpdated");
    expect(updated?.details).toContain("canary, 3 steps -> canary, 4 steps from four-steps.yaml");

    await controller.close();
    registry = new FakeRegistry();
    controller = controllerOver(registry);
    await controller.resume();
    expect(await controller.status("churn")).toMatchObject({ steps: 4, phase: "Paused" });
    expect(registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 40 });
  });

  it("switches an endpoint to blue-green when deploy names that strategy", async () => {
    await createChurn();
    const status = await controller.deploy("churn", "models:/churn/2", { strategy: "blue-green" });
    expect(status).toMatchObject({ strategy: "blueGreen", preview: "models:/churn/2" });
    expect(status.steps).toBeUndefined();
    expect(registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect(status.analyses.map((a) => a.kind)).toEqual(["prePromotion"]);
  });

  it("replaces a rollout in progress under its old spec and rolls the new version out under the new one", async () => {
    await createChurn();
    await controller.deploy("churn", "models:/churn/2");
    expect(registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 20 });

    const status = await controller.deploy("churn", "models:/churn/3", { strategy: "blue-green" });
    expect(status).toMatchObject({ strategy: "blueGreen", candidate: "models:/churn/3" });
    expect(registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect(registry.loaded.has("churn models:/churn/2")).toBe(false);
    const events = await controller.events("churn");
    expect(events.find((e) => e.kind === "CandidateDropped")?.details).toBe("replaced by models:/churn/3");
    expect(events.find((e) => e.kind === "SpecUpdated")?.details).toContain(
      "models:/churn/3 rolls out under it",
    );
  });

  it("refuses a new spec naming a missing template before anything changes", async () => {
    await createChurn();
    const spec = `strategy:
  canary:
    steps: [{setWeight: 100}]
    analysis: {templates: [{templateName: latency-slo}]}
`;
    await expect(
      controller.deploy("churn", "models:/churn/2", { specYaml: spec, specFile: "new-rollout.yaml" }),
    ).rejects.toThrow(/new-rollout.yaml: .*AnalysisTemplate 'latency-slo' is not defined/);
    const status = await controller.status("churn");
    expect(status).toMatchObject({ phase: "Healthy", strategy: "canary", steps: 3 });
    expect(status.candidate).toBeUndefined();
    expect((await controller.events("churn")).map((e) => e.kind)).toEqual(["Created"]);
    expect(registry.loaded.has("churn models:/churn/2")).toBe(false);
  });

  it("aborts the new version rather than roll it out under the old spec when the new one cannot be stored", async () => {
    const store = new DeploymentStore(meta);
    store.updateSpec = () => Promise.reject(new Error("disk full"));
    controller = new DeliveryController({
      store,
      registry,
      providers: [provider],
      telemetry: new LiveTelemetry(),
      feedback: new FeedbackLedger(),
      resolveModelKey: (uri) => Promise.resolve(uri),
      now: () => clock,
      log: () => undefined,
    });
    await createChurn();
    await expect(controller.deploy("churn", "models:/churn/2", { strategy: "blue-green" })).rejects.toThrow(
      "disk full",
    );
    const status = await controller.status("churn");
    expect(status).toMatchObject({ phase: "Degraded", strategy: "canary", steps: 3 });
    expect(status.abortedReason).toContain("rollout spec could not be stored (disk full)");
    expect(registry.loaded.has("churn models:/churn/2")).toBe(false);
  });

  it("checks the kept spec against templates that replace the endpoint's own", async () => {
    await createChurn();
    const other = TEMPLATE.replace("{name: errors}", "{name: latency}");
    await expect(
      controller.deploy("churn", "models:/churn/2", { templates: [{ yaml: other, file: "latency.yaml" }] }),
    ).rejects.toThrow(/<deployment churn rollout spec>: .*AnalysisTemplate 'errors' is not defined/);
    expect((await controller.status("churn")).candidate).toBeUndefined();
  });

  it("stores feedback whether or not a prediction matches it", async () => {
    await createChurn();
    expect(await controller.feedback("req-1", 1)).toEqual({ matched: false });
  });
});
