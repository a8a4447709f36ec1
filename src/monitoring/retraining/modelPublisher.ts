/**
 * Turns the model a retraining pipeline produced into a registered model version: uploads it under
 * `model/` of a run (an MLflow model directory file by file, a bare model.onnx as `model/model.onnx`),
 * folds the metrics of the pipeline's stage runs into that run so a gate policy sees them, and registers
 * `runs:/<run>/model`. It does not judge the model: gates and deployment come after.
 */
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { FlowOpsClient, Metric } from "../../client/index.js";
import { FlowOpsError } from "../../errors.js";
import { PARENT_RUN_TAG } from "../../pipelines/reproTracking.js";

export const MODEL_ARTIFACT_PATH = "model";
export const RETRAINING_TAG = "flowops.retraining.id";

/** Uploads the file or directory at `modelPath` as the run's `model` artifact. */
export async function uploadModel(client: FlowOpsClient, runId: string, modelPath: string): Promise<void> {
  let info;
  try {
    info = await stat(modelPath);
  } catch {
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `${modelPath}: the pipeline produced no model there (expected an MLflow model directory or a model.onnx)`,
    );
  }
  if (info.isFile()) {
    await client.artifacts.uploadArtifact({ runId }, modelPath, MODEL_ARTIFACT_PATH);
    return;
  }
  const files = await filesUnder(modelPath);
  if (files.length === 0)
    throw new FlowOpsError("INVALID_STATE", `${modelPath}: the model directory is empty`);
  for (const file of files) {
    const folder = relative(modelPath, join(file, "..")).split(sep).filter(Boolean);
    await client.artifacts.uploadArtifact({ runId }, file, [MODEL_ARTIFACT_PATH, ...folder].join("/"));
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/**
 * Copies the latest metrics of the runs nested under `parentRunId` (the pipeline's stages) onto it, keeping
 * any the parent logged itself: the gate evaluates one run, and the stage that evaluated the model is
 * only one of several.
 */
export async function foldStageMetrics(client: FlowOpsClient, parentRunId: string): Promise<void> {
  const parent = await client.runs.get(parentRunId);
  const own = new Set(parent.data.metrics.map((m) => m.key));
  const { items } = await client.runs.search({
    experimentIds: [parent.info.experiment_id],
    filter: `tags.\`${PARENT_RUN_TAG}\` = '${parentRunId}'`,
    maxResults: 1000,
  });
  const now = Date.now();
  const metrics = new Map<string, Metric>();
  // Oldest stage first, so a later stage's value of the same metric wins.
  for (const run of [...items].sort((a, b) => Number(a.info.start_time) - Number(b.info.start_time))) {
    for (const metric of run.data.metrics) {
      if (own.has(metric.key) || metric.key.startsWith("flowops.")) continue;
      metrics.set(metric.key, { key: metric.key, value: metric.value, timestamp: now, step: 0 });
    }
  }
  const all = [...metrics.values()];
  for (let i = 0; i < all.length; i += 100) {
    await client.runs.logBatch(parentRunId, { metrics: all.slice(i, i + 100), params: [], tags: [] });
  }
}

/** Registers `runs:/<run>/model` as a new version of `modelName`, creating the model when it is new. */
export async function registerModelVersion(
  client: FlowOpsClient,
  modelName: string,
  runId: string,
  retrainingId: number,
): Promise<string> {
  try {
    await client.registry.getRegisteredModel(modelName);
  } catch (error) {
    if (!(error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST")) throw error;
    await client.registry.createRegisteredModel(modelName);
  }
  const version = await client.registry.createModelVersion(
    modelName,
    `runs:/${runId}/${MODEL_ARTIFACT_PATH}`,
    { runId, tags: [{ key: RETRAINING_TAG, value: String(retrainingId) }] },
  );
  return String(version.version);
}
