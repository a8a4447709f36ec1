/**
 * Every endpoint of the embedded data plane: its loaded models (endpointModels.ts), its traffic plan
 * (trafficRouter.ts), and the path of one request through them: route, predict, record telemetry and the
 * feedback ledger, then leave mirror and comparison work behind (shadowRequests.ts). The rollout controller
 * decides what to load and how to split; this only carries it out and refuses plans it cannot serve.
 */
import { FlowOpsError, notFound } from "../../errors.js";
import { predict } from "../../server/serving/prediction.js";
import type { BatchingOptions } from "../../serving/dynamicBatcher.js";
import { copyPredictRequest, type PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { ServingMetrics, ServingProtocol } from "../../serving/servingMetrics.js";
import type { Tensor } from "../../serving/tensor.js";
import type { RequestHeaders } from "../experiments/stickyAssignment.js";
import type { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import type { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { EndpointModels, type EndpointModel, type ModelLoader } from "./endpointModels.js";
import { predictionsOf, ShadowRequests, statusOf, type Predictions } from "./shadowRequests.js";
import { TrafficRouter, type TrafficPlan, type Variant } from "./trafficRouter.js";

export type { ModelLoader } from "./endpointModels.js";

export interface InferMeta {
  requestId: string;
  headers: RequestHeaders;
  preview?: boolean;
  /** The protocol label of the request metrics; "v2" when not given. */
  protocol?: ServingProtocol;
}

export interface InferResult {
  outputs: Tensor[];
  model: LoadedModel;
  modelKey: string;
  variant: Variant;
}

export interface EndpointRegistryDeps {
  loader: ModelLoader;
  telemetry: LiveTelemetry;
  feedback: FeedbackLedger;
  metrics?: ServingMetrics;
  batching?: BatchingOptions;
  now?: () => number;
  /** Where failures nobody waits for (mirror runs, closing a model) are reported. */
  log?: (message: string) => void;
}

/** Kubernetes' DNS label, the name every target of a deployment shares. */
const ENDPOINT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

interface Endpoint {
  models: EndpointModels;
  router?: TrafficRouter;
}

/** One answered request, as observers (drift sampling, SLO accounting) see it after the caller has its answer. */
export interface AnswerEvent {
  endpoint: string;
  modelKey: string;
  model: LoadedModel;
  variant: Variant;
  status: number;
  seconds: number;
  at: number;
  /** A copy of the request, only when the observer's `wantsRequest` said so (copies cost on the hot path). */
  request?: PredictRequest;
  outputs?: Tensor[];
}

export interface AnswerObserver {
  /** Whether this request's inputs are wanted (a sampler's coin toss); asked before the model runs. */
  wantsRequest?(endpoint: string, modelKey: string): boolean;
  /** Called synchronously after the answer is recorded; must not throw or block. */
  answered(event: AnswerEvent): void;
}

export class EndpointRegistry {
  private readonly observers = new Set<AnswerObserver>();
  private readonly byName = new Map<string, Endpoint>();
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly shadow: ShadowRequests;

  constructor(private readonly deps: EndpointRegistryDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? (() => undefined);
    this.shadow = new ShadowRequests({ telemetry: deps.telemetry, now: this.now, log: this.log });
  }

  /** Loads a model for an endpoint (creating the endpoint); concurrent calls for one key share one load. */
  load(endpoint: string, modelKey: string): Promise<void> {
    try {
      return this.endpointFor(endpoint).models.load(modelKey);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  isLoaded(endpoint: string, modelKey: string): boolean {
    return this.byName.get(endpoint)?.models.isLoaded(modelKey) ?? false;
  }

  /** Closes the model after `afterSeconds` once its calls in flight finish; a later `load` cancels it. */
  unload(endpoint: string, modelKey: string, afterSeconds: number): void {
    this.byName.get(endpoint)?.models.unload(modelKey, afterSeconds);
  }

  /** Replaces the endpoint's split; INVALID_STATE when the plan sends traffic to a model that is not loaded. */
  setTraffic(endpoint: string, plan: TrafficPlan): void {
    const target = this.endpointFor(endpoint);
    const router = new TrafficRouter(plan);
    const missing = [...servedBy(plan)].filter((key) => !target.models.isLoaded(key));
    if (missing.length > 0) {
      const loaded = target.models.keys();
      throw new FlowOpsError(
        "INVALID_STATE",
        `endpoint '${endpoint}': the traffic plan sends requests to ${missing.map((key) => `'${key}'`).join(", ")}, ` +
          `which ${missing.length === 1 ? "is" : "are"} not loaded; loaded: ${loaded.join(", ") || "none"}`,
      );
    }
    target.router = router;
  }

  async infer(endpoint: string, request: PredictRequest, meta: InferMeta): Promise<InferResult> {
    const target = this.byName.get(endpoint);
    if (target === undefined) {
      throw notFound(
        `endpoint '${endpoint}' does not exist; endpoints: ${this.endpoints().join(", ") || "none"}`,
      );
    }
    const router = target.router;
    if (router === undefined) {
      throw new FlowOpsError(
        "TEMPORARILY_UNAVAILABLE",
        `endpoint '${endpoint}' has no traffic plan yet; retry once its first model is loaded`,
      );
    }
    const choice = meta.preview === true ? router.choosePreview() : router.choose(meta.headers);
    if (choice === undefined) {
      throw notFound(
        `endpoint '${endpoint}' has no preview model; only a blue-green rollout waiting for promotion has one`,
      );
    }
    const served = target.models.get(choice.model);
    if (served === undefined) {
      throw new FlowOpsError(
        "TEMPORARILY_UNAVAILABLE",
        `endpoint '${endpoint}': model '${choice.model}' is not loaded; retry when the rollout has loaded it`,
      );
    }
    // The ONNX runtime takes the input arrays over (transfers them to its worker), so the copy a shadow or
    // comparison run needs is taken before the answering model sees them.
    const shadowRequest =
      choice.mirrorTo !== undefined || choice.compareWith !== undefined
        ? copyPredictRequest(request)
        : undefined;
    const observed =
      this.observers.size === 0 ? undefined : this.observedRequest(endpoint, served.key, request);
    const started = performance.now();
    let outputs: Tensor[];
    try {
      outputs = await predict(served, request);
    } catch (error) {
      const status = statusOf(error);
      const seconds = elapsedSeconds(started);
      this.recordAnswer(endpoint, served, meta, status, seconds, undefined);
      if (observed !== undefined) this.notify(observed, { endpoint, served, choice, status, seconds });
      throw error;
    }
    const seconds = elapsedSeconds(started);
    const predictions = predictionsOf(outputs);
    this.recordAnswer(endpoint, served, meta, 200, seconds, predictions);
    if (observed !== undefined)
      this.notify(observed, { endpoint, served, choice, status: 200, seconds, outputs });
    if (shadowRequest !== undefined) {
      this.shadow.start({
        endpoint,
        stable: router.plan.stable,
        request: shadowRequest,
        answeredBy: served.key,
        predictions,
        mirrorTo: choice.mirrorTo,
        compareWith: choice.compareWith,
        modelOf: (key) => target.models.get(key),
      });
    }
    return { outputs, model: served.model, modelKey: served.key, variant: choice.variant };
  }

  /** The endpoint's plan and loaded model keys; an unknown endpoint has neither. */
  describe(endpoint: string): { plan?: TrafficPlan; loaded: string[] } {
    const target = this.byName.get(endpoint);
    if (target === undefined) return { loaded: [] };
    const loaded = target.models.keys();
    return target.router === undefined ? { loaded } : { plan: target.router.plan, loaded };
  }

  endpoints(): string[] {
    return [...this.byName.keys()];
  }

  /** Stops routing to the endpoint, then drains and closes its models and forgets its telemetry. */
  async remove(endpoint: string): Promise<void> {
    const target = this.byName.get(endpoint);
    if (target === undefined) return;
    this.byName.delete(endpoint);
    await target.models.close();
    this.deps.telemetry.forget(endpoint);
  }

  /** Waits for mirror and comparison work started so far. */
  idle(): Promise<void> {
    return this.shadow.idle();
  }

  async close(): Promise<void> {
    const targets = [...this.byName.values()];
    this.byName.clear();
    await this.shadow.idle();
    await Promise.all(targets.map((target) => target.models.close()));
  }

  private endpointFor(endpoint: string): Endpoint {
    let target = this.byName.get(endpoint);
    if (target !== undefined) return target;
    if (!ENDPOINT_NAME.test(endpoint)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `endpoint name '${endpoint}': expected 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit`,
      );
    }
    const created: Endpoint = {
      models: new EndpointModels({
        endpoint,
        loader: this.deps.loader,
        batching: this.deps.batching,
        metrics: this.deps.metrics,
        isRouted: (key) => created.router !== undefined && servedBy(created.router.plan).has(key),
        log: this.log,
      }),
    };
    this.byName.set(endpoint, created);
    target = created;
    return target;
  }

  /** Adds an observer of answered requests; returns the function that removes it. */
  addObserver(observer: AnswerObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Which observers see this request, and the copy of it the ones that asked for it get. */
  private observedRequest(
    endpoint: string,
    modelKey: string,
    request: PredictRequest,
  ): { observers: AnswerObserver[]; request: PredictRequest | undefined } {
    let wanted = false;
    for (const observer of this.observers) {
      if (observer.wantsRequest?.(endpoint, modelKey) === true) wanted = true;
    }
    return { observers: [...this.observers], request: wanted ? copyPredictRequest(request) : undefined };
  }

  private notify(
    observed: { observers: AnswerObserver[]; request: PredictRequest | undefined },
    answer: {
      endpoint: string;
      served: EndpointModel;
      choice: { variant: Variant };
      status: number;
      seconds: number;
      outputs?: Tensor[];
    },
  ): void {
    const event: AnswerEvent = {
      endpoint: answer.endpoint,
      modelKey: answer.served.key,
      model: answer.served.model,
      variant: answer.choice.variant,
      status: answer.status,
      seconds: answer.seconds,
      at: this.now(),
      ...(observed.request === undefined ? {} : { request: observed.request }),
      ...(answer.outputs === undefined ? {} : { outputs: answer.outputs }),
    };
    for (const observer of observed.observers) {
      try {
        observer.answered(event);
      } catch (error) {
        this.log(`endpoint '${answer.endpoint}': an answer observer failed: ${String(error)}`);
      }
    }
  }

  private recordAnswer(
    endpoint: string,
    served: EndpointModel,
    meta: InferMeta,
    status: number,
    seconds: number,
    predictions: Predictions | undefined,
  ): void {
    const at = this.now();
    try {
      this.deps.telemetry.recordRequest({
        endpoint,
        model: served.key,
        status,
        seconds,
        ...(predictions === undefined ? {} : { predictions }),
        at,
      });
      const first = predictions?.[0];
      if (first !== undefined)
        this.deps.feedback.recordPrediction(meta.requestId, endpoint, served.key, first, at);
      this.deps.metrics?.observeRequest(served.labels, meta.protocol ?? "v2", status, seconds);
    } catch (error) {
      this.log(`endpoint '${endpoint}': recording request telemetry failed: ${String(error)}`);
    }
  }
}

/** Models a plan can send a request to: weighted routes, the mirror, the preview and a header route's target. */
function servedBy(plan: TrafficPlan): Set<string> {
  const keys = new Set<string>();
  for (const route of plan.routes) if (route.weight > 0) keys.add(route.model);
  if (plan.mirror !== undefined && plan.mirror.percent > 0) keys.add(plan.mirror.model);
  if (plan.preview !== undefined) keys.add(plan.preview);
  if (plan.abTest?.headerRoute !== undefined && plan.candidate !== undefined) keys.add(plan.candidate);
  return keys;
}

function elapsedSeconds(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
