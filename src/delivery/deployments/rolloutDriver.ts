/**
 * Steps one deployment's rollout machine and carries out what each step asks, in the order that keeps the
 * store, the traffic split and the user's view consistent: a traffic change that exposes a model more is
 * saved before it is applied (a crash never leaves traffic on a version the store does not know), one that
 * takes traffic away is applied first (an abort acts at once). Analyses start and stop here; candidates
 * load outside the deployment's lock. The controller decides when inputs arrive; this decides what they do.
 */
import type { RolloutInput, RolloutState } from "../rollout/rolloutState.js";
import { step } from "../rollout/rolloutMachine.js";
import type { EndpointRegistry } from "../routing/endpointRegistry.js";
import type { TrafficPlan } from "../routing/trafficRouter.js";
import type { AnalysisExecutor } from "./analysisExecutor.js";
import type {
  DeploymentEvent,
  DeploymentRecord,
  DeploymentStore,
  StoredAnalysisRun,
} from "./deploymentStore.js";
import { storedTemplateSet, type TemplateSet } from "./deploymentTemplates.js";
import type { KeyedMutex } from "./keyedMutex.js";
import { exposesMore, trafficPlanFor } from "./rolloutTrafficPlan.js";
import type { WebhookNotifier } from "./webhookNotifier.js";

/** What delivery uses of the registry (the whole EndpointRegistry in production, a fake in tests). */
export type DeliveryRegistry = Pick<EndpointRegistry, "load" | "unload" | "setTraffic" | "remove" | "close">;

type SavedEvent = Omit<DeploymentEvent, "id" | "deployment">;

export interface RolloutDriverDeps {
  store: DeploymentStore;
  registry: DeliveryRegistry;
  analyses: AnalysisExecutor;
  mutex: KeyedMutex;
  webhooks?: Pick<WebhookNotifier, "notify">;
  now: () => number;
  log: (message: string) => void;
}

export class RolloutDriver {
  /** The deployments driven here, with their latest saved record. */
  readonly records = new Map<string, DeploymentRecord>();
  private readonly templates = new Map<string, TemplateSet>();
  private readonly analyses: AnalysisExecutor;
  private readonly mutex: KeyedMutex;
  private readonly now: () => number;
  private readonly log: (message: string) => void;

  constructor(private readonly deps: RolloutDriverDeps) {
    this.analyses = deps.analyses;
    this.mutex = deps.mutex;
    this.now = deps.now;
    this.log = deps.log;
  }

  /** Starts driving a deployment (created here, or read back after a restart). */
  adopt(record: DeploymentRecord, templates?: TemplateSet): void {
    this.records.set(record.name, record);
    if (templates !== undefined) this.templates.set(record.name, templates);
  }

  forget(name: string): void {
    this.records.delete(name);
    this.templates.delete(name);
  }

  /**
   * Loads candidates outside the lock (a model can take a while, and abort must not wait for it), then
   * feeds candidateLoaded or candidateLoadFailed if the rollout still waits for that model.
   */
  async loadCandidates(name: string, models: readonly string[]): Promise<void> {
    const queue = [...models];
    for (let model = queue.shift(); model !== undefined; model = queue.shift()) {
      let result: RolloutInput;
      try {
        await this.deps.registry.load(name, model);
        result = { type: "candidateLoaded" };
      } catch (error) {
        result = { type: "candidateLoadFailed", message: describe(error) };
      }
      const loaded = model;
      const more = await this.mutex.run(name, async () => {
        const record = this.records.get(name);
        if (record === undefined) return [];
        const state = record.state;
        if (state.candidate === loaded && !state.candidateLoaded && state.phase !== "Degraded") {
          return this.apply(name, [result]);
        }
        // Aborted or replaced while loading: nothing will route to it.
        const inUse = loaded === state.stable || (loaded === state.candidate && state.candidateLoaded);
        if (result.type === "candidateLoaded" && !inUse) this.deps.registry.unload(name, loaded, 0);
        return [];
      });
      queue.push(...more);
    }
  }

  /**
   * Steps the machine through `inputs` (and the inputs its actions produce without waiting), carrying out
   * each step's actions; caller holds the lock. Returns the models to load.
   */
  async apply(
    name: string,
    inputs: readonly RolloutInput[],
    runsToSave: readonly StoredAnalysisRun[] = [],
  ): Promise<string[]> {
    const queue = [...inputs];
    let pendingRuns = [...runsToSave];
    const loads: string[] = [];
    for (let input = queue.shift(); input !== undefined; input = queue.shift()) {
      const record = await this.recordOf(name);
      const before = record.state;
      const now = this.now();
      const { state, actions } = step(before, input, now);
      const touched = pendingRuns;
      pendingRuns = [];
      const events: SavedEvent[] = [];
      const unloads: { model: string; afterSeconds: number }[] = [];
      let setsTraffic = false;
      for (const action of actions) {
        switch (action.type) {
          case "startAnalysis": {
            const update = this.analyses.start(name, action, this.templatesOf(record), now);
            touched.push(...update.touched);
            queue.push(...update.inputs);
            break;
          }
          case "stopAnalysis": {
            const stopped = this.analyses.stop(name, action.runId, now);
            if (stopped !== undefined) touched.push(stopped);
            break;
          }
          case "recordEvent":
            events.push({
              at: action.at,
              kind: action.kind,
              details: action.details,
              ...valuesFor(input, action.kind),
            });
            break;
          case "setTraffic":
            setsTraffic = true;
            break;
          case "loadModel":
            loads.push(action.model);
            break;
          case "unloadModel":
            unloads.push({ model: action.model, afterSeconds: action.afterSeconds });
            break;
        }
      }
      if (actions.length === 0 && touched.length === 0 && JSON.stringify(before) === JSON.stringify(state)) {
        continue;
      }
      const previousPlan = trafficPlanFor(before);
      const plan = trafficPlanFor(state);
      const reroutes = setsTraffic || JSON.stringify(previousPlan) !== JSON.stringify(plan);
      const widens = reroutes && exposesMore(previousPlan, plan);
      if (reroutes && !widens) this.route(name, plan);
      const saved = await this.save(record, state, events, touched);
      if (widens) this.route(name, plan);
      for (const { model, afterSeconds } of unloads) {
        // A model the new state serves is never unloaded (a fast-tracked undo brings the old stable back).
        const serves = model === state.stable || (model === state.candidate && state.candidateLoaded);
        if (!serves) this.deps.registry.unload(name, model, afterSeconds);
      }
      this.notify(saved, events);
    }
    return loads;
  }

  async save(
    record: DeploymentRecord,
    state: RolloutState,
    events: SavedEvent[],
    runs: readonly StoredAnalysisRun[],
  ): Promise<DeploymentRecord> {
    const now = this.now();
    await this.deps.store.save(record.name, state, events, [...runs], now);
    const saved = { ...record, state, updatedAt: now };
    this.records.set(record.name, saved);
    return saved;
  }

  route(name: string, plan: TrafficPlan): void {
    try {
      this.deps.registry.setTraffic(name, plan);
    } catch (error) {
      this.log(`Deployment ${name}: could not apply traffic split: ${describe(error)}`);
    }
  }

  notify(record: DeploymentRecord, events: readonly SavedEvent[]): void {
    const webhooks = this.deps.webhooks;
    if (webhooks === undefined || record.webhooks.length === 0) return;
    const weights = trafficPlanFor(record.state).routes;
    for (const event of events) {
      webhooks.notify(record.webhooks, {
        endpoint: record.name,
        ...event,
        phase: record.state.phase,
        weights,
      });
    }
  }

  async recordOf(name: string): Promise<DeploymentRecord> {
    const cached = this.records.get(name);
    if (cached !== undefined) return cached;
    const record = await this.deps.store.get(name);
    this.records.set(name, record);
    return record;
  }

  templatesOf(record: DeploymentRecord): TemplateSet {
    let set = this.templates.get(record.name);
    if (set === undefined) {
      set = storedTemplateSet(record.name, record.templates);
      this.templates.set(record.name, set);
    }
    return set;
  }
}

/** The failing measurements ride along with the events that report an analysis' verdict. */
function valuesFor(input: RolloutInput, kind: string): { values?: unknown } {
  if (input.type !== "analysisCompleted" || input.failures === undefined || input.failures.length === 0)
    return {};
  if (kind !== "Aborted" && kind !== "AnalysisInconclusive") return {};
  return { values: { runId: input.runId, phase: input.phase, failures: input.failures } };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
