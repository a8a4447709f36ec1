/**
 * Set-up shared by the delivery controller's tests: a fake registry and a scripted metric provider, a churn
 * endpoint's canary spec and analysis template, and a controller over a fresh SQLite store per test whose
 * clock the test sets. Test-only; nothing in the product imports it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { openMetadataDb, type MetadataDb } from "../../db/connect.js";
import { FlowOpsError } from "../../errors.js";
import type { MetricProvider, ProviderMeasurement } from "../analysis/metricProvider.js";
import type { TrafficPlan } from "../routing/trafficRouter.js";
import { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { DeliveryController, type DeliveryRegistry } from "./deliveryController.js";
import { DeploymentStore } from "./deploymentStore.js";

export const ROLLOUT = `strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 10s}
      - setWeight: 100
    analysis:
      templates:
        - templateName: errors
`;

export const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
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
export class FakeRegistry implements DeliveryRegistry {
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
export class ScriptedProvider implements MetricProvider {
  readonly type = "flowops";
  measurement: ProviderMeasurement = { phase: "Successful", value: 0.01 };
  calls = 0;

  measure(): Promise<ProviderMeasurement> {
    this.calls += 1;
    return Promise.resolve(this.measurement);
  }
}

/**
 * What one test works on. The hooks of `useControllerWorld` fill it in before each test; a test may swap
 * `registry` or `controller` (to simulate a restart or a failing store), and the hooks close whichever
 * controller it holds last.
 */
export class ControllerWorld {
  dir!: string;
  meta!: MetadataDb;
  clock!: number;
  provider!: ScriptedProvider;
  registry!: FakeRegistry;
  controller!: DeliveryController<FakeRegistry>;

  /** A controller over `store` (by default a new one on the test's database) and the given registry. */
  controllerOver(
    reg: FakeRegistry,
    store = new DeploymentStore(this.meta),
  ): DeliveryController<FakeRegistry> {
    return new DeliveryController({
      store,
      registry: reg,
      providers: [this.provider],
      telemetry: new LiveTelemetry(),
      feedback: new FeedbackLedger(),
      resolveModelKey: (uri) => Promise.resolve(uri),
      now: () => this.clock,
      log: () => undefined,
    });
  }

  /** Creates the churn endpoint serving models:/churn/1 under ROLLOUT and TEMPLATE. */
  async createChurn(): Promise<void> {
    await this.controller.create({
      name: "churn",
      modelUri: "models:/churn/1",
      specYaml: ROLLOUT,
      specFile: "rollout.yaml",
      templates: [{ yaml: TEMPLATE, file: "errors.yaml" }],
    });
  }

  /** Moves the clock to `at` and runs one controller tick. */
  async tickAt(at: number): Promise<void> {
    this.clock = at;
    await this.controller.tickOnce();
  }
}

/** Registers the hooks that give each test of the calling suite a fresh controller world. */
export function useControllerWorld(): ControllerWorld {
  const world = new ControllerWorld();

  beforeEach(async () => {
    world.dir = await mkdtemp(join(tmpdir(), "flowops-delivery-"));
    world.meta = await openMetadataDb(join(world.dir, "flowops.db"));
    world.clock = 1_000_000;
    world.provider = new ScriptedProvider();
    world.registry = new FakeRegistry();
    world.controller = world.controllerOver(world.registry);
  });

  afterEach(async () => {
    await world.controller.close();
    await world.meta.close();
    await rm(world.dir, { recursive: true, force: true });
  });

  return world;
}
