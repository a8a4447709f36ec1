import { createRequire } from "node:module";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { FlowOpsClient } from "../../client/index.js";
import { closeDataRepo, initDataRepo } from "../../data/dataRepo.js";
import type { DeliveryController } from "../../delivery/deployments/deliveryController.js";
import { DeploymentStore } from "../../delivery/deployments/deploymentStore.js";
import { createEmbeddedDelivery } from "../../delivery/deployments/embeddedDelivery.js";
import { mlpOnnx } from "../../serving/onnx/onnxModelWriter.js";
import { parseRetrainingConfig } from "./retrainingConfig.js";
import { RetrainingLoop } from "./retrainingLoop.js";
import { RetrainingRunStore } from "./retrainingRunStore.js";

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const ONNX_WRITER = new URL("../../serving/onnx/onnxModelWriter.ts", import.meta.url).href;

/** The stage: a bare model.onnx from mlpOnnx, the base model it was given, and an accuracy to gate on. */
const TRAIN_TS = `import { writeFileSync } from "node:fs";
import { mlpOnnx } from "${ONNX_WRITER}";
writeFileSync("model.onnx", mlpOnnx({ inputs: 4, hidden: 3, outputs: 2, seed: 7 }).bytes);
writeFileSync("base.txt", process.env.FLOWOPS_BASE_MODEL_URI ?? "");
writeFileSync("metrics.json", JSON.stringify({ accuracy: Number(process.env.TRAIN_ACCURACY) }));
`;

const DVC_YAML = `stages:
  train:
    cmd: node --import ${TSX_LOADER} train.ts
    outs:
    - model.onnx
    - base.txt
    metrics:
    - metrics.json:
        cache: false
`;

const GATES = `name: retraining-gate
conditions:
  - accuracy >= 0.9
`;

let server: TestServer;
let client: FlowOpsClient;
let dir: string;
let delivery: DeliveryController;
let loop: RetrainingLoop | undefined;

beforeEach(async () => {
  server = await startTestServer();
  client = new FlowOpsClient({ trackingUri: server.url });
  dir = await mkdtemp(join(tmpdir(), "flowops-retraining-e2e-"));
  delivery = createEmbeddedDelivery({
    meta: server.ctx.meta,
    trackingUri: () => server.url,
    home: join(dir, "home"),
    log: () => undefined,
  });
  const experimentId = await client.experiments.create("first");
  const run = await client.runs.create({ experimentId });
  await writeFile(join(dir, "model.onnx"), mlpOnnx({ inputs: 4, hidden: 3, outputs: 2, seed: 1 }).bytes);
  await client.artifacts.uploadArtifact({ runId: run.info.run_id }, join(dir, "model.onnx"), "model");
  await client.registry.createRegisteredModel("churn");
  await client.registry.createModelVersion("churn", `runs:/${run.info.run_id}/model`, {
    runId: run.info.run_id,
  });
  await delivery.create({ name: "churn", modelUri: "models:/churn/1" });
});

afterEach(async () => {
  await loop?.close();
  loop = undefined;
  await delivery.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function loopWithPipeline(accuracy: number): Promise<RetrainingLoop> {
  const pipeline = join(dir, "pipeline");
  await mkdir(pipeline, { recursive: true });
  await writeFile(join(pipeline, "dvc.yaml"), DVC_YAML);
  await writeFile(join(pipeline, "train.ts"), TRAIN_TS);
  closeDataRepo(await initDataRepo(pipeline, { noScm: true }));
  await writeFile(join(dir, "gates.yaml"), GATES);
  const config = parseRetrainingConfig(
    `retraining:
  churn:
    pipeline: {dir: pipeline}
    model: {name: churn, path: model.onnx}
    gates: gates.yaml
    triggers: {drift: {consecutiveWindows: 3}}
`,
    join(dir, "retraining.yaml"),
  );
  return new RetrainingLoop({
    config,
    delivery,
    deployments: new DeploymentStore(server.ctx.meta),
    client,
    runs: new RetrainingRunStore(server.ctx.meta),
    log: () => undefined,
    env: { ...process.env, TRAIN_ACCURACY: String(accuracy) },
    pipelineObserver: {
      stage: (pipeline, stage, outcome) => observed.push(`${pipeline} ${stage} ${outcome}`),
      pipeline: (pipeline, outcome) => observed.push(`${pipeline} ${outcome}`),
    },
  });
}

/** What the pipeline observer (the server's pipeline metrics) was told, in order. */
const observed: string[] = [];

describe("a retraining from drift to canary", () => {
  it("trains from the stable model, registers the result, passes the gates and starts a canary of it", async () => {
    loop = await loopWithPipeline(0.95);
    const id = await loop.onDrift("churn", 3);
    await loop.idle();
    const run = await new RetrainingRunStore(server.ctx.meta).get(id ?? -1);
    expect(run).toMatchObject({ status: "deployed", modelName: "churn", modelVersion: "2" });
    expect(run.deploymentRevision).toBe(
      (await new DeploymentStore(server.ctx.meta).get("churn")).state.revision,
    );
    expect(await readFile(join(dir, "pipeline", "base.txt"), "utf8")).toBe("models:/churn/1");
    expect(observed.at(-1)).toBe("retraining-churn succeeded");
    expect(observed.filter((line) => / ran$/.test(line)).length).toBeGreaterThan(0);

    const version = await client.registry.getModelVersion("churn", "2");
    expect(version.run_id).toBe(run.pipelineRunId);
    expect(version.source).toBe(`runs:/${run.pipelineRunId}/model`);
    const parent = await client.runs.get(run.pipelineRunId ?? "");
    expect(parent.data.metrics.find((m) => m.key === "accuracy")?.value).toBe(0.95);
    expect(parent.data.tags.find((t) => t.key === "flowops.retraining.id")?.value).toBe(String(id));
    const [record] = await client.gates.records({ modelName: "churn", version: 2 });
    expect(record?.passed).toBe(true);

    const status = await delivery.status("churn");
    expect(status.stable).toBe("models:/churn/1");
    expect(status.candidate).toBe("models:/churn/2");
  }, 60_000);

  it("stops at the gates when the new model is not good enough, leaving the endpoint as it was", async () => {
    loop = await loopWithPipeline(0.5);
    const id = await loop.trigger("churn", "manual", { reason: "test" });
    await loop.idle();
    const run = await new RetrainingRunStore(server.ctx.meta).get(id);
    expect(run.status).toBe("gates_failed");
    expect(run.modelVersion).toBe("2");
    expect(run.message).toMatch(/^accuracy >= 0\.9: /);
    expect(run.deploymentRevision).toBeUndefined();
    expect((await delivery.status("churn")).candidate).toBeUndefined();
  }, 60_000);
});
