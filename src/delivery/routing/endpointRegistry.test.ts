import { afterEach, describe, expect, it, vi } from "vitest";
import { FlowOpsError } from "../../errors.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import { ServingMetrics } from "../../serving/servingMetrics.js";
import type { Tensor } from "../../serving/tensor.js";
import { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import type { ComparisonObservation, RequestObservation } from "../telemetry/liveTelemetry.js";
import { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { EndpointRegistry, type AnswerEvent, type ModelLoader } from "./endpointRegistry.js";
import type { TrafficPlan } from "./trafficRouter.js";

const STABLE = "models:/churn/1";
const CANDIDATE = "models:/churn/2";
const NOW = 1_700_000_000_000;

interface FakeModel extends LoadedModel {
  log: string[];
  calls: number;
}

interface Behaviour {
  /** Answer = factor * (x0 + x1) per row. */
  factor?: number;
  failWith?: unknown;
  /** Holds every call until it resolves, to keep a request in flight. */
  gate?: Promise<void>;
}

function fakeModel(version: string, behaviour: Behaviour = {}): FakeModel {
  const log: string[] = [];
  const model: FakeModel = {
    name: "churn",
    version,
    platform: "onnx_onnxv1",
    inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
    log,
    calls: 0,
    ready: () => true,
    infer: async (inputs) => {
      model.calls += 1;
      if (behaviour.gate !== undefined) await behaviour.gate;
      if (behaviour.failWith !== undefined) throw behaviour.failWith;
      const x = inputs[0] as Tensor;
      const data = x.data as Float64Array;
      const rows = x.shape[0] as number;
      const y = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        y[r] = (behaviour.factor ?? 1) * ((data[2 * r] as number) + (data[2 * r + 1] as number));
      }
      log.push("infer done");
      return [{ name: "y", datatype: "FP64", shape: [rows], data: y }];
    },
    close: async () => {
      log.push("closed");
    },
  };
  return model;
}

function rows(...values: number[][]): PredictRequest {
  return {
    input: {
      kind: "tensors",
      tensors: [
        { name: "x", datatype: "FP64", shape: [values.length, 2], data: new Float64Array(values.flat()) },
      ],
    },
  };
}

interface Fixture {
  registry: EndpointRegistry;
  telemetry: LiveTelemetry;
  feedback: FeedbackLedger;
  models: Map<string, FakeModel>;
  loads: string[];
  requests: RequestObservation[];
  comparisons: ComparisonObservation[];
}

const registries: EndpointRegistry[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(registries.splice(0).map((registry) => registry.close()));
});

function fixture(
  models: Record<string, FakeModel>,
  extra: { loader?: ModelLoader; metrics?: ServingMetrics } = {},
): Fixture {
  const telemetry = new LiveTelemetry();
  const feedback = new FeedbackLedger();
  const requests: RequestObservation[] = [];
  const comparisons: ComparisonObservation[] = [];
  const recordRequest = telemetry.recordRequest.bind(telemetry);
  const recordComparison = telemetry.recordComparison.bind(telemetry);
  vi.spyOn(telemetry, "recordRequest").mockImplementation((o) => {
    requests.push(o);
    recordRequest(o);
  });
  vi.spyOn(telemetry, "recordComparison").mockImplementation((o) => {
    comparisons.push(o);
    recordComparison(o);
  });
  const byKey = new Map(Object.entries(models));
  const loads: string[] = [];
  const loader: ModelLoader =
    extra.loader ??
    (async (key, endpoint) => {
      loads.push(`${endpoint} ${key}`);
      const model = byKey.get(key);
      if (model === undefined) throw new Error(`no such model ${key}`);
      return model;
    });
  const registry = new EndpointRegistry({
    loader,
    telemetry,
    feedback,
    now: () => NOW,
    ...(extra.metrics === undefined ? {} : { metrics: extra.metrics }),
  });
  registries.push(registry);
  return { registry, telemetry, feedback, models: byKey, loads, requests, comparisons };
}

function canary(weight: number, extra: Partial<TrafficPlan> = {}): TrafficPlan {
  const routes = [{ model: STABLE, weight: 100 - weight }];
  if (weight > 0) routes.push({ model: CANDIDATE, weight });
  return { routes, stable: STABLE, candidate: CANDIDATE, compareFraction: 0, ...extra };
}

async function servingBoth(behaviour: { stable?: Behaviour; candidate?: Behaviour } = {}): Promise<Fixture> {
  const f = fixture({
    [STABLE]: fakeModel("1", behaviour.stable),
    [CANDIDATE]: fakeModel("2", behaviour.candidate),
  });
  await f.registry.load("churn", STABLE);
  await f.registry.load("churn", CANDIDATE);
  return f;
}

function meta(requestId: string, headers: Record<string, string> = {}) {
  return { requestId, headers };
}

describe("EndpointRegistry", () => {
  it("splits 100 requests 90/10 between stable and candidate and answers from the chosen model", async () => {
    const { registry } = await servingBoth({ candidate: { factor: 10 } });
    registry.setTraffic("churn", canary(10));
    const results = [];
    for (let i = 0; i < 100; i++) results.push(await registry.infer("churn", rows([1, 2]), meta(`r${i}`)));
    const candidate = results.filter((result) => result.modelKey === CANDIDATE);
    expect(candidate).toHaveLength(10);
    expect(candidate.every((result) => result.variant === "candidate" && result.model.version === "2")).toBe(
      true,
    );
    expect(Array.from(candidate[0]?.outputs[0]?.data as Float64Array)).toEqual([30]);
    expect(results.filter((result) => result.variant === "stable")).toHaveLength(90);
  });

  it("keeps a user on one model through an A/B test and sends header-routed requests to the candidate", async () => {
    const { registry } = await servingBoth();
    registry.setTraffic(
      "churn",
      canary(50, {
        abTest: {
          stickiness: { header: "x-user-id", seed: "churn", separator: ":" },
          headerRoute: { header: "x-variant", match: { exact: "candidate" } },
        },
      }),
    );
    for (const user of ["u1", "u2", "u3", "u4", "u5"]) {
      const first = (await registry.infer("churn", rows([1, 1]), meta(user, { "x-user-id": user }))).modelKey;
      for (let i = 0; i < 5; i++) {
        const again = await registry.infer(
          "churn",
          rows([1, 1]),
          meta(`${user}-${i}`, { "x-user-id": user }),
        );
        expect(again.modelKey).toBe(first);
      }
    }
    for (let i = 0; i < 10; i++) {
      const routed = await registry.infer("churn", rows([1, 1]), meta(`h${i}`, { "x-variant": "candidate" }));
      expect(routed.modelKey).toBe(CANDIDATE);
    }
  });

  it("answers preview requests from the preview model and refuses them when there is none", async () => {
    const { registry } = await servingBoth();
    registry.setTraffic("churn", canary(0));
    await expect(
      registry.infer("churn", rows([1, 1]), { ...meta("p1"), preview: true }),
    ).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: /endpoint 'churn' has no preview model/,
    });
    registry.setTraffic("churn", canary(0, { preview: CANDIDATE }));
    const previewed = await registry.infer("churn", rows([1, 1]), { ...meta("p2"), preview: true });
    expect(previewed.modelKey).toBe(CANDIDATE);
    expect((await registry.infer("churn", rows([1, 1]), meta("p3"))).modelKey).toBe(STABLE);
  });

  it("names the known endpoints when a request addresses an unknown one", async () => {
    const { registry } = await servingBoth();
    registry.setTraffic("churn", canary(0));
    await expect(registry.infer("fraud", rows([1, 1]), meta("x"))).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "endpoint 'fraud' does not exist; endpoints: churn",
    });
  });

  it("answers from stable while a failing mirror only counts its errors on the mirrored model", async () => {
    const failure = new FlowOpsError("TEMPORARILY_UNAVAILABLE", "worker crashed");
    const f = await servingBoth({ candidate: { failWith: failure } });
    f.registry.setTraffic("churn", canary(0, { mirror: { model: CANDIDATE, percent: 100 } }));
    for (let i = 0; i < 4; i++) {
      const result = await f.registry.infer("churn", rows([1, 2]), meta(`m${i}`));
      expect(result.modelKey).toBe(STABLE);
      expect(Array.from(result.outputs[0]?.data as Float64Array)).toEqual([3]);
    }
    await f.registry.idle();
    const mirrored = f.requests.filter((o) => o.model === CANDIDATE);
    expect(mirrored.map((o) => o.status)).toEqual([503, 503, 503, 503]);
    expect(f.comparisons).toEqual([]);
    expect(f.telemetry.window("churn", CANDIDATE, NOW - 1000, NOW + 1000)).toMatchObject({
      requests: 4,
      errors: 4,
    });
  });

  it("records the mirror's agreement with stable without feeding mirrored answers to the ledger", async () => {
    const f = await servingBoth({ candidate: { factor: 2 } });
    f.registry.setTraffic("churn", canary(0, { mirror: { model: CANDIDATE, percent: 100 } }));
    const prediction = vi.spyOn(f.feedback, "recordPrediction");
    // Rows summing to 0 agree (2 * 0 = 0); the others differ.
    await f.registry.infer("churn", rows([0, 0], [1, 2], [-1, 1]), meta("m1"));
    await f.registry.idle();
    expect(f.comparisons).toEqual([{ endpoint: "churn", model: CANDIDATE, compared: 3, agreed: 2, at: NOW }]);
    expect(prediction.mock.calls).toEqual([["m1", "churn", STABLE, 0, NOW]]);
  });

  it("compares the candidate's answers with stable's for the compare fraction of its requests", async () => {
    const f = await servingBoth();
    f.registry.setTraffic("churn", canary(50, { compareFraction: 1 }));
    for (let i = 0; i < 10; i++) await f.registry.infer("churn", rows([i, 1]), meta(`c${i}`));
    await f.registry.idle();
    expect(f.comparisons).toHaveLength(5);
    expect(f.comparisons.every((o) => o.model === CANDIDATE && o.compared === 1 && o.agreed === 1)).toBe(
      true,
    );
    expect(f.requests.filter((o) => o.model === STABLE)).toHaveLength(5);
  });

  it("records telemetry, the ledger and request metrics with the answer's status", async () => {
    const metrics = new ServingMetrics();
    const observe = vi.spyOn(metrics, "observeRequest");
    const models = {
      [STABLE]: fakeModel("1"),
      [CANDIDATE]: fakeModel("2", { failWith: new FlowOpsError("INVALID_PARAMETER_VALUE", "bad row") }),
      "models:/churn/3": fakeModel("3", { failWith: new Error("segfault") }),
    };
    const f = fixture(models, { metrics });
    for (const key of Object.keys(models)) await f.registry.load("churn", key);
    const prediction = vi.spyOn(f.feedback, "recordPrediction");
    f.registry.setTraffic("churn", canary(0));
    await f.registry.infer("churn", rows([2, 3], [1, 1]), { ...meta("ok"), protocol: "mlflow" });
    f.registry.setTraffic("churn", {
      routes: [{ model: CANDIDATE, weight: 100 }],
      stable: STABLE,
      compareFraction: 0,
    });
    await expect(f.registry.infer("churn", rows([1, 1]), meta("bad"))).rejects.toThrow("bad row");
    f.registry.setTraffic("churn", {
      routes: [{ model: "models:/churn/3", weight: 100 }],
      stable: STABLE,
      compareFraction: 0,
    });
    await expect(f.registry.infer("churn", rows([1, 1]), meta("crash"))).rejects.toThrow("segfault");
    expect(f.requests.map((o) => [o.model, o.status, o.predictions, o.at])).toEqual([
      [STABLE, 200, [5, 2], NOW],
      [CANDIDATE, 400, undefined, NOW],
      ["models:/churn/3", 500, undefined, NOW],
    ]);
    expect(f.requests.every((o) => o.seconds >= 0)).toBe(true);
    expect(prediction.mock.calls).toEqual([["ok", "churn", STABLE, 5, NOW]]);
    expect(observe.mock.calls.map(([labels, protocol, status]) => [labels, protocol, status])).toEqual([
      [{ model: "churn", version: "1" }, "mlflow", 200],
      [{ model: "churn", version: "2" }, "v2", 400],
      [{ model: "churn", version: "3" }, "v2", 500],
    ]);
  });

  it("tells observers about every answer and hands a request copy only to those that ask for it", async () => {
    const { registry } = await servingBoth({
      candidate: { failWith: new FlowOpsError("INTERNAL_ERROR", "candidate broke") },
    });
    registry.setTraffic("churn", canary(50));
    const seen: AnswerEvent[] = [];
    let asked = 0;
    const remove = registry.addObserver({
      wantsRequest: () => asked++ % 2 === 0,
      answered: (event) => seen.push(event),
    });
    for (let i = 0; i < 4; i++)
      await registry.infer("churn", rows([1, 2]), meta(`r${i}`)).catch(() => undefined);
    remove();
    await registry.infer("churn", rows([1, 2]), meta("after"));
    expect(seen).toHaveLength(4);
    expect(seen.map((e) => e.status).sort()).toEqual([200, 200, 500, 500]);
    expect(seen.filter((e) => e.request !== undefined)).toHaveLength(2);
    expect(seen.filter((e) => e.status === 200).every((e) => e.outputs !== undefined)).toBe(true);
    expect(seen.every((e) => e.endpoint === "churn" && e.at === NOW)).toBe(true);
  });

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
