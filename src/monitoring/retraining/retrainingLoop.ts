/**
 * The retraining loop: when an endpoint's trigger fires (dataset drift for N windows in a row, enough new
 * labels, its schedule, or a person), runs the endpoint's pipeline starting from the model it serves now
 * (FLOWOPS_BASE_MODEL_URI), registers what the pipeline produced, holds it to the endpoint's gate policy
 * and, when it passes, deploys it into the endpoint's rollout (a canary, per the deployment's spec).
 * Every step is written to the retraining's row, linking trigger -> pipeline run -> model version ->
 * deployment revision. One retraining per endpoint at a time; automatic triggers also wait out a
 * cooldown after the last one. Rollout decisions stay with the DeliveryController.
 */
import { readFile } from "node:fs/promises";
import type { FlowOpsClient } from "../../client/index.js";
import type { DeliveryController } from "../../delivery/deployments/deliveryController.js";
import type { DeploymentStore } from "../../delivery/deployments/deploymentStore.js";
import { FlowOpsError } from "../../errors.js";
import { foldStageMetrics, registerModelVersion, RETRAINING_TAG, uploadModel } from "./modelPublisher.js";
import { retrainingFor, type EndpointRetraining, type RetrainingConfig } from "./retrainingConfig.js";
import {
  reproPipelineRunner,
  type PipelineObserver,
  type RunRetrainingPipeline,
} from "./retrainingPipeline.js";
import type {
  RetrainingRun,
  RetrainingRunStore,
  RetrainingRunUpdate,
  RetrainingTriggerKind,
  RetrainingTriggerReason,
} from "./retrainingRunStore.js";

export const BASE_MODEL_ENV = "FLOWOPS_BASE_MODEL_URI";
const DEFAULT_TICK_MS = 30_000;

export interface RetrainingLoopOptions {
  config: RetrainingConfig;
  delivery: Pick<DeliveryController, "deploy" | "status">;
  /** Labels recorded per endpoint, and the deployment's revision after a deploy. */
  deployments: Pick<DeploymentStore, "feedbackCount" | "get">;
  /**
   * The server's own API: runs, artifacts, registry, gates. A function when the server's address is known
   * only once it listens; it is first called when a retraining starts.
   */
  client: FlowOpsClient | (() => FlowOpsClient);
  runs: RetrainingRunStore;
  now?: () => number;
  log?: (message: string) => void;
  /** Runs an endpoint's pipeline; `repro` tracked in the server by default. */
  runPipeline?: RunRetrainingPipeline;
  /** Told each stage's outcome when the default runner runs the pipeline (metrics). */
  pipelineObserver?: PipelineObserver;
  /** Environment the pipeline inherits, before the loop's own variables; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** How often label and schedule triggers are checked, in ms (30 s). */
  tickMs?: number;
}

export class RetrainingLoop {
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly runPipeline: RunRetrainingPipeline;
  /** Endpoints with a retraining in progress, claimed before the first await so two triggers cannot race. */
  private readonly active = new Set<string>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly startedAt: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: RetrainingLoopOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => process.stderr.write(`${message}\n`));
    this.runPipeline =
      options.runPipeline ??
      ((dir, env, request) => reproPipelineRunner(this.client, options.pipelineObserver)(dir, env, request));
    this.startedAt = this.now();
  }

  private get client(): FlowOpsClient {
    const { client } = this.options;
    return typeof client === "function" ? client() : client;
  }

  /** Marks retrainings a stopped server left running as interrupted, then checks triggers every tick. */
  async start(): Promise<void> {
    const interrupted = await this.options.runs.interruptRunning(this.now());
    if (interrupted > 0) this.log(`Retraining: ${interrupted} retraining(s) interrupted by a restart`);
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tickOnce(), this.options.tickMs ?? DEFAULT_TICK_MS);
    this.timer.unref();
  }

  /** Stops the timer, cancels running pipelines and waits for the retrainings to record how they ended. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.idle();
  }

  /** Settles once no retraining is in progress. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  /** Whether a retraining of the endpoint is in progress. */
  isRunning(endpoint: string): boolean {
    return this.active.has(endpoint);
  }

  /**
   * The drift monitor's report: dataset drift in `consecutiveWindows` windows in a row. Triggers when the
   * endpoint's drift trigger asks for that many. Returns the retraining's id when one started; never throws.
   */
  async onDrift(endpoint: string, consecutiveWindows: number): Promise<number | undefined> {
    const drift = retrainingFor(this.options.config, endpoint)?.triggers.drift;
    if (drift === undefined || consecutiveWindows < drift.consecutiveWindows) return undefined;
    return this.triggerAutomatically(endpoint, "drift", {
      reason: `dataset drift in ${consecutiveWindows} consecutive windows (trigger at ${drift.consecutiveWindows})`,
      consecutiveWindows,
    });
  }

  /** Checks the label and schedule triggers of every configured endpoint; never throws. */
  async tickOnce(): Promise<void> {
    for (const retraining of this.options.config.endpoints) {
      const { endpoint, triggers } = retraining;
      if (this.active.has(endpoint) || (triggers.labels === undefined && triggers.schedule === undefined))
        continue;
      try {
        const latest = await this.options.runs.latest(endpoint);
        if (triggers.labels !== undefined) {
          const total = await this.options.deployments.feedbackCount(endpoint);
          const before = latest?.triggerDetails.feedbackTotal ?? 0;
          // Deleting a deployment deletes its labels: count from zero again.
          const fresh = total >= before ? total - before : total;
          if (fresh >= triggers.labels.minSamples) {
            const reason = `${fresh} new labels since the last retraining (trigger at ${triggers.labels.minSamples})`;
            await this.triggerAutomatically(endpoint, "labels", { reason, newLabels: fresh });
            continue;
          }
        }
        if (triggers.schedule !== undefined) {
          const since = latest?.startedAt ?? this.startedAt;
          if (this.now() - since >= triggers.schedule.everyMs) {
            const reason = `schedule: every ${triggers.schedule.everyMs / 1000} s`;
            await this.triggerAutomatically(endpoint, "schedule", {
              reason,
              everyMs: triggers.schedule.everyMs,
            });
          }
        }
      } catch (error) {
        this.log(`Retraining ${endpoint}: checking triggers failed: ${describe(error)}`);
      }
    }
  }

  /**
   * Starts a retraining now, whatever the cooldown: records it and returns its id; the pipeline, gates and
   * deployment go on in the background (see `idle`). RESOURCE_DOES_NOT_EXIST when the endpoint has no
   * retraining configured, INVALID_STATE while one is in progress.
   */
  async trigger(
    endpoint: string,
    kind: RetrainingTriggerKind,
    details: RetrainingTriggerReason,
  ): Promise<number> {
    const retraining = retrainingFor(this.options.config, endpoint);
    if (retraining === undefined) {
      const known = this.options.config.endpoints.map((e) => e.endpoint);
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `Endpoint '${endpoint}' has no retraining configured (configured: ${known.join(", ") || "none"}).`,
      );
    }
    if (this.active.has(endpoint)) {
      throw new FlowOpsError("INVALID_STATE", `Endpoint '${endpoint}' is already retraining.`);
    }
    this.active.add(endpoint);
    let run: RetrainingRun;
    try {
      const feedbackTotal = await this.options.deployments.feedbackCount(endpoint);
      run = await this.options.runs.create({
        endpoint,
        triggerKind: kind,
        triggerDetails: { ...details, feedbackTotal },
        startedAt: this.now(),
      });
    } catch (error) {
      this.active.delete(endpoint);
      throw error;
    }
    this.log(`Retraining ${endpoint} #${run.id}: ${kind}: ${details.reason}`);
    const work = this.execute(run.id, retraining).finally(() => {
      this.active.delete(endpoint);
      this.inFlight.delete(run.id);
    });
    this.inFlight.set(run.id, work);
    return run.id;
  }

  /** A trigger the loop decided on: skipped while one runs or within the cooldown of the last one. */
  private async triggerAutomatically(
    endpoint: string,
    kind: RetrainingTriggerKind,
    details: RetrainingTriggerReason,
  ): Promise<number | undefined> {
    const retraining = retrainingFor(this.options.config, endpoint);
    if (retraining === undefined || this.active.has(endpoint)) return undefined;
    try {
      const latest = await this.options.runs.latest(endpoint);
      const last = latest?.finishedAt ?? latest?.startedAt;
      if (last !== undefined && this.now() - last < retraining.cooldownMs) return undefined;
      if (this.active.has(endpoint)) return undefined;
      return await this.trigger(endpoint, kind, details);
    } catch (error) {
      this.log(`Retraining ${endpoint}: ${kind} trigger failed: ${describe(error)}`);
      return undefined;
    }
  }

  /** The steps of one retraining; each outcome, failure included, ends up in its row. */
  private async execute(id: number, retraining: EndpointRetraining): Promise<void> {
    const { runs, delivery } = this.options;
    const client = this.client;
    const { endpoint } = retraining;
    let step = "reading the deployment";
    const finish = async (update: RetrainingRunUpdate): Promise<void> => {
      await runs.update(id, { ...update, finishedAt: this.now() });
      this.log(
        `Retraining ${endpoint} #${id}: ${update.status ?? ""}${update.message ? `: ${update.message}` : ""}`,
      );
    };
    try {
      const stable = (await delivery.status(endpoint)).stable;
      step = "running the pipeline";
      const env: NodeJS.ProcessEnv = {
        ...(this.options.env ?? process.env),
        [BASE_MODEL_ENV]: stable,
        MLFLOW_TRACKING_URI: client.trackingUri,
        FLOWOPS_RETRAINING_ID: String(id),
        FLOWOPS_RETRAINING_ENDPOINT: endpoint,
      };
      const experiment = `retraining-${endpoint}`;
      const pipeline = await this.runPipeline(retraining.pipelineDir, env, {
        experiment,
        signal: this.abort.signal,
        ...(retraining.targets === undefined ? {} : { targets: retraining.targets }),
      });
      if (pipeline.parentRunId !== undefined) await runs.update(id, { pipelineRunId: pipeline.parentRunId });
      if (!pipeline.ok) {
        await finish({ status: "pipeline_failed", message: pipeline.message ?? "the pipeline failed" });
        return;
      }
      step = "logging the model";
      const runId = pipeline.parentRunId ?? (await this.newRun(experiment, id));
      if (pipeline.parentRunId === undefined) await runs.update(id, { pipelineRunId: runId });
      await client.runs.setTag(runId, RETRAINING_TAG, String(id));
      if (pipeline.parentRunId !== undefined) await foldStageMetrics(client, runId);
      await uploadModel(client, runId, retraining.modelPath);
      if (pipeline.parentRunId === undefined)
        await client.runs.update(runId, { status: "FINISHED", endTime: this.now() });
      step = "registering the model";
      const version = await registerModelVersion(client, retraining.modelName, runId, id);
      await runs.update(id, { modelName: retraining.modelName, modelVersion: version });
      if (retraining.gatesFile !== undefined) {
        step = `evaluating the gates of ${retraining.gatesFile}`;
        const { gate } = await client.gates.evaluate({
          policyYaml: await readFile(retraining.gatesFile, "utf8"),
          policyFile: retraining.gatesFile,
          runId,
          modelName: retraining.modelName,
          version,
        });
        if (!gate.passed) {
          const failed = gate.conditions.filter((c) => !c.passed).map((c) => `${c.condition}: ${c.message}`);
          await finish({ status: "gates_failed", message: failed.join("; ") || "the gate did not pass" });
          return;
        }
      }
      step = "deploying";
      const uri = `models:/${retraining.modelName}/${version}`;
      const status = await delivery.deploy(endpoint, uri);
      const revision = (await this.options.deployments.get(endpoint)).state.revision;
      await finish({
        status: "deployed",
        deploymentRevision: revision,
        message: `${uri} deployed to '${endpoint}' (${status.strategy}, ${status.phase})`,
      });
    } catch (error) {
      try {
        await finish({ status: "failed", message: `${step}: ${describe(error)}` });
      } catch (recordError) {
        this.log(
          `Retraining ${endpoint} #${id}: ${step}: ${describe(error)} (not recorded: ${describe(recordError)})`,
        );
      }
    }
  }

  /** A run for the model when the pipeline was not tracked, in the endpoint's retraining experiment. */
  private async newRun(experiment: string, id: number): Promise<string> {
    const client = this.client;
    const experimentId =
      (await client.experiments.getByName(experiment))?.experiment_id ??
      (await client.experiments.create(experiment));
    const run = await client.runs.create({ experimentId, runName: `retraining ${id}` });
    return run.info.run_id;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
