/**
 * The quickstart's training phase, the way a team would run it by hand: `flowops repro` of the example's
 * pipeline with tracking (a parent run, and a run per stage: train, then evaluate, which logs validation,
 * evaluation and fairness), the stages' metrics folded onto the parent run, the model directory logged there
 * and registered as a new version, and the gate policy evaluated for that version (its record is what lets
 * the version take the `production` alias once its rollout is through).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FlowOpsClient } from "../client/index.js";
import { withDataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { repro } from "../pipelines/repro.js";
import { MlflowReproTracking } from "../pipelines/reproTracking.js";
import { foldStageMetrics } from "../monitoring/retraining/modelPublisher.js";

const MODEL_FILES = ["MLmodel", "model.onnx", "weights.json"];

export interface TrainingInput {
  root: string;
  client: FlowOpsClient;
  trackingUri: string;
  experimentName: string;
  modelName: string;
}

export interface TrainedVersion {
  runId: string;
  modelName: string;
  version: string;
  modelUri: string;
  accuracy: number;
  f1Macro: number;
  demographicParityRatio: number;
  gatePassed: boolean;
  /** The failed conditions, or the notes of a pass. */
  gateDetails: string[];
}

/** Runs the pipeline; returns the parent run of the repro. */
async function runPipeline(input: TrainingInput): Promise<string> {
  const tracking = new MlflowReproTracking(input.client, input.root, input.experimentName, input.trackingUri);
  const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: input.trackingUri };
  // The first version trains from scratch, whatever the caller's environment says.
  delete env.FLOWOPS_BASE_MODEL_URI;
  delete env.MLFLOW_RUN_ID;
  const result = await withDataRepo(input.root, (repo) => repro(repo, { tracking, env }));
  if (!result.ok) {
    const failed = result.stages.find((stage) => stage.outcome === "failed");
    throw new FlowOpsError(
      "INVALID_STATE",
      `pipeline in ${input.root} failed at stage '${failed?.name ?? "?"}': ${failed?.message ?? ""}\n${failed?.logTail ?? ""}`,
    );
  }
  const runId = tracking.runId;
  if (runId === undefined) throw new FlowOpsError("INVALID_STATE", "repro finished without a tracked run");
  return runId;
}

/** The quality metrics the evaluate stage logged, as the gate reads them from the parent run. */
async function qualityMetrics(client: FlowOpsClient, runId: string) {
  const run = await client.runs.get(runId);
  const value = (key: string) => run.data.metrics.find((m) => m.key === key)?.value ?? Number.NaN;
  return {
    accuracy: value("accuracy"),
    f1Macro: value("f1_macro"),
    demographicParityRatio: value("demographic_parity_ratio"),
  };
}

/** Logs model/ of the workspace to `runId` and registers it as a new version of `modelName`. */
export async function registerModelDir(
  client: FlowOpsClient,
  modelDir: string,
  runId: string,
  modelName: string,
): Promise<string> {
  for (const file of MODEL_FILES) {
    await client.artifacts.uploadArtifact({ runId }, join(modelDir, file), "model");
  }
  try {
    await client.registry.createRegisteredModel(modelName, {
      description: "Quickstart churn classifier (examples/quickstart/train.ts)",
    });
  } catch (error) {
    if (!(error instanceof FlowOpsError && error.code === "RESOURCE_ALREADY_EXISTS")) throw error;
  }
  const version = await client.registry.createModelVersion(modelName, `runs:/${runId}/model`, { runId });
  return version.version;
}

export async function trainAndRegister(input: TrainingInput): Promise<TrainedVersion> {
  const { client, modelName } = input;
  const runId = await runPipeline(input);
  // The gate judges one run: the stages' metrics (evaluate's quality results) are copied onto the parent.
  await foldStageMetrics(client, runId);
  const quality = await qualityMetrics(client, runId);
  const version = await registerModelDir(client, join(input.root, "model"), runId, modelName);
  const gatesFile = join(input.root, "gates.yaml");
  const { gate } = await client.gates.evaluate({
    policyYaml: await readFile(gatesFile, "utf8"),
    policyFile: "gates.yaml",
    runId,
    modelName,
    version,
  });
  const gateDetails = gate.passed
    ? gate.notes
    : gate.conditions.filter((c) => !c.passed).map((c) => `${c.condition}: ${c.message}`);
  return {
    runId,
    modelName,
    version,
    modelUri: `models:/${modelName}/${version}`,
    ...quality,
    gatePassed: gate.passed,
    gateDetails,
  };
}
