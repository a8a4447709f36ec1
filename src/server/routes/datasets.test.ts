import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { FlowOpsClient } from "../../client/index.js";
import { rejection } from "../../../test/support/thrownError.js";

const TRAIN = {
  name: "data/train",
  path: "data/train",
  md5: "5fc28ea78987408341668eba6525ebd1.dir",
  size: 1234,
  nfiles: 3,
  remote: "storage",
  git_commit: "0123456789abcdef0123456789abcdef01234567",
  created_by: "ann",
};

describe("dataset version and lineage routes", () => {
  let server: TestServer;
  let client: FlowOpsClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("records a version once and returns the same one for the same name and md5", async () => {
    const first = await client.datasets.recordVersion(TRAIN);
    expect(first.created).toBe(true);
    expect(first.datasetVersion).toMatchObject(TRAIN);
    const again = await client.datasets.recordVersion({ ...TRAIN, created_by: "bob" });
    expect(again).toEqual({ datasetVersion: first.datasetVersion, created: false });
  });

  it("lists versions by name and reads one by id", async () => {
    const other = await client.datasets.recordVersion({
      name: "labels.csv",
      path: "labels.csv",
      md5: "d41d8cd98f00b204e9800998ecf8427e",
      size: 0,
    });
    const listed = await client.datasets.listVersions({ name: "labels.csv" });
    expect(listed).toEqual([other.datasetVersion]);
    expect((await client.datasets.listVersions()).length).toBeGreaterThanOrEqual(2);
    expect(await client.datasets.getVersion(other.datasetVersion.id)).toEqual({
      datasetVersion: other.datasetVersion,
      runIds: [],
    });
  });

  it("answers a bad request with INVALID_PARAMETER_VALUE naming the field", async () => {
    const response = await fetch(`${server.url}/api/v1/datasets/versions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...TRAIN, size: -5 }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(body.message).toMatch(/'size'/);
  });

  it("answers an unknown version id with 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const error = await rejection(client.datasets.getVersion("nope"));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("links a version to a run so MLflow's run view lists it as a dvc dataset input", async () => {
    const experimentId = await client.experiments.create("lineage-link");
    const run = await client.runs.create({ experimentId });
    const { datasetVersion } = await client.datasets.recordVersion(TRAIN);
    await client.datasets.linkToRun(datasetVersion.id, run.info.run_id, { context: "training" });

    const read = await client.runs.get(run.info.run_id);
    expect(read.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: expect.objectContaining({ name: "data/train", digest: TRAIN.md5, source_type: "dvc" }),
      },
    ]);
    const source = JSON.parse(read.inputs.dataset_inputs?.[0]?.dataset.source ?? "{}") as unknown;
    expect(source).toEqual({
      path: TRAIN.path,
      md5: TRAIN.md5,
      remote: TRAIN.remote,
      git_commit: TRAIN.git_commit,
    });
    expect((await client.datasets.getVersion(datasetVersion.id)).runIds).toEqual([run.info.run_id]);
  });

  it("traces a registered model version to its run and that run's dataset versions", async () => {
    const experimentId = await client.experiments.create("lineage-model");
    const run = await client.runs.create({ experimentId });
    const { datasetVersion } = await client.datasets.recordVersion({
      ...TRAIN,
      md5: "5fb6b29836c388e093ca0715c872fe2a.dir",
    });
    await client.datasets.linkToRun(datasetVersion.id, run.info.run_id);
    await client.registry.createRegisteredModel("churn");
    const version = await client.registry.createModelVersion("churn", `${run.info.artifact_uri}/model`, {
      runId: run.info.run_id,
    });

    const lineage = await client.datasets.lineageOfModelVersion("churn", version.version);
    expect(lineage.model_version).toMatchObject({
      name: "churn",
      version: version.version,
      run_id: run.info.run_id,
    });
    expect(lineage.run?.run_id).toBe(run.info.run_id);
    expect(lineage.datasets).toEqual([datasetVersion]);

    const missing = await rejection(client.datasets.lineageOfModelVersion("churn", 99));
    expect(missing.code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("finds the lineage of a model whose name needs escaping in a URL", async () => {
    const experimentId = await client.experiments.create("lineage-escaped");
    const run = await client.runs.create({ experimentId });
    await client.registry.createRegisteredModel("team churn %é?");
    await client.registry.createModelVersion("team churn %é?", `${run.info.artifact_uri}/model`, {
      runId: run.info.run_id,
    });
    const lineage = await client.datasets.lineageOfModelVersion("team churn %é?", "1");
    expect(lineage.model_version.name).toBe("team churn %é?");
    expect(lineage.datasets).toEqual([]);
  });
});
