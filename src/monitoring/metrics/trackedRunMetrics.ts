/**
 * Pipeline metrics from tracked runs: when the tracking service terminates a run that a repro recorded (its
 * parent run, or one of its stage runs), the run is observed as a pipeline or stage outcome, whoever ran the
 * repro (a shell with `--tracking-uri`, the retraining loop, a trigger). Judged by the run's tags as stored,
 * so it knows nothing of the client; it never fails the update that terminated the run.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { OUTCOME_TAG, PARENT_RUN_TAG } from "../../pipelines/reproTracking.js";
import type { RunInfo, RunStatus, Tag } from "../../tracking/entities.js";
import { readRuns } from "../../tracking/runReader.js";

/** Tags the repro's parent run carries (reproTracking.ts `start`). */
export const REPRO_ID_TAG = "flowops.repro.id";
export const PIPELINE_TAG = "flowops.pipeline";
/** The stage name on a stage run (reproTracking.ts `openStageRun`). */
export const STAGE_TAG = "flowops.stage";

export type PipelineRunStatus = "succeeded" | "failed";
/** `cached`: the stage did not run (unchanged or restored from the run-cache); its duration is near zero. */
export type StageRunStatus = "succeeded" | "failed" | "cached" | "cancelled";

/** Where observations go: the server's Prometheus registry in production. */
export interface TrackedRunObserver {
  pipeline(pipeline: string, status: PipelineRunStatus, seconds: number): void;
  stage(pipeline: string, stage: string, status: StageRunStatus, seconds: number): void;
}

export type TrackedRunObservation =
  | { kind: "pipeline"; pipeline: string; status: PipelineRunStatus; seconds: number }
  | { kind: "stage"; pipeline: string; stage: string; status: StageRunStatus; seconds: number };

export interface StoredRun {
  info: RunInfo;
  tags: readonly Tag[];
}

/** Reads a run's info and tags from the tracking store; undefined when there is no such run. */
export interface TrackedRunReader {
  run(runId: string): Promise<StoredRun | undefined>;
}

const TERMINAL: ReadonlySet<RunStatus> = new Set(["FINISHED", "FAILED", "KILLED"]);

/**
 * Stage outcomes (repro.ts StageOutcome, written to OUTCOME_TAG) as metric statuses. A stage that never
 * started because an upstream stage failed is left out: it has no duration, and the pipeline's `failed`
 * already counts the failure. Unknown values are someone else's tag and are left out too.
 */
const STAGE_STATUS: ReadonlyMap<string, StageRunStatus> = new Map<string, StageRunStatus>([
  ["ran", "succeeded"],
  ["failed", "failed"],
  ["skipped", "cached"],
  ["restored", "cached"],
  ["cancelled", "cancelled"],
]);

function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.findLast((tag) => tag.key === key)?.value;
}

function seconds(info: RunInfo & { end_time: number | bigint }): number {
  return Math.max(0, (Number(info.end_time) - Number(info.start_time)) / 1000);
}

/**
 * What a terminated run means for the pipeline metrics, or undefined when it is not a repro's run or is
 * not terminated (status FINISHED, FAILED or KILLED with an end_time). The parent of a stage run is read
 * for the pipeline's name. A stage run counts only once the repro has written its outcome: a stage command
 * that resumes its run through MLFLOW_RUN_ID (`mlflow.start_run()`) ends it early, without one.
 */
export async function judgeTerminatedRun(
  run: StoredRun,
  reader: TrackedRunReader,
): Promise<TrackedRunObservation | undefined> {
  const { info, tags } = run;
  const endTime = info.end_time;
  if (!TERMINAL.has(info.status) || endTime === undefined) return undefined;
  const ended = { ...info, end_time: endTime };

  const pipeline = tagValue(tags, PIPELINE_TAG);
  if (tagValue(tags, REPRO_ID_TAG) !== undefined && pipeline !== undefined) {
    const status = info.status === "FINISHED" ? "succeeded" : "failed";
    return { kind: "pipeline", pipeline, status, seconds: seconds(ended) };
  }

  const stage = tagValue(tags, STAGE_TAG);
  const parentId = tagValue(tags, PARENT_RUN_TAG);
  const outcome = tagValue(tags, OUTCOME_TAG);
  if (stage === undefined || parentId === undefined || outcome === undefined) return undefined;
  const status = STAGE_STATUS.get(outcome);
  if (status === undefined) return undefined;
  const parent = await reader.run(parentId);
  if (parent === undefined || tagValue(parent.tags, REPRO_ID_TAG) === undefined) return undefined;
  const parentPipeline = tagValue(parent.tags, PIPELINE_TAG);
  if (parentPipeline === undefined) return undefined;
  return { kind: "stage", pipeline: parentPipeline, stage, status, seconds: seconds(ended) };
}

/** Reads runs from the tracking store's database. */
export function storeRunReader(db: Kysely<Database>): TrackedRunReader {
  return {
    async run(runId) {
      const [run] = await readRuns(db, [runId]);
      return run === undefined ? undefined : { info: run.info, tags: run.data.tags };
    },
  };
}

/** The server's metrics as an observer. */
export function serverMetricsObserver(metrics: {
  observePipeline(pipeline: string, status: string, seconds: number): void;
  observeStage(pipeline: string, stage: string, status: string, seconds: number): void;
}): TrackedRunObserver {
  return {
    pipeline: (pipeline, status, secs) => metrics.observePipeline(pipeline, status, secs),
    stage: (pipeline, stage, status, secs) => metrics.observeStage(pipeline, stage, status, secs),
  };
}

export interface TrackedRunMetricsOptions {
  reader: TrackedRunReader;
  observer: TrackedRunObserver;
  /** Where a failure to observe is reported; the update that terminated the run has succeeded anyway. */
  log?: (message: string) => void;
}

/** The tracking service's `onRunTerminated` listener: judges the run and tells the observer. */
export class TrackedRunMetrics {
  constructor(private readonly options: TrackedRunMetricsOptions) {}

  /** Called after an update set a run's status; never throws. */
  async onRunTerminated(info: RunInfo): Promise<void> {
    if (!TERMINAL.has(info.status) || info.end_time === undefined) return;
    try {
      const run = await this.options.reader.run(info.run_id);
      if (run === undefined) return;
      const observation = await judgeTerminatedRun(run, this.options.reader);
      if (observation === undefined) return;
      const { observer } = this.options;
      if (observation.kind === "pipeline") {
        observer.pipeline(observation.pipeline, observation.status, observation.seconds);
      } else {
        observer.stage(observation.pipeline, observation.stage, observation.status, observation.seconds);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.log?.(`Pipeline metrics: run ${info.run_id} could not be observed: ${reason}`);
    }
  }
}
