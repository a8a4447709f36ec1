/**
 * The quickstart's delivery phase, through the server's deployments API: create the endpoint with the
 * example's canary rollout, follow a rollout until it is promoted or rolled back, and build the deliberately
 * broken version (the current model with its output layer negated, so it answers the opposite class; the
 * default analysis' agreement check with stable must catch it).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentStatus, FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { mlpOnnx } from "../serving/onnx/onnxModelWriter.js";
import { registerModelDir } from "./quickstartTraining.js";

const POLL_MS = 200;

export interface RolloutOutcome {
  status: DeploymentStatus;
  promoted: boolean;
  /** From the deploy call to promotion or rollback. */
  seconds: number;
  /** When the candidate's traffic went back to stable (rollbacks only), seconds after the deploy call. */
  rollbackSeconds?: number;
}

export async function createEndpoint(
  client: FlowOpsClient,
  endpoint: string,
  modelUri: string,
  rolloutFile: string,
): Promise<DeploymentStatus> {
  return client.deployments.create({
    name: endpoint,
    modelUri,
    rolloutYaml: await readFile(rolloutFile, "utf8"),
    rolloutFile: "rollout.yaml",
  });
}

/** Deploys `modelUri` as the candidate and follows the rollout until it is promoted or rolled back. */
export async function rollOut(
  client: FlowOpsClient,
  endpoint: string,
  modelUri: string,
  timeoutSeconds: number,
): Promise<RolloutOutcome> {
  const start = performance.now();
  await client.deployments.deploy(endpoint, modelUri);
  return followRollout(client, endpoint, modelUri, start, timeoutSeconds);
}

/** Polls the deployment until `modelUri` is stable (promoted) or the rollout is Degraded (rolled back). */
export async function followRollout(
  client: FlowOpsClient,
  endpoint: string,
  modelUri: string,
  start: number,
  timeoutSeconds: number,
): Promise<RolloutOutcome> {
  const deadline = start + timeoutSeconds * 1000;
  for (;;) {
    const status = await client.deployments.status(endpoint);
    const seconds = (performance.now() - start) / 1000;
    if (status.stable === modelUri && status.candidate === undefined && status.phase === "Healthy") {
      return { status, promoted: true, seconds };
    }
    if (status.phase === "Degraded") {
      const back = status.weights.every((route) => route.model !== modelUri || route.weight === 0);
      return { status, promoted: false, seconds, ...(back ? { rollbackSeconds: seconds } : {}) };
    }
    if (performance.now() > deadline) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `rollout of ${modelUri} on endpoint ${endpoint} still ${status.phase} after ${timeoutSeconds} s ` +
          `(step ${status.stepIndex}${status.pauseReason ? `, ${status.pauseReason}` : ""})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface StoredWeights {
  features: string[];
  mean: number[];
  std: number[];
  hidden: number;
  classes: number;
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}

/**
 * Registers a broken copy of the version `runId` logged: the same first layer, the output layer negated.
 * It is logged to a run of its own, tagged as a deliberate fault, and skips the gates on purpose: what stops
 * it is the canary's analysis, not the release checks.
 */
export async function registerBrokenVersion(
  client: FlowOpsClient,
  experimentId: string,
  sourceRunId: string,
  modelName: string,
): Promise<{ runId: string; version: string; modelUri: string }> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-quickstart-broken-"));
  try {
    const modelDir = join(dir, "model");
    await mkdir(modelDir);
    await client.artifacts.downloadArtifact(
      { runId: sourceRunId },
      "model/MLmodel",
      join(modelDir, "MLmodel"),
    );
    const weightsFile = join(modelDir, "weights.json");
    await client.artifacts.downloadArtifact({ runId: sourceRunId }, "model/weights.json", weightsFile);
    const state = JSON.parse(await readFile(weightsFile, "utf8")) as StoredWeights;
    const broken = { ...state, w2: state.w2.map((w) => -w), b2: state.b2.map((b) => -b) };
    await writeFile(weightsFile, JSON.stringify(broken));
    const k = state.features.length;
    const w1 = new Float32Array(k * state.hidden);
    const b1 = Float32Array.from(state.b1);
    for (let j = 0; j < k; j++) {
      for (let h = 0; h < state.hidden; h++) {
        const w = (state.w1[j * state.hidden + h] ?? 0) / (state.std[j] ?? 1);
        w1[j * state.hidden + h] = w;
        b1[h] = (b1[h] ?? 0) - (state.mean[j] ?? 0) * w;
      }
    }
    const { bytes } = mlpOnnx({
      inputs: k,
      hidden: state.hidden,
      outputs: state.classes,
      weights: { w1, b1, w2: Float32Array.from(broken.w2), b2: Float32Array.from(broken.b2) },
      inputName: "features",
    });
    await writeFile(join(modelDir, "model.onnx"), bytes);
    const run = await client.runs.create({ experimentId, runName: "broken-output-layer" });
    const runId = run.info.run_id;
    await client.runs.logBatch(runId, {
      tags: [
        { key: "flowops.quickstart.fault", value: "output layer negated: answers the opposite class" },
        { key: "flowops.quickstart.source_run", value: sourceRunId },
      ],
    });
    const version = await registerModelDir(client, modelDir, runId, modelName);
    await client.runs.update(runId, { status: "FINISHED", endTime: Date.now() });
    return { runId, version, modelUri: `models:/${modelName}/${version}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
