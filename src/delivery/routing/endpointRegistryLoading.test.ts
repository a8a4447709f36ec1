import { describe, expect, it, vi } from "vitest";
import { FlowOpsError } from "../../errors.js";
import {
  canary,
  CANDIDATE,
  closeRegistriesAfterEach,
  fakeModel,
  fixture,
  meta,
  rows,
  servingBoth,
  STABLE,
  type FakeModel,
} from "./endpointRegistryFixtures.js";

closeRegistriesAfterEach();

describe("EndpointRegistry", () => {
  it("shares one load between concurrent calls for the same model", async () => {
    const f = fixture({ [STABLE]: fakeModel("1") });
    await Promise.all([f.registry.load("churn", STABLE), f.registry.load("churn", STABLE)]);
    await f.registry.load("churn", STABLE);
    expect(f.loads).toEqual([`churn ${STABLE}`]);
    expect(f.registry.isLoaded("churn", STABLE)).toBe(true);
    expect(f.registry.describe("churn")).toEqual({ loaded: [STABLE] });
  });

  it("names the endpoint and model key when a load fails, and loads again on the next call", async () => {
    let attempts = 0;
    const f = fixture(
      {},
      {
        loader: async () => {
          attempts += 1;
          if (attempts === 1) throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "no version 9 of churn");
          return fakeModel("9");
        },
      },
    );
    await expect(f.registry.load("churn", "models:/churn/9")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "endpoint 'churn': cannot load model 'models:/churn/9': no version 9 of churn",
    });
    expect(f.registry.isLoaded("churn", "models:/churn/9")).toBe(false);
    await f.registry.load("churn", "models:/churn/9");
    expect(f.registry.isLoaded("churn", "models:/churn/9")).toBe(true);
  });

  it("refuses an endpoint name that is not a DNS label", async () => {
    const f = fixture({ [STABLE]: fakeModel("1") });
    await expect(f.registry.load("Churn_Model", STABLE)).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });

  it("refuses a plan that sends traffic, a mirror or a preview to a model that is not loaded", async () => {
    const f = fixture({ [STABLE]: fakeModel("1") });
    await f.registry.load("churn", STABLE);
    expect(() => f.registry.setTraffic("churn", canary(10))).toThrow(
      "endpoint 'churn': the traffic plan sends requests to 'models:/churn/2', which is not loaded; loaded: models:/churn/1",
    );
    expect(() =>
      f.registry.setTraffic("churn", canary(0, { mirror: { model: CANDIDATE, percent: 50 } })),
    ).toThrow(/not loaded/);
    expect(() => f.registry.setTraffic("churn", canary(0, { preview: CANDIDATE }))).toThrow(/not loaded/);
    f.registry.setTraffic("churn", {
      routes: [
        { model: STABLE, weight: 100 },
        { model: CANDIDATE, weight: 0 },
      ],
      stable: STABLE,
      candidate: CANDIDATE,
      compareFraction: 0,
    });
    expect(f.registry.describe("churn").plan?.routes).toHaveLength(2);
  });

  it("unloads after the delay, closing the model only after the request in flight finished", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const f = await servingBoth({ candidate: { gate } });
    const candidate = f.models.get(CANDIDATE) as FakeModel;
    f.registry.setTraffic("churn", {
      routes: [{ model: CANDIDATE, weight: 100 }],
      stable: STABLE,
      compareFraction: 0,
    });
    const inFlight = f.registry.infer("churn", rows([1, 1]), meta("slow"));
    f.registry.setTraffic("churn", canary(0));
    f.registry.unload("churn", CANDIDATE, 30);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(f.registry.isLoaded("churn", CANDIDATE)).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.registry.isLoaded("churn", CANDIDATE)).toBe(false);
    expect(candidate.log).toEqual([]);
    release();
    expect((await inFlight).modelKey).toBe(CANDIDATE);
    await vi.waitFor(() => expect(candidate.log).toEqual(["infer done", "closed"]));
  });

  it("cancels a waiting unload when the model is loaded again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const f = await servingBoth();
    f.registry.setTraffic("churn", canary(0));
    f.registry.unload("churn", CANDIDATE, 10);
    await f.registry.load("churn", CANDIDATE);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.registry.isLoaded("churn", CANDIDATE)).toBe(true);
    expect(f.models.get(CANDIDATE)?.log).toEqual([]);
    expect(f.loads).toHaveLength(2);
  });

  it("keeps a model loaded when the unload's delay ends while the current plan still routes to it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const f = await servingBoth();
    f.registry.setTraffic("churn", canary(10));
    f.registry.unload("churn", CANDIDATE, 5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.registry.isLoaded("churn", CANDIDATE)).toBe(true);
  });

  it("removes an endpoint: its models are closed and its requests are refused", async () => {
    const f = await servingBoth();
    f.registry.setTraffic("churn", canary(0));
    await f.registry.remove("churn");
    expect(f.models.get(STABLE)?.log).toEqual(["closed"]);
    expect(f.models.get(CANDIDATE)?.log).toEqual(["closed"]);
    expect(f.registry.endpoints()).toEqual([]);
    await expect(f.registry.infer("churn", rows([1, 1]), meta("gone"))).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });
});
