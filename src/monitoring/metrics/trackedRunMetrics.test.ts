import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import type { MetadataDb } from "../../db/connect.js";
import { OUTCOME_TAG, PARENT_RUN_TAG } from "../../pipelines/reproTracking.js";
import type { RunInfo, RunStatus, Tag } from "../../tracking/entities.js";
import { createExperiment } from "../../tracking/experimentStore.js";
import { createRun, updateRun } from "../../tracking/runStore.js";
import {
  PIPELINE_TAG,
  REPRO_ID_TAG,
  STAGE_TAG,
  storeRunReader,
  TrackedRunMetrics,
  type TrackedRunObserver,
} from "./trackedRunMetrics.js";

type Observed = [kind: string, ...labels: string[], seconds: number];

let meta: MetadataDb;
let close: () => Promise<void>;
let experimentId: string;
let observed: Observed[];
let logged: string[];
let metrics: TrackedRunMetrics;

const observer: TrackedRunObserver = {
  pipeline: (pipeline, status, seconds) => observed.push(["pipeline", pipeline, status, seconds]),
  stage: (pipeline, stage, status, seconds) => observed.push(["stage", pipeline, stage, status, seconds]),
};

beforeAll(async () => {
  const opened = await sqliteBackend.open();
  meta = opened.meta;
  close = opened.close;
  experimentId = await createExperiment(meta.db, { name: "pipelines" }, "mlflow-artifacts:/", 1);
});
afterAll(async () => close());
beforeEach(() => {
  observed = [];
  logged = [];
  metrics = new TrackedRunMetrics({
    reader: storeRunReader(meta.db),
    observer,
    log: (message) => logged.push(message),
  });
});

async function startRun(tags: Tag[], startTime: number): Promise<string> {
  const run = await createRun(meta.db, { experiment_id: experimentId, start_time: startTime, tags }, 0);
  return run.info.run_id;
}

/** Ends a run as the UpdateRun handler does, then tells the listener. */
async function endRun(runId: string, status: RunStatus, endTime: number | undefined): Promise<RunInfo> {
  const info = await updateRun(meta.db, runId, {
    status,
    ...(endTime === undefined ? {} : { end_time: endTime }),
  });
  await metrics.onRunTerminated(info);
  return info;
}

async function reproParent(pipeline = "pipelines/train/dvc.yaml"): Promise<string> {
  return startRun(
    [
      { key: REPRO_ID_TAG, value: "r-1" },
      { key: PIPELINE_TAG, value: pipeline },
    ],
    1_000,
  );
}

async function stageRun(parentId: string, stage: string, outcome?: string): Promise<string> {
  return startRun(
    [
      { key: PARENT_RUN_TAG, value: parentId },
      { key: STAGE_TAG, value: stage },
      ...(outcome === undefined ? [] : [{ key: OUTCOME_TAG, value: outcome }]),
    ],
    2_000,
  );
}

describe("pipeline metrics from terminated tracked runs", () => {
  it("observes a repro's finished parent run as a succeeded pipeline with its wall time", async () => {
    const parent = await reproParent();
    await endRun(parent, "FINISHED", 13_500);
    expect(observed).toEqual([["pipeline", "pipelines/train/dvc.yaml", "succeeded", 12.5]]);
  });

  it("counts a failed or killed parent run as a failed pipeline", async () => {
    await endRun(await reproParent(), "FAILED", 2_000);
    await endRun(await reproParent(), "KILLED", 3_000);
    expect(observed).toEqual([
      ["pipeline", "pipelines/train/dvc.yaml", "failed", 1],
      ["pipeline", "pipelines/train/dvc.yaml", "failed", 2],
    ]);
  });

  it("observes stage runs under their parent's pipeline with the status their outcome tag implies", async () => {
    const parent = await reproParent("dvc.yaml");
    await endRun(await stageRun(parent, "prepare", "ran"), "FINISHED", 4_000);
    await endRun(await stageRun(parent, "train", "failed"), "FAILED", 2_250);
    await endRun(await stageRun(parent, "evaluate", "cancelled"), "KILLED", 2_500);
    expect(observed).toEqual([
      ["stage", "dvc.yaml", "prepare", "succeeded", 2],
      ["stage", "dvc.yaml", "train", "failed", 0.25],
      ["stage", "dvc.yaml", "evaluate", "cancelled", 0.5],
    ]);
  });

  it("observes unchanged and run-cache-restored stages as cached", async () => {
    const parent = await reproParent("dvc.yaml");
    await endRun(await stageRun(parent, "prepare", "skipped"), "FINISHED", 2_001);
    await endRun(await stageRun(parent, "train", "restored"), "FINISHED", 2_002);
    expect(observed).toEqual([
      ["stage", "dvc.yaml", "prepare", "cached", 0.001],
      ["stage", "dvc.yaml", "train", "cached", 0.002],
    ]);
  });

  it("ignores a stage run its own command ended before the repro wrote the outcome", async () => {
    const parent = await reproParent();
    await endRun(await stageRun(parent, "train"), "FINISHED", 3_000);
    expect(observed).toEqual([]);
  });

  it("ignores stages that never started because an upstream stage failed", async () => {
    const parent = await reproParent();
    await endRun(await stageRun(parent, "evaluate", "not-run-upstream-failed"), "KILLED", 2_000);
    expect(observed).toEqual([]);
  });

  it("ignores runs that are not a repro's: plain runs and nested runs of a plain parent", async () => {
    const plain = await startRun([{ key: "team", value: "ml" }], 1_000);
    await endRun(await stageRun(plain, "train", "ran"), "FINISHED", 3_000);
    await endRun(plain, "FINISHED", 4_000);
    expect(observed).toEqual([]);
  });

  it("ignores an update that leaves the run running or sets no end time", async () => {
    await endRun(await reproParent(), "RUNNING", 5_000);
    await endRun(await reproParent(), "FINISHED", undefined);
    expect(observed).toEqual([]);
  });

  it("logs instead of throwing when the store cannot be read", async () => {
    const failing = new TrackedRunMetrics({
      reader: {
        run: async () => {
          throw new Error("database is locked");
        },
      },
      observer,
      log: (message) => logged.push(message),
    });
    const info = await updateRun(meta.db, await reproParent(), { status: "FINISHED", end_time: 2_000 });
    await expect(failing.onRunTerminated(info)).resolves.toBeUndefined();
    expect(observed).toEqual([]);
    expect(logged).toEqual([
      `Pipeline metrics: run ${info.run_id} could not be observed: database is locked`,
    ]);
  });
});
