/**
 * Safe delivery's entry point: creates deployments, takes users' commands (deploy, promote, abort, retry,
 * undo), runs the tick loop that advances rollouts, analyses and A/B tests, and resumes everything after a
 * restart. Every input to a deployment's rollout goes through its lock, one at a time; what an input does
 * is rolloutMachine.ts's decision and rolloutDriver.ts carries it out. No rollout logic lives here.
 */
import { FlowOpsError } from "../../errors.js";
import type { MetricProvider } from "../analysis/metricProvider.js";
import { createRollout, type RolloutInput } from "../rollout/rolloutState.js";
import type { EndpointRegistry } from "../routing/endpointRegistry.js";
import type { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import type { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { AnalysisExecutor, type MeasuredRun } from "./analysisExecutor.js";
import {
  changesRollout,
  specChange,
  validatedSpec,
  type CreateDeploymentInput,
  type DeploymentUpdate,
  type ValidatedSpec,
} from "./deploymentSpec.js";
import { deploymentStatus, type DeploymentStatus } from "./deploymentStatus.js";
import {
  validateEndpointName,
  type DeploymentEvent,
  type DeploymentRecord,
  type DeploymentStore,
} from "./deploymentStore.js";
import { storedTemplateSet } from "./deploymentTemplates.js";
import { ExperimentExecutor } from "./experimentExecutor.js";
import { KeyedMutex } from "./keyedMutex.js";
import { describe, RolloutDriver, type DeliveryRegistry } from "./rolloutDriver.js";
import { trafficPlanFor } from "./rolloutTrafficPlan.js";
import type { WebhookNotifier } from "./webhookNotifier.js";

export type { DeploymentStatus } from "./deploymentStatus.js";
export type { DeliveryRegistry } from "./rolloutDriver.js";
export type { CreateDeploymentInput, DeploymentUpdate, StrategyName } from "./deploymentSpec.js";

export interface DeliveryDeps<R extends DeliveryRegistry = EndpointRegistry> {
  store: DeploymentStore;
  registry: R;
  providers: MetricProvider[];
  telemetry: Pick<LiveTelemetry, "window" | "forget">;
  feedback: Pick<FeedbackLedger, "window" | "recordFeedback">;
  resolveModelKey: (uri: string) => Promise<string>;
  webhooks?: Pick<WebhookNotifier, "notify">;
  now?: () => number;
  /** How often rollouts and analyses advance, in ms (250). */
  tickMs?: number;
  log?: (message: string) => void;
}

/**
 * `R` is the registry's type, so the data plane can reach the whole EndpointRegistry (`infer`) through
 * `registry` while tests drive the controller with a small fake.
 */
export class DeliveryController<R extends DeliveryRegistry = EndpointRegistry> {
  private readonly mutex = new KeyedMutex();
  private readonly analyses: AnalysisExecutor;
  private readonly experiments: ExperimentExecutor;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly driver: RolloutDriver;
  private readonly ticking = new Map<string, Promise<void>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /** The endpoints' registry, for the data plane's inference routes. */
  readonly registry: R;

  constructor(private readonly deps: DeliveryDeps<R>) {
    this.registry = deps.registry;
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((message) => process.stderr.write(`${message}\n`));
    this.analyses = new AnalysisExecutor({ providers: deps.providers });
    this.driver = new RolloutDriver({
      store: deps.store,
      registry: deps.registry,
      analyses: this.analyses,
      mutex: this.mutex,
      ...(deps.webhooks === undefined ? {} : { webhooks: deps.webhooks }),
      now: this.now,
      log: this.log,
    });
    this.experiments = new ExperimentExecutor({ telemetry: deps.telemetry, feedback: deps.feedback });
  }

  /** A new deployment serving its first version as stable, at 100 %. Nothing is stored if it cannot load. */
  async create(input: CreateDeploymentInput): Promise<DeploymentStatus> {
    const name = validateEndpointName(input.name, "name");
    const { spec, specYaml, templates, set, webhooks } = validatedSpec(name, input);
    const stable = await this.deps.resolveModelKey(input.modelUri);
    return this.mutex.run(name, async () => {
      if (await this.exists(name)) {
        throw new FlowOpsError("RESOURCE_ALREADY_EXISTS", `Deployment '${name}' already exists.`);
      }
      const now = this.now();
      const state = createRollout(spec, stable);
      try {
        await this.deps.registry.load(name, stable);
        this.deps.registry.setTraffic(name, trafficPlanFor(state));
        await this.deps.store.create({ name, specYaml, templates, state, webhooks, createdAt: now });
      } catch (error) {
        await this.deps.registry.remove(name).catch(() => undefined);
        throw error;
      }
      const event = {
        at: now,
        kind: "Created",
        details: `${stable} serves 100 % (${spec.strategy.kind} rollouts)`,
      };
      await this.deps.store.save(name, state, [event], [], now);
      const record = await this.deps.store.get(name);
      this.driver.adopt(record, set);
      this.driver.notify(record, [event]);
      return deploymentStatus(record, []);
    });
  }

  /**
   * Starts rolling out a new version; returns once it has loaded (or failed to) and the strategy began.
   * With an `update` (a new spec, templates or webhooks), the new version rolls out under the new spec: it is
   * checked as `create` checks it before anything changes, then the deploy is applied under the spec the
   * deployment had (a candidate still in progress is replaced, and taken down by the rules it was brought up
   * under), and the new spec is stored before the new candidate loads, so its strategy starts under it.
   */
  async deploy(name: string, modelUri: string, update?: DeploymentUpdate): Promise<DeploymentStatus> {
    await this.driver.recordOf(name);
    const candidate = await this.deps.resolveModelKey(modelUri);
    if (update === undefined || !changesRollout(update))
      return this.command(name, { type: "deploy", candidate });
    const loads = await this.mutex.run(name, async () => {
      const before = await this.driver.recordOf(name);
      const next = validatedSpec(name, update, before);
      const loads = await this.driver.apply(name, [{ type: "deploy", candidate }]);
      await this.storeSpec(await this.driver.recordOf(name), before, next);
      return loads;
    });
    await this.driver.loadCandidates(name, loads);
    return this.status(name);
  }

  /** Ends the current wait or step; `full` skips every step left. INVALID_STATE with nothing in progress. */
  promote(name: string, full = false): Promise<DeploymentStatus> {
    return this.command(name, full ? { type: "promote", full: true } : { type: "promote" });
  }

  abort(name: string, reason = "no reason given"): Promise<DeploymentStatus> {
    return this.command(name, { type: "abort", reason });
  }

  retry(name: string): Promise<DeploymentStatus> {
    return this.command(name, { type: "retry" });
  }

  undo(name: string): Promise<DeploymentStatus> {
    return this.command(name, { type: "undo" });
  }

  async status(name: string): Promise<DeploymentStatus> {
    const record = await this.deps.store.get(name);
    return deploymentStatus(record, await this.deps.store.analysisRuns(name));
  }

  async list(): Promise<DeploymentStatus[]> {
    const records = await this.deps.store.list();
    return Promise.all(
      records.map(async (r) => deploymentStatus(r, await this.deps.store.analysisRuns(r.name))),
    );
  }

  events(name: string, afterId?: number): Promise<DeploymentEvent[]> {
    return this.deps.store.events(name, afterId === undefined ? {} : { afterId });
  }

  /** Deletes the deployment, its endpoint and everything recorded about it. */
  async remove(name: string): Promise<void> {
    await this.mutex.run(name, async () => {
      await this.deps.store.get(name);
      await this.deps.store.delete(name);
      this.forget(name);
      this.deps.telemetry.forget(name);
      await this.deps.registry.remove(name);
    });
  }

  /** A label for an earlier prediction; it counts towards online_accuracy of the model that answered. */
  async feedback(
    requestId: string,
    label: string | number | boolean,
  ): Promise<{ matched: boolean; endpoint?: string; correct?: boolean }> {
    const at = this.now();
    const match = this.deps.feedback.recordFeedback(requestId, label, at);
    await this.deps.store.recordFeedback({
      requestId,
      label: String(label),
      at,
      ...(match === undefined
        ? {}
        : {
            endpoint: match.endpoint,
            model: match.model,
            prediction: String(match.prediction),
            correct: match.correct,
          }),
    });
    return match === undefined
      ? { matched: false }
      : { matched: true, endpoint: match.endpoint, correct: match.correct };
  }

  /**
   * After a restart: loads each deployment's stable (and a loaded candidate), restores the split its state
   * implies, takes back its running analyses, and loads again a candidate whose load was cut short.
   */
  async resume(): Promise<void> {
    for (const record of await this.deps.store.list()) {
      const { name, state } = record;
      try {
        this.driver.adopt(record, storedTemplateSet(name, record.templates));
        this.analyses.restore(await this.deps.store.analysisRuns(name, { activeOnly: true }));
        await this.deps.registry.load(name, state.stable);
        const candidate = state.candidate;
        if (candidate !== undefined && state.candidateLoaded) {
          try {
            await this.deps.registry.load(name, candidate);
          } catch (error) {
            // The split cannot be restored without it: back to stable, as an abort would.
            const reason = `candidate ${candidate} could not be loaded again after a restart: ${describe(error)}`;
            await this.mutex.run(name, () => this.driver.apply(name, [{ type: "abort", reason }]));
          }
        }
        this.driver.route(name, trafficPlanFor((await this.driver.recordOf(name)).state));
        const interrupted = candidate !== undefined && !state.candidateLoaded && state.phase !== "Degraded";
        if (interrupted) await this.driver.loadCandidates(name, [candidate]);
      } catch (error) {
        this.log(`Deployment ${name}: could not resume: ${describe(error)}`);
      }
    }
  }

  /** Starts the tick loop. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tickOnce(), this.deps.tickMs ?? 250);
    this.timer.unref();
  }

  /** Stops the tick loop, waits for ticks in progress and closes the registry. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.ticking.values()]);
    await this.deps.registry.close();
  }

  /**
   * One pass of the loop over every active deployment: the rollout's `tick`, the A/B test's look, and the
   * analysis measurements that are due. A deployment whose previous pass is still measuring is skipped.
   * Errors are logged, never thrown.
   */
  async tickOnce(): Promise<void> {
    await Promise.all(
      [...this.driver.records.keys()].map((name) => {
        if (this.ticking.has(name)) return this.ticking.get(name);
        const pass = this.tickDeployment(name)
          .catch((error: unknown) => this.log(`Deployment ${name}: tick failed: ${describe(error)}`))
          .finally(() => this.ticking.delete(name));
        this.ticking.set(name, pass);
        return pass;
      }),
    );
  }

  private async tickDeployment(name: string): Promise<void> {
    const state = await this.mutex.run(name, async () => {
      const record = this.driver.records.get(name);
      if (record === undefined) return undefined;
      const active = record.state.phase !== "Healthy" && record.state.phase !== "Degraded";
      if (!active && !this.analyses.hasActive(name)) return undefined;
      await this.driver.apply(name, [{ type: "tick" }]);
      const current = this.driver.records.get(name)?.state;
      const concluded = current === undefined ? undefined : this.experiments.look(name, current, this.now());
      if (concluded !== undefined) await this.driver.apply(name, [concluded]);
      return this.driver.records.get(name)?.state;
    });
    if (state === undefined || !this.analyses.hasActive(name)) return;
    const measured = await this.analyses.measureDue(name, state, this.now());
    if (measured.length === 0) return;
    const loads = await this.mutex.run(name, () => this.recordMeasurements(name, measured));
    await this.driver.loadCandidates(name, loads);
  }

  private async recordMeasurements(name: string, measured: readonly MeasuredRun[]): Promise<string[]> {
    const update = this.analyses.record(name, measured, this.now());
    if (update.inputs.length > 0) return this.driver.apply(name, update.inputs, update.touched);
    if (update.touched.length > 0) {
      const record = await this.driver.recordOf(name);
      await this.driver.save(record, record.state, [], update.touched);
    }
    return [];
  }

  /** A user's command: applied under the deployment's lock, then any model it asks for is loaded. */
  private async command(name: string, input: RolloutInput): Promise<DeploymentStatus> {
    const loads = await this.mutex.run(name, async () => {
      await this.driver.recordOf(name);
      return this.driver.apply(name, [input]);
    });
    await this.driver.loadCandidates(name, loads);
    return this.status(name);
  }

  /**
   * Stores a validated spec on a deployment whose candidate has not loaded yet (nothing routed depends on the
   * spec until it does). If the store refuses, the candidate is aborted rather than left to roll out under
   * the spec it was not deployed with.
   */
  private async storeSpec(
    current: DeploymentRecord,
    before: DeploymentRecord,
    next: ValidatedSpec,
  ): Promise<void> {
    const now = this.now();
    const state = { ...current.state, spec: next.spec };
    const event = {
      at: now,
      kind: "SpecUpdated",
      details: specChange(before, next, current.state.candidate),
    };
    const { specYaml, templates, webhooks } = next;
    try {
      await this.deps.store.updateSpec(current.name, { specYaml, templates, webhooks, state }, [event], now);
    } catch (error) {
      if (current.state.candidate !== undefined) {
        const reason = `its rollout spec could not be stored (${describe(error)}); the spec is unchanged`;
        await this.driver
          .apply(current.name, [{ type: "abort", reason }])
          .catch((abortError: unknown) => this.log(`Deployment ${current.name}: ${describe(abortError)}`));
      }
      throw error;
    }
    const record = { ...current, specYaml, templates, webhooks, state, updatedAt: now };
    this.driver.adopt(record, next.set);
    this.driver.notify(record, [event]);
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.deps.store.get(name);
      return true;
    } catch (error) {
      if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") return false;
      throw error;
    }
  }

  private forget(name: string): void {
    this.driver.forget(name);
    this.analyses.forget(name);
    this.experiments.forget(name);
  }
}
