/**
 * Records a repro in an MLflow-compatible tracking server: one parent run for the pipeline and one nested run
 * per stage (tag `mlflow.parentRunId`), with the stage's params, the metrics of its metrics files, its
 * duration and exit status, its log as an artifact, and its DVC-tracked deps as dataset inputs (digest = md5,
 * source_type "dvc", as `flowops data log` records them). Stages that did not run (unchanged or restored
 * from the run-cache) get a nested run tagged `flowops.stage.cached=true`. It only reads the workspace.
 */
import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { FlowOpsClient } from "../client/index.js";
import type { DatasetInput, Metric, Param, RunStatus, Tag } from "../client/index.js";
import { DVC_SOURCE_TYPE } from "../data/datasetVersions.js";
import { readLock, stageLockDir, type LockEntry, type LockFile } from "./dvcLock.js";
import type { Pipeline, Stage } from "./dvcYaml.js";
import { flattenParams, loadParamsFile } from "./paramsFile.js";
import { numericValue, pyStr } from "./pythonValues.js";
import type { ReproResult, StageResult } from "./repro.js";
import { stageOuts } from "./stageStatus.js";

export interface ReproTracking {
  start(plan: { runId: string; stages: readonly string[]; pipeline: Pipeline }): Promise<void>;
  /**
   * A stage is about to execute: opens its run and returns the environment that points the stage's command
   * at it (MLFLOW_RUN_ID and the tracking URI), so `flowops evaluate` or `mlflow.start_run()` inside the
   * stage log into the stage's own run.
   */
  stageStarting?(stage: Stage): Promise<Record<string, string> | undefined>;
  stageFinished(stage: Stage, result: StageResult): Promise<void>;
  finish(result: ReproResult): Promise<void>;
}

export const PARENT_RUN_TAG = "mlflow.parentRunId";
export const CACHED_TAG = "flowops.stage.cached";
export const OUTCOME_TAG = "flowops.stage.outcome";

/** MLflow accepts at most this many params, metrics or tags per log-batch request. */
const BATCH_LIMIT = 100;

export interface TrackingSettings {
  trackingUri?: string | undefined;
  experiment?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * The tracking for a repro, or undefined when no server is configured: tracking is optional and only on
 * when `--tracking-uri` or `MLFLOW_TRACKING_URI` names one.
 */
export function reproTrackingFor(root: string, settings: TrackingSettings): ReproTracking | undefined {
  const env = settings.env ?? process.env;
  const trackingUri = settings.trackingUri ?? env.MLFLOW_TRACKING_URI;
  if (trackingUri === undefined || trackingUri === "") return undefined;
  const client = new FlowOpsClient({ trackingUri, env });
  const experiment = settings.experiment ?? env.MLFLOW_EXPERIMENT_NAME;
  return new MlflowReproTracking(client, root, experiment, trackingUri);
}

export class MlflowReproTracking implements ReproTracking {
  private experimentId: string | undefined;
  private parentRunId: string | undefined;
  private pipeline: Pipeline | undefined;
  /** Runs opened for stages that execute; a retried stage keeps its run. */
  private readonly stageRuns = new Map<string, string>();

  /**
   * `experimentName` defaults to MLflow's Default experiment; `trackingUri` is handed to stage commands
   * (without it they get only MLFLOW_RUN_ID).
   */
  constructor(
    private readonly client: FlowOpsClient,
    private readonly root: string,
    private readonly experimentName?: string,
    private readonly trackingUri?: string,
  ) {}

  /** The parent run, once `start` has created it. */
  get runId(): string | undefined {
    return this.parentRunId;
  }

  async start(plan: { runId: string; stages: readonly string[]; pipeline: Pipeline }): Promise<void> {
    this.pipeline = plan.pipeline;
    this.experimentId = await this.resolveExperiment();
    const run = await this.client.runs.create({
      experimentId: this.experimentId,
      runName: `repro ${plan.runId}`,
      tags: [
        { key: "flowops.repro.id", value: plan.runId },
        { key: "flowops.pipeline", value: this.relative(plan.pipeline.file) },
        { key: "flowops.repro.stages", value: plan.stages.join(",").slice(0, 5000) },
      ],
    });
    this.parentRunId = run.info.run_id;
  }

  async stageStarting(stage: Stage): Promise<Record<string, string> | undefined> {
    if (this.parentRunId === undefined || this.experimentId === undefined) return undefined;
    let runId = this.stageRuns.get(stage.name);
    if (runId === undefined) {
      runId = await this.openStageRun(stage, Date.now());
      this.stageRuns.set(stage.name, runId);
    }
    return {
      MLFLOW_RUN_ID: runId,
      MLFLOW_EXPERIMENT_ID: this.experimentId,
      ...(this.trackingUri !== undefined ? { MLFLOW_TRACKING_URI: this.trackingUri } : {}),
    };
  }

  async stageFinished(stage: Stage, result: StageResult): Promise<void> {
    if (this.parentRunId === undefined || this.experimentId === undefined) return;
    const cached = result.outcome === "skipped" || result.outcome === "restored";
    const end = Date.now();
    const runId =
      this.stageRuns.get(stage.name) ?? (await this.openStageRun(stage, end - (result.durationMs ?? 0)));
    const entry = await attemptLineage(stage, result);
    const tags: Tag[] = [
      { key: OUTCOME_TAG, value: result.outcome },
      { key: CACHED_TAG, value: String(cached) },
      { key: "flowops.stage.attempts", value: String(result.attempts) },
    ];
    if (result.exitCode !== undefined)
      tags.push({ key: "flowops.stage.exit_code", value: String(result.exitCode) });
    if (result.gpus !== undefined) tags.push({ key: "flowops.stage.gpus", value: result.gpus.join(",") });
    if (result.message !== undefined)
      tags.push({ key: "flowops.stage.message", value: result.message.slice(0, 5000) });
    const metrics = await this.stageMetrics(stage, end);
    if (result.durationMs !== undefined) {
      metrics.push({
        key: "flowops.stage.duration_s",
        value: result.durationMs / 1000,
        timestamp: end,
        step: 0,
      });
    }
    await this.logInBatches(runId, stageParams(entry), metrics, tags);
    const datasets = this.datasetInputs(stage, entry);
    if (datasets.length > 0) await this.client.runs.logInputs(runId, { datasets });
    // Profiles of table deps, for versions registered from this run; only a stage that ran (re-reading
    // unchanged data on every repro would slow no-op repros down).
    if (result.outcome === "ran" && datasets.length > 0) {
      const files = datasets.map(({ dataset }) => ({
        name: dataset.name,
        file: join(this.root, dataset.name),
      }));
      const { logDatasetProfiles } = await import("../monitoring/profiles/profileArtifact.js");
      await logDatasetProfiles(this.client.artifacts, runId, files);
    }
    if (result.logPath !== undefined && existsSync(join(this.root, result.logPath))) {
      await this.client.artifacts.uploadArtifact({ runId }, join(this.root, result.logPath), "logs");
    }
    await this.client.runs.update(runId, { status: runStatus(result), endTime: end });
  }

  private async openStageRun(stage: Stage, startTime: number): Promise<string> {
    const run = await this.client.runs.create({
      experimentId: this.experimentId ?? "0",
      runName: stage.name,
      startTime,
      tags: [
        { key: PARENT_RUN_TAG, value: this.parentRunId ?? "" },
        { key: "flowops.stage", value: stage.name },
      ],
    });
    return run.info.run_id;
  }

  async finish(result: ReproResult): Promise<void> {
    if (this.parentRunId === undefined) return;
    const now = Date.now();
    const counts = new Map<string, number>();
    for (const stage of result.stages) counts.set(stage.outcome, (counts.get(stage.outcome) ?? 0) + 1);
    const metrics = [...counts].map(([outcome, n]) => ({
      key: `stages.${outcome}`,
      value: n,
      timestamp: now,
      step: 0,
    }));
    await this.logInBatches(this.parentRunId, [], metrics, []);
    await this.client.runs.update(this.parentRunId, {
      status: result.ok ? "FINISHED" : "FAILED",
      endTime: now,
    });
  }

  private async resolveExperiment(): Promise<string> {
    const name = this.experimentName ?? "Default";
    const found = await this.client.experiments.getByName(name);
    if (found !== undefined) return found.experiment_id;
    return this.client.experiments.create(name);
  }

  /** Numeric values of the stage's metrics files, flattened with dots as `dvc metrics show` names them. */
  private async stageMetrics(stage: Stage, timestamp: number): Promise<Metric[]> {
    const metrics: Metric[] = [];
    for (const file of stage.metrics) {
      const abs = join(stage.wdir, file.path);
      if (!existsSync(abs)) continue;
      let values: Record<string, unknown>;
      try {
        values = flattenParams(await loadParamsFile(abs));
      } catch {
        // A metrics file that does not parse is the stage's problem, reported by `metrics show`, not here.
        continue;
      }
      for (const [key, value] of Object.entries(values)) {
        const number = typeof value === "boolean" ? undefined : numericValue(value);
        if (number !== undefined) metrics.push({ key, value: number, timestamp, step: 0 });
      }
    }
    return metrics;
  }

  /** Deps that DVC tracks (outs of other stages, `.dvc`-tracked paths, directories): the stage's data. */
  private datasetInputs(stage: Stage, entry: StageLineage | undefined): DatasetInput[] {
    const produced = new Set(
      (this.pipeline?.stages ?? []).flatMap((s) => stageOuts(s).map((out) => join(s.wdir, out.path))),
    );
    return (entry?.deps ?? [])
      .filter((dep): dep is LockFile & { md5: string } => {
        const abs = join(stage.wdir, dep.path);
        return (
          dep.md5 !== undefined && (dep.md5.endsWith(".dir") || produced.has(abs) || existsSync(`${abs}.dvc`))
        );
      })
      .map((dep) => {
        const path = this.relative(join(stage.wdir, dep.path));
        return {
          tags: [],
          dataset: {
            name: path,
            digest: dep.md5,
            source_type: DVC_SOURCE_TYPE,
            source: JSON.stringify({ path, md5: dep.md5 }),
          },
        };
      });
  }

  private async logInBatches(runId: string, params: Param[], metrics: Metric[], tags: Tag[]): Promise<void> {
    for (let i = 0; i < Math.max(params.length, metrics.length, tags.length); i += BATCH_LIMIT) {
      await this.client.runs.logBatch(runId, {
        params: params.slice(i, i + BATCH_LIMIT),
        metrics: metrics.slice(i, i + BATCH_LIMIT),
        tags: tags.slice(i, i + BATCH_LIMIT),
      });
    }
  }

  private relative(abs: string): string {
    return relative(this.root, abs).split(sep).join("/");
  }
}

/** The deps and params a stage's run records: a dvc.lock entry, or what an attempt read before it ran. */
type StageLineage = Pick<LockEntry, "deps" | "params">;

/**
 * The lineage of the attempt that `result` reports, or undefined when it cannot be known. The stage's
 * dvc.lock entry is used only when it describes this repro (unchanged stages), never as a fallback: a failed
 * attempt writes no entry, so the one on disk is the previous run's and would give the run stale params and
 * dataset digests.
 */
async function attemptLineage(stage: Stage, result: StageResult): Promise<StageLineage | undefined> {
  // Read before the command started, so a command that rewrites its own deps does not change its lineage.
  if (result.inputs !== undefined) return result.inputs;
  if (result.lock !== undefined) return result.lock;
  // Skipped as unchanged (or checked out by --pull): the entry on disk is exactly what it stands on. A --dry
  // stage that would run has changed since that entry, and a stage that failed before its command (a dep
  // missing) or never started has nothing of this repro to record.
  if (result.outcome === "skipped" && result.wouldRun !== true) {
    return (await readLock(stageLockDir(stage))).stages.get(stage.lockName);
  }
  return undefined;
}

/** Params as MLflow params: keys of params.yaml as they are, other files' keys as `file:key`. */
function stageParams(entry: StageLineage | undefined): Param[] {
  const params: Param[] = [];
  for (const [file, values] of Object.entries(entry?.params ?? {})) {
    for (const [key, value] of Object.entries(values)) {
      params.push({
        key: file === "params.yaml" ? key : `${file}:${key}`,
        value: pyStr(value).slice(0, 6000),
      });
    }
  }
  return params;
}

function runStatus(result: StageResult): RunStatus {
  switch (result.outcome) {
    case "ran":
    case "skipped":
    case "restored":
      return "FINISHED";
    case "failed":
      return "FAILED";
    case "not-run-upstream-failed":
    case "cancelled":
      return "KILLED";
  }
}
