import { describe, expect, it } from "vitest";
import { FakeRegistry, TEMPLATE, useControllerWorld } from "./deliveryControllerFixtures.js";
import { DeploymentStore } from "./deploymentStore.js";

describe("DeliveryController", () => {
  const world = useControllerWorld();

  it("rolls the next version out under a canary spec given with deploy, and keeps it after a restart", async () => {
    await world.createChurn();
    const fourSteps = `strategy:
  canary:
    steps:
      - setWeight: 40
      - pause: {}
      - setWeight: 70
      - setWeight: 100
`;
    const status = await world.controller.deploy("churn", "models:/churn/2", {
      specYaml: fourSteps,
      specFile: "four-steps.yaml",
    });
    expect(status).toMatchObject({
      strategy: "canary",
      steps: 4,
      phase: "Paused",
      candidate: "models:/churn/2",
    });
    expect(world.registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 40 });
    const kinds = (await world.controller.events("churn")).map((e) => e.kind);
    expect(kinds.indexOf("SpecUpdated")).toBeLessThan(kinds.indexOf("CandidateLoaded"));
    const updated = (await world.controller.events("churn")).find((e) => e.kind === "SpecUpdated");
    expect(updated?.details).toContain("canary, 3 steps -> canary, 4 steps from four-steps.yaml");

    await world.controller.close();
    world.registry = new FakeRegistry();
    world.controller = world.controllerOver(world.registry);
    await world.controller.resume();
    expect(await world.controller.status("churn")).toMatchObject({ steps: 4, phase: "Paused" });
    expect(world.registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 40 });
  });

  it("switches an endpoint to blue-green when deploy names that strategy", async () => {
    await world.createChurn();
    const status = await world.controller.deploy("churn", "models:/churn/2", { strategy: "blue-green" });
    expect(status).toMatchObject({ strategy: "blueGreen", preview: "models:/churn/2" });
    expect(status.steps).toBeUndefined();
    expect(world.registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect(status.analyses.map((a) => a.kind)).toEqual(["prePromotion"]);
  });

  it("replaces a rollout in progress under its old spec and rolls the new version out under the new one", async () => {
    await world.createChurn();
    await world.controller.deploy("churn", "models:/churn/2");
    expect(world.registry.plan?.routes).toContainEqual({ model: "models:/churn/2", weight: 20 });

    const status = await world.controller.deploy("churn", "models:/churn/3", { strategy: "blue-green" });
    expect(status).toMatchObject({ strategy: "blueGreen", candidate: "models:/churn/3" });
    expect(world.registry.plan?.routes).toEqual([{ model: "models:/churn/1", weight: 100 }]);
    expect(world.registry.loaded.has("churn models:/churn/2")).toBe(false);
    const events = await world.controller.events("churn");
    expect(events.find((e) => e.kind === "CandidateDropped")?.details).toBe("replaced by models:/churn/3");
    expect(events.find((e) => e.kind === "SpecUpdated")?.details).toContain(
      "models:/churn/3 rolls out under it",
    );
  });

  it("refuses a new spec naming a missing template before anything changes", async () => {
    await world.createChurn();
    const spec = `strategy:
  canary:
    steps: [{setWeight: 100}]
    analysis: {templates: [{templateName: latency-slo}]}
`;
    await expect(
      world.controller.deploy("churn", "models:/churn/2", { specYaml: spec, specFile: "new-rollout.yaml" }),
    ).rejects.toThrow(/new-rollout.yaml: .*AnalysisTemplate 'latency-slo' is not defined/);
    const status = await world.controller.status("churn");
    expect(status).toMatchObject({ phase: "Healthy", strategy: "canary", steps: 3 });
    expect(status.candidate).toBeUndefined();
    expect((await world.controller.events("churn")).map((e) => e.kind)).toEqual(["Created"]);
    expect(world.registry.loaded.has("churn models:/churn/2")).toBe(false);
  });

  it("aborts the new version rather than roll it out under the old spec when the new one cannot be stored", async () => {
    const store = new DeploymentStore(world.meta);
    store.updateSpec = () => Promise.reject(new Error("disk full"));
    world.controller = world.controllerOver(world.registry, store);
    await world.createChurn();
    await expect(
      world.controller.deploy("churn", "models:/churn/2", { strategy: "blue-green" }),
    ).rejects.toThrow("disk full");
    const status = await world.controller.status("churn");
    expect(status).toMatchObject({ phase: "Degraded", strategy: "canary", steps: 3 });
    expect(status.abortedReason).toContain("rollout spec could not be stored (disk full)");
    expect(world.registry.loaded.has("churn models:/churn/2")).toBe(false);
  });

  it("checks the kept spec against templates that replace the endpoint's own", async () => {
    await world.createChurn();
    const other = TEMPLATE.replace("{name: errors}", "{name: latency}");
    await expect(
      world.controller.deploy("churn", "models:/churn/2", {
        templates: [{ yaml: other, file: "latency.yaml" }],
      }),
    ).rejects.toThrow(/<deployment churn rollout spec>: .*AnalysisTemplate 'errors' is not defined/);
    expect((await world.controller.status("churn")).candidate).toBeUndefined();
  });
});
