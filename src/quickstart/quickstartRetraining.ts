/**
 * The quickstart's retraining phase. The server's retraining loop does the work: the quickstart writes its
 * retraining config (the workspace's pipeline, the model it leaves in model/, gates.yaml, retrain on the
 * first window of dataset drift) before the server starts, then follows the loop through the API: the
 * retraining run (trigger -> pipeline run -> model version -> deployment revision) until it deploys its
 * version or says why not.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FlowOpsClient, RetrainingRun } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { yamlLibrary } from "../yamlLibrary.js";

const POLL_MS = 300;

/** Writes `<root>/retraining.yaml` for one endpoint; returns its path. */
export async function writeRetrainingConfig(
  root: string,
  endpoint: string,
  modelName: string,
): Promise<string> {
  const file = join(root, "retraining.yaml");
  const config = {
    retraining: {
      [endpoint]: {
        pipeline: { dir: "." },
        model: { name: modelName, path: "model" },
        gates: "gates.yaml",
        // One drifted window is enough here: the quickstart's shift is large and it has a minute, not a day.
        triggers: { drift: { consecutiveWindows: 1 } },
        cooldown: "10m",
      },
    },
  };
  await writeFile(
    file,
    `# Written by flowops quickstart: retrain ${endpoint} from its deployed model when its inputs drift.\n${yamlLibrary().stringify(config)}`,
  );
  return file;
}

/** Waits for the endpoint's first retraining to deploy its version; fails when it ends any other way. */
export async function waitForRetraining(
  client: FlowOpsClient,
  endpoint: string,
  timeoutSeconds: number,
): Promise<RetrainingRun> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const [run] = await client.retraining.runs({ endpoint, limit: 1 });
    if (run !== undefined && run.status === "deployed") return run;
    if (run !== undefined && run.status !== "running") {
      throw new FlowOpsError(
        "INVALID_STATE",
        `retraining ${run.id} of ${endpoint} ended ${run.status}: ${run.message ?? "no message"}`,
      );
    }
    if (Date.now() > deadline) {
      throw new FlowOpsError(
        "INVALID_STATE",
        run === undefined
          ? `no retraining of ${endpoint} started within ${timeoutSeconds} s of the drift report`
          : `retraining ${run.id} of ${endpoint} still running after ${timeoutSeconds} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A version the server's retraining loop produced and deployed. */
export interface RetrainedVersion {
  retrainingId: number;
  /** The pipeline's parent run, which holds the model and the folded stage metrics. */
  runId: string;
  version: string;
  modelUri: string;
  baseModelUri: string;
  /** train.ts reported it continued from baseModelUri (its `warm_start` metric). */
  warmStarted: boolean;
  accuracy: number;
  demographicParityRatio: number;
}

/** What the deployed retraining produced, read from its pipeline run. */
export async function retrainedVersion(
  client: FlowOpsClient,
  run: RetrainingRun,
  baseModelUri: string,
): Promise<RetrainedVersion> {
  const { model_name: modelName, model_version: version, pipeline_run_id: runId } = run;
  if (modelName === undefined || version === undefined || runId === undefined) {
    throw new FlowOpsError("INVALID_STATE", `retraining ${run.id} deployed without a model version or run`);
  }
  const parent = await client.runs.get(runId);
  const metric = (key: string) => parent.data.metrics.find((m) => m.key === key)?.value ?? Number.NaN;
  return {
    retrainingId: run.id,
    runId,
    version,
    modelUri: `models:/${modelName}/${version}`,
    baseModelUri,
    warmStarted: metric("warm_start") === 1,
    accuracy: metric("accuracy"),
    demographicParityRatio: metric("demographic_parity_ratio"),
  };
}

export function retrainedSummary(run: RetrainingRun, trained: RetrainedVersion): string {
  return (
    `retraining ${run.id} (${run.trigger_kind}): pipeline run ${trained.runId} ` +
    `${trained.warmStarted ? `warm-started from ${trained.baseModelUri}` : "trained from scratch"} -> ` +
    `v${trained.version} (accuracy ${trained.accuracy.toFixed(3)}, demographic parity ratio ` +
    `${trained.demographicParityRatio.toFixed(3)}, gates passed) -> deployed as canary`
  );
}
