/**
 * Set-up shared by the endpoint registry's tests: fake models that sum their two inputs, a registry over them
 * whose telemetry calls are recorded, and canary plans between a stable and a candidate version.
 * Test-only; nothing in the product imports it.
 */
import { afterEach, vi } from "vitest";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { ServingMetrics } from "../../serving/servingMetrics.js";
import type { Tensor } from "../../serving/tensor.js";
import { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import type { ComparisonObservation, RequestObservation } from "../telemetry/liveTelemetry.js";
import { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { EndpointRegistry, type ModelLoader } from "./endpointRegistry.js";
import type { TrafficPlan } from "./trafficRouter.js";

export const STABLE = "models:/churn/1";
export const CANDIDATE = "models:/churn/2";
export const NOW = 1_700_000_000_000;

export interface FakeModel extends LoadedModel {
  log: string[];
  calls: number;
}

export interface Behaviour {
  /** Answer = factor * (x0 + x1) per row. */
  factor?: number;
  failWith?: unknown;
  /** Holds every call until it resolves, to keep a request in flight. */
  gate?: Promise<void>;
}

export function fakeModel(version: string, behaviour: Behaviour = {}): FakeModel {
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

export function rows(...values: number[][]): PredictRequest {
  return {
    input: {
      kind: "tensors",
      tensors: [
        { name: "x", datatype: "FP64", shape: [values.length, 2], data: new Float64Array(values.flat()) },
      ],
    },
  };
}

export interface Fixture {
  registry: EndpointRegistry;
  telemetry: LiveTelemetry;
  feedback: FeedbackLedger;
  models: Map<string, FakeModel>;
  loads: string[];
  requests: RequestObservation[];
  comparisons: ComparisonObservation[];
}

const registries: EndpointRegistry[] = [];

/** Closes the registries each test built and puts back the real timers; call once per test file. */
export function closeRegistriesAfterEach(): void {
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(registries.splice(0).map((registry) => registry.close()));
  });
}

export function fixture(
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

export function canary(weight: number, extra: Partial<TrafficPlan> = {}): TrafficPlan {
  const routes = [{ model: STABLE, weight: 100 - weight }];
  if (weight > 0) routes.push({ model: CANDIDATE, weight });
  return { routes, stable: STABLE, candidate: CANDIDATE, compareFraction: 0, ...extra };
}

export async function servingBoth(
  behaviour: { stable?: Behaviour; candidate?: Behaviour } = {},
): Promise<Fixture> {
  const f = fixture({
    [STABLE]: fakeModel("1", behaviour.stable),
    [CANDIDATE]: fakeModel("2", behaviour.candidate),
  });
  await f.registry.load("churn", STABLE);
  await f.registry.load("churn", CANDIDATE);
  return f;
}

export function meta(requestId: string, headers: Record<string, string> = {}) {
  return { requestId, headers };
}
