/**
 * `flowops quickstart`: the main job shown end to end on a fresh machine. It starts the embedded server,
 * trains the example model while logging params, per-epoch metrics, the training dataset and the model files
 * to a run, registers the model and points the `champion` alias at the new version. Later issues extend this
 * into the full loop (pipeline, gates, serving, canary, drift, retraining).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { startServer, type RunningServer } from "../server/start.js";
import { FLOWOPS_VERSION } from "../version.js";
import { makeBlobs, train, type TrainingParams } from "./logisticRegression.js";

export interface QuickstartOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  experimentName?: string;
  modelName?: string;
  log?: (line: string) => void;
}

export interface QuickstartResult {
  server: RunningServer;
  experimentId: string;
  runId: string;
  modelName: string;
  modelVersion: string;
  accuracy: number;
  urls: Record<string, string>;
}

export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const experimentName = options.experimentName ?? "quickstart";
  const modelName = options.modelName ?? "quickstart-classifier";

  log("starting the embedded tracking server");
  const server = await startServer({ host: options.host, port: options.port ?? 0 }, { logger: false });
  try {
    const client = new FlowOpsClient({ trackingUri: server.url });
    const experimentId =
      (await client.experiments.getByName(experimentName))?.experiment_id ??
      (await client.experiments.create(experimentName));

    const params: TrainingParams = { learningRate: 0.5, epochs: 30, samples: 400, seed: 42 };
    const run = await client.runs.create({ experimentId, runName: `logreg-${Date.now()}` });
    const runId = run.info.run_id;
    log(`run ${runId}: training a logistic regression on ${params.samples} samples`);
    await client.runs.logBatch(runId, {
      params: Object.entries(params).map(([key, value]) => ({ key, value: String(value) })),
      tags: [
        { key: "mlflow.source.type", value: "LOCAL" },
        { key: "flowops.quickstart", value: "true" },
      ],
    });

    const data = makeBlobs(params.samples, params.seed);
    const digest = createHash("md5").update(JSON.stringify(data)).digest("hex").slice(0, 8);
    await client.runs.logInputs(runId, {
      datasets: [
        {
          tags: [{ key: "mlflow.data.context", value: "training" }],
          dataset: {
            name: "blobs",
            digest,
            source_type: "code",
            source: JSON.stringify({ generator: "makeBlobs", seed: params.seed }),
          },
        },
      ],
    });

    const epochs: { key: string; value: number; timestamp: number; step: number }[] = [];
    const model = train(data, params, (m) => {
      const timestamp = Date.now();
      epochs.push({ key: "loss", value: m.loss, timestamp, step: m.epoch });
      epochs.push({ key: "accuracy", value: m.accuracy, timestamp, step: m.epoch });
    });
    await client.runs.logBatch(runId, { metrics: epochs });
    const accuracy = epochs.filter((m) => m.key === "accuracy").at(-1)?.value ?? 0;
    log(`  ${params.epochs} epochs logged, final accuracy ${accuracy.toFixed(3)}`);

    const modelDir = mkdtempSync(join(tmpdir(), "flowops-quickstart-"));
    try {
      writeFileSync(join(modelDir, "model.json"), JSON.stringify(model, null, 2));
      writeFileSync(
        join(modelDir, "MLmodel"),
        YAML.stringify({
          artifact_path: "model",
          run_id: runId,
          utc_time_created: new Date().toISOString().replace("T", " ").replace("Z", ""),
          flavors: { flowops_logistic_regression: { data: "model.json", flowops_version: FLOWOPS_VERSION } },
          signature: {
            inputs: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "float64", shape: [-1, 2] } }]),
            outputs: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "float64", shape: [-1] } }]),
          },
        }),
      );
      await client.artifacts.uploadArtifact({ runId }, join(modelDir, "MLmodel"), "model");
      await client.artifacts.uploadArtifact({ runId }, join(modelDir, "model.json"), "model");
    } finally {
      rmSync(modelDir, { recursive: true, force: true });
    }
    await client.runs.update(runId, { status: "FINISHED", endTime: Date.now() });
    log("  model files uploaded to the run's artifacts (model/MLmodel, model/model.json)");

    try {
      await client.registry.createRegisteredModel(modelName, {
        description: "Quickstart logistic regression",
      });
    } catch (error) {
      if (!(error instanceof FlowOpsError && error.code === "RESOURCE_ALREADY_EXISTS")) throw error;
    }
    const version = await client.registry.createModelVersion(modelName, `runs:/${runId}/model`, { runId });
    await client.registry.setAlias(modelName, "champion", version.version);
    log(`registered ${modelName} version ${version.version} and set alias champion`);

    const api = `${server.url}/api/2.0/mlflow`;
    const urls = {
      server: server.url,
      run: `${api}/runs/get?run_id=${runId}`,
      metrics: `${api}/metrics/get-history?run_id=${runId}&metric_key=accuracy`,
      artifacts: `${server.url}/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts/model`,
      model: `${api}/registered-models/alias?name=${modelName}&alias=champion`,
    };
    return { server, experimentId, runId, modelName, modelVersion: version.version, accuracy, urls };
  } catch (error) {
    await server.close();
    throw error;
  }
}
