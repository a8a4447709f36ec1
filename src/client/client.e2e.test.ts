import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { FlowOpsError } from "../errors.js";
import { FlowOpsClient } from "./index.js";

describe("FlowOpsClient against a real server", () => {
  let server: TestServer;
  let client: FlowOpsClient;
  let workDir: string;

  beforeAll(async () => {
    server = await startTestServer();
    client = new FlowOpsClient({ trackingUri: server.url, env: {}, retries: 0 });
    workDir = mkdtempSync(join(tmpdir(), "flowops-client-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("manages experiments: create, get, get by name, update, tag, search, delete, restore", async () => {
    const id = await client.experiments.create("client-exp", { tags: [{ key: "team", value: "ml" }] });
    expect((await client.experiments.get(id)).name).toBe("client-exp");
    expect((await client.experiments.getByName("client-exp"))?.experiment_id).toBe(id);
    expect(await client.experiments.getByName("no-such-experiment")).toBeUndefined();
    const untagged = await client.experiments.create("client-exp-untagged");
    expect((await client.experiments.get(untagged)).tags).toEqual([]);
    await client.experiments.update(id, "client-exp-2");
    await client.experiments.setTag(id, "owner", "ana");
    const experiment = await client.experiments.get(id);
    expect(experiment.name).toBe("client-exp-2");
    expect(experiment.tags).toContainEqual({ key: "owner", value: "ana" });
    const found = await client.experiments.search({ filter: "name = 'client-exp-2'" });
    expect(found.items.map((e) => e.experiment_id)).toEqual([id]);
    await client.experiments.delete(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("deleted");
    await client.experiments.restore(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("active");
  });

  it("raises the server's error code as a FlowOpsError", async () => {
    await client.experiments.create("dup");
    const error = await client.experiments.create("dup").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("RESOURCE_ALREADY_EXISTS");
  });

  it("logs to a run and reads metrics back, NaN included", async () => {
    const experimentId = await client.experiments.create("runs-exp");
    const run = await client.runs.create({ experimentId, runName: "baseline" });
    const runId = run.info.run_id;
    await client.runs.logParam(runId, "lr", "0.1");
    await client.runs.logMetric(runId, "loss", 0.5, { step: 0, timestamp: 1 });
    await client.runs.logMetric(runId, "loss", Number.NaN, { step: 1, timestamp: 2 });
    await client.runs.setTag(runId, "stage", "dev");
    await client.runs.logBatch(runId, {
      metrics: [{ key: "acc", value: 0.9, timestamp: 3, step: 0 }],
      params: [{ key: "depth", value: "3" }],
      tags: [{ key: "kind", value: "tree" }],
    });
    await client.runs.deleteTag(runId, "stage");
    const read = await client.runs.get(runId);
    expect(read.data.params).toEqual(
      expect.arrayContaining([
        { key: "lr", value: "0.1" },
        { key: "depth", value: "3" },
      ]),
    );
    expect(read.data.tags.find((t) => t.key === "stage")).toBeUndefined();
    expect(read.data.metrics.find((m) => m.key === "loss")?.value).toBeNaN();
    const history = await client.runs.getMetricHistory(runId, "loss");
    expect(history.map((m) => m.step)).toEqual([0, 1]);
    expect(history[1]?.value).toBeNaN();
    const info = await client.runs.update(runId, { status: "FINISHED", endTime: 10 });
    expect(info.status).toBe("FINISHED");
    const found = await client.runs.search({ experimentIds: [experimentId], filter: "metrics.acc > 0.5" });
    expect(found.items.map((r) => r.info.run_id)).toEqual([runId]);
    await client.runs.delete(runId);
    await client.runs.restore(runId);
    expect((await client.runs.get(runId)).info.lifecycle_stage).toBe("active");
  });

  // MLflow 3.17.2 answers a metric logged with step and timestamp 9223372036854775807 with every digit, in runs/get,
  // runs/search, metrics/get-history and (logged with model_id) logged-models/<id>; JSON.parse would read 2^63.
  it("keeps int64 steps, timestamps and run times beyond 2^53 exact, as BigInts", async () => {
    const max = 2n ** 63n - 1n;
    const experimentId = await client.experiments.create("int64-exp");
    const run = await client.runs.create({ experimentId, startTime: 2n ** 53n + 1n });
    const runId = run.info.run_id;
    expect(run.info.start_time).toBe(2n ** 53n + 1n);
    const model = await client.loggedModels.create(experimentId, { sourceRunId: runId });
    // The server leaves empty lists out, as MLflow does; the client hands back arrays.
    expect([model.info.tags, model.info.registrations, model.data.params]).toEqual([[], [], []]);
    await client.runs.logMetric(runId, "m", 1.5, { step: max, timestamp: max, modelId: model.info.model_id });
    // A whole double past 2^53 is still a number, and a safe integer step stays one.
    await client.runs.logBatch(runId, { metrics: [{ key: "big", value: 2 ** 60, timestamp: 7, step: 3 }] });
    const expected = { key: "m", value: 1.5, timestamp: max, step: max };
    const read = await client.runs.get(runId);
    expect(read.data.metrics.find((m) => m.key === "m")).toEqual(expected);
    expect(read.data.metrics.find((m) => m.key === "big")).toEqual({
      key: "big",
      value: 2 ** 60,
      timestamp: 7,
      step: 3,
    });
    expect(await client.runs.getMetricHistory(runId, "m")).toEqual([expected]);
    const info = await client.runs.update(runId, { status: "FINISHED", endTime: max });
    expect(info.end_time).toBe(max);
    const found = await client.runs.search({ experimentIds: [experimentId] });
    expect(found.items[0]?.info).toMatchObject({ start_time: 2n ** 53n + 1n, end_time: max });
    const linked = (await client.loggedModels.get(model.info.model_id)).data.metrics;
    expect(linked).toEqual([{ ...expected, run_id: runId, model_id: model.info.model_id }]);
  });

  it("uploads, lists and downloads artifacts through the proxy", async () => {
    const experimentId = await client.experiments.create("artifacts-exp");
    const run = await client.runs.create({ experimentId });
    const target = { runId: run.info.run_id };
    const local = join(workDir, "model.pkl");
    writeFileSync(local, "pickled");
    await client.artifacts.uploadArtifact(target, local, "model");
    await client.artifacts.uploadArtifact(
      target,
      Readable.from([Buffer.from("flavors: {}\n")]),
      "model/MLmodel",
    );
    expect(await client.artifacts.listArtifacts(target)).toEqual([{ path: "model", is_dir: true }]);
    expect(await client.artifacts.listArtifacts(target, "model")).toEqual([
      { path: "model/MLmodel", is_dir: false, file_size: 12 },
      { path: "model/model.pkl", is_dir: false, file_size: 7 },
    ]);
    const out = join(workDir, "out");
    await client.artifacts.downloadArtifact(target, "model", out);
    expect(readFileSync(join(out, "model.pkl"), "utf8")).toBe("pickled");
    expect(readFileSync(join(out, "MLmodel"), "utf8")).toBe("flavors: {}\n");
  });

  it("logs a 3.x model: create, upload under its artifact_uri, finalize, search, and link run inputs", async () => {
    const experimentId = await client.experiments.create("models-exp");
    const run = await client.runs.create({ experimentId });
    const model = await client.loggedModels.create(experimentId, {
      name: "clf",
      sourceRunId: run.info.run_id,
    });
    expect(model.info.status).toBe("LOGGED_MODEL_PENDING");
    const target = { artifactUri: model.info.artifact_uri };
    await client.artifacts.uploadArtifact(target, Readable.from([Buffer.from("m")]), "MLmodel");
    expect(await client.artifacts.listArtifacts(target)).toEqual([
      { path: "MLmodel", is_dir: false, file_size: 1 },
    ]);
    expect((await client.loggedModels.finalize(model.info.model_id, "LOGGED_MODEL_READY")).info.status).toBe(
      "LOGGED_MODEL_READY",
    );
    await client.loggedModels.setTags(model.info.model_id, [{ key: "k", value: "v" }]);
    await client.runs.logMetric(run.info.run_id, "acc", 0.93, {
      modelId: model.info.model_id,
      datasetName: "eval",
    });
    const linked = (await client.loggedModels.get(model.info.model_id)).data.metrics;
    expect(linked).toMatchObject([
      { key: "acc", value: 0.93, run_id: run.info.run_id, dataset_name: "eval" },
    ]);
    const found = await client.loggedModels.search({ experimentIds: [experimentId], filter: "name = 'clf'" });
    expect(found.items.map((m) => m.info.tags)).toEqual([[{ key: "k", value: "v" }]]);
    await client.runs.logInputs(run.info.run_id, {
      datasets: [{ tags: [], dataset: { name: "d", digest: "x", source_type: "local", source: "/d" } }],
      modelIds: [model.info.model_id],
    });
    const inputs = (await client.runs.get(run.info.run_id)).inputs;
    expect(inputs.dataset_inputs.map((i) => i.dataset.name)).toEqual(["d"]);
    expect(inputs.model_inputs).toEqual([{ model_id: model.info.model_id }]);
    await client.loggedModels.delete(model.info.model_id);
    await expect(client.loggedModels.get(model.info.model_id)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("registers versions, aliases and stages", async () => {
    const experimentId = await client.experiments.create("registry-exp");
    const run = await client.runs.create({ experimentId });
    const model = await client.registry.createRegisteredModel("churn", { description: "d" });
    expect(model.name).toBe("churn");
    const version = await client.registry.createModelVersion("churn", `${run.info.artifact_uri}/model`, {
      runId: run.info.run_id,
    });
    expect(version.version).toBe("1");
    expect((await client.registry.getModelVersion("churn", "1")).status).toBe("READY");
    await client.registry.setAlias("churn", "champion", "1");
    expect((await client.registry.getModelVersionByAlias("churn", "champion")).version).toBe("1");
    await client.registry.deleteAlias("churn", "champion");
    await expect(client.registry.getModelVersionByAlias("churn", "champion")).rejects.toBeInstanceOf(
      FlowOpsError,
    );
    const staged = await client.registry.transitionStage("churn", "1", "Staging");
    expect(staged.current_stage).toBe("Staging");
    await client.registry.setRegisteredModelTag("churn", "owner", "ana");
    await client.registry.setModelVersionTag("churn", "1", "validated", "true");
    expect((await client.registry.getRegisteredModel("churn")).tags).toEqual([
      { key: "owner", value: "ana" },
    ]);
    expect((await client.registry.searchRegisteredModels({ filter: "name = 'churn'" })).items).toHaveLength(
      1,
    );
    expect((await client.registry.searchModelVersions({ filter: "name = 'churn'" })).items).toHaveLength(1);
    expect(await client.registry.getDownloadUri("churn", "1")).toBe(`${run.info.artifact_uri}/model`);
  });
});
