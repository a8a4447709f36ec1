import { describe, expect, it } from "vitest";
import { FakeRegistry, ROLLOUT, useControllerWorld } from "./deliveryControllerFixtures.js";
import { DeploymentStore } from "./deploymentStore.js";

describe("DeliveryController", () => {
  const world = useControllerWorld();

  it("serves the first version as stable at 100 % and records a Created event", async () => {
    await world.createChurn();
    const status = await world.controller.status("churn");
    expect(status).toMatchObject({ phase: "Healthy", stable: "models:/churn/1", strategy: "canary" });
    expect(world.registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect((await world.controller.events("churn")).map((e) => e.kind)).toEqual(["Created"]);
  });

  it("refuses a spec naming a template that is not defined, storing nothing", async () => {
    await expect(
      world.controller.create({ name: "churn", modelUri: "models:/churn/1", specYaml: ROLLOUT }),
    ).rejects.toThrow(/AnalysisTemplate 'errors' is not defined/);
    await expect(world.controller.status("churn")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("stores nothing when the first version cannot load", async () => {
    world.registry.failing.add("models:/churn/1");
    await expect(world.createChurn()).rejects.toThrow(/no MLmodel file/);
    expect(await world.controller.list()).toEqual([]);
  });

  it("rolls a canary with a failing analysis back to 0 % and records the failing value", async () => {
    await world.createChurn();
    await world.controller.deploy("churn", "models:/churn/2");
    expect(world.registry.plan?.routes).toEqual([
      { model: "models:/churn/1", weight: 80 },
      { model: "models:/churn/2", weight: 20 },
    ]);
    world.provider.measurement = { phase: "Successful", value: 0.2 };
    await world.tickAt(world.clock + 1000);

    const status = await world.controller.status("churn");
    expect(status.phase).toBe("Degraded");
    expect(status.abortedReason).toContain("error-rate = 0.2 (condition result > 0.05)");
    expect(world.registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect(status.analyses[0]?.metrics[0]).toMatchObject({
      name: "error-rate",
      phase: "Failed",
      last: { value: 0.2, phase: "Failed" },
    });
    const aborted = (await world.controller.events("churn")).find((e) => e.kind === "Aborted");
    expect(aborted?.values).toMatchObject({
      phase: "Failed",
      failures: [{ metric: "error-rate", value: "0.2", condition: "result > 0.05" }],
    });
  });

  it("promotes a healthy canary to 100 % and makes the candidate stable", async () => {
    await world.createChurn();
    await world.controller.deploy("churn", "models:/churn/2");
    await world.tickAt(world.clock + 1000);
    expect((await world.controller.status("churn")).phase).toBe("Paused");
    await world.tickAt(world.clock + 10_000);
    const status = await world.controller.status("churn");
    expect(status).toMatchObject({ phase: "Healthy", stable: "models:/churn/2" });
    expect(status.candidate).toBeUndefined();
    expect(world.registry.plan?.routes).toEqual([{ model: "models:/churn/2", weight: 100 }]);
    expect(status.analyses[0]?.phase).toBe("Successful");
    expect(world.provider.calls).toBeGreaterThan(0);
  });

  it("saves a wider split before applying it and applies a rollback before saving it", async () => {
    const saved: { phase: string; routedToCandidate: boolean }[] = [];
    const store = new DeploymentStore(world.meta);
    const save = store.save.bind(store);
    store.save = (name, state, events, runs, at) => {
      const routed = world.registry.plan?.routes.some((r) => r.model === "models:/churn/2" && r.weight > 0);
      saved.push({ phase: state.phase, routedToCandidate: routed === true });
      return save(name, state, events, runs, at);
    };
    world.controller = world.controllerOver(world.registry, store);
    await world.createChurn();
    await world.controller.deploy("churn", "models:/churn/2");
    // The save that set weight 20 happened while the candidate still had no traffic.
    expect(saved.find((s) => s.phase === "Paused")?.routedToCandidate).toBe(false);
    expect(world.registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 20 });

    world.provider.measurement = { phase: "Successful", value: 0.5 };
    await world.tickAt(world.clock + 1000);
    // The abort was routed back to stable before it was saved.
    expect(saved.find((s) => s.phase === "Degraded")?.routedToCandidate).toBe(false);
  });

  it("answers promote with nothing in progress with INVALID_STATE", async () => {
    await world.createChurn();
    await expect(world.controller.promote("churn")).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("keeps the split and continues the rollout after a restart", async () => {
    await world.createChurn();
    await world.controller.deploy("churn", "models:/churn/2");
    await world.tickAt(world.clock + 1000);
    await world.controller.close();

    world.registry = new FakeRegistry();
    world.controller = world.controllerOver(world.registry);
    await world.controller.resume();
    expect(world.registry.plan?.routes).toEqual([
      { model: "models:/churn/1", weight: 80 },
      { model: "models:/churn/2", weight: 20 },
    ]);
    const callsBefore = world.provider.calls;
    await world.tickAt(world.clock + 1000);
    expect(world.provider.calls).toBe(callsBefore + 1);
    await world.tickAt(world.clock + 10_000);
    expect(await world.controller.status("churn")).toMatchObject({
      phase: "Healthy",
      stable: "models:/churn/2",
    });
    expect(world.registry.plan?.routes).toEqual([{ model: "models:/churn/2", weight: 100 }]);
  });

  it("never routes traffic to a candidate that fails to load", async () => {
    await world.createChurn();
    world.registry.failing.add("models:/churn/2");
    const status = await world.controller.deploy("churn", "models:/churn/2");
    expect(status.phase).toBe("Degraded");
    expect(status.abortedReason).toContain("failed to load");
    const candidateRoutes = world.registry.plans
      .flatMap((p) => p.routes)
      .filter((r) => r.model === "models:/churn/2");
    expect(candidateRoutes).toEqual([]);
  });

  it("pauses as Inconclusive when traffic is too low to judge", async () => {
    await world.createChurn();
    await world.controller.deploy("churn", "models:/churn/2");
    world.provider.measurement = {
      phase: "Inconclusive",
      message: "3 requests to models:/churn/2 in the last 10s; 20 needed",
    };
    for (let i = 1; i <= 3; i++) await world.tickAt(world.clock + 1000);

    const status = await world.controller.status("churn");
    expect(status).toMatchObject({ phase: "Paused", pauseReason: "InconclusiveAnalysis" });
    expect(world.registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 20 });
    const event = (await world.controller.events("churn")).find((e) => e.kind === "AnalysisInconclusive");
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
      world.controller.create({
        name: "churn",
        modelUri: "models:/churn/1",
        specYaml: spec,
        specFile: "ab.yaml",
      }),
    ).rejects.toThrow(/ab.yaml: strategy.abTest.test.metric: 'latency'/);
  });

  it("stores feedback whether or not a prediction matches it", async () => {
    await world.createChurn();
    expect(await world.controller.feedback("req-1", 1)).toEqual({ matched: false });
  });
});
