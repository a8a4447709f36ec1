import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { directoryDigest, ModelStore } from "./modelStore.js";
import { parseModelUri } from "./modelUri.js";

const MLMODEL = "flavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.17.0\n";

describe("ModelStore against a tracking server", () => {
  let server: TestServer;
  let client: FlowOpsClient;
  let requests: string[];
  /** While true, every request fails as an unreachable server's does. */
  let offline: boolean;
  let work: string;
  let home: string;
  let runId: string;
  let experimentId: string;

  /** Uploads a model directory (MLmodel + model.onnx holding `weights`) under `path` of a new run. */
  async function logModel(weights: string, path = "model"): Promise<string> {
    const run = await client.runs.create({ experimentId });
    const dir = await mkdtemp(join(work, "upload-"));
    await writeFile(join(dir, "MLmodel"), MLMODEL);
    await writeFile(join(dir, "model.onnx"), weights);
    await client.artifacts.uploadArtifact({ runId: run.info.run_id }, join(dir, "MLmodel"), path);
    await client.artifacts.uploadArtifact({ runId: run.info.run_id }, join(dir, "model.onnx"), path);
    return run.info.run_id;
  }

  function artifactRequests(): string[] {
    return requests.filter((url) => url.includes("/mlflow-artifacts/"));
  }

  /** Requests for files' contents; listings (`/mlflow-artifacts/artifacts?path=`) are not downloads. */
  function downloadRequests(): string[] {
    return requests.filter((url) => url.includes("/mlflow-artifacts/artifacts/"));
  }

  /** Writes `files` into a temp dir and uploads each under `path` of the run, replacing what is there. */
  async function upload(run: string, files: Record<string, string>, path: string): Promise<void> {
    const dir = await mkdtemp(join(work, "upload-"));
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(dir, name), content);
      await client.artifacts.uploadArtifact({ runId: run }, join(dir, name), path);
    }
  }

  function store(): ModelStore {
    return new ModelStore({ home, client });
  }

  beforeAll(async () => {
    server = await startTestServer();
    requests = [];
    offline = false;
    const counting: typeof fetch = (input, init) => {
      requests.push(String(input instanceof Request ? input.url : input));
      // What undici throws when nothing listens: the client reports it as an unreachable server.
      if (offline) return Promise.reject(new TypeError("fetch failed"));
      return fetch(input, init);
    };
    client = new FlowOpsClient({ trackingUri: server.url, env: {}, retries: 0, fetch: counting });
    work = await mkdtemp(join(tmpdir(), "flowops-model-store-"));
    experimentId = await client.experiments.create("serving");
    runId = await logModel("weights-v1");
    await client.registry.createRegisteredModel("churn");
    await client.registry.createModelVersion("churn", `runs:/${runId}/model`, { runId });
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    home = await mkdtemp(join(work, "home-"));
    requests.length = 0;
    offline = false;
  });

  it("downloads a registry version once and serves the second resolve from disk after asking the server", async () => {
    const first = await store().resolve(parseModelUri("models:/churn/1"));
    expect(first).toMatchObject({ name: "churn", version: "1", source: "models:/churn/1", downloaded: true });
    expect(first.path).toBe(join(home, "models", first.digest ?? ""));
    expect(await readFile(join(first.path, "model.onnx"), "utf8")).toBe("weights-v1");
    expect(await readFile(join(first.path, "MLmodel"), "utf8")).toBe(MLMODEL);
    expect((await directoryDigest(first.path)).sha256).toBe(first.digest);
    expect(artifactRequests().length).toBeGreaterThan(0);

    requests.length = 0;
    const second = await store().resolve(parseModelUri("models:/churn/1"));
    expect(second).toEqual({ ...first, downloaded: false });
    // The version and its files' listing are checked, but no file is fetched.
    expect(requests.some((url) => url.includes("model-versions/get"))).toBe(true);
    expect(requests.some((url) => url.includes("mlflow-artifacts/artifacts?"))).toBe(true);
    expect(downloadRequests()).toEqual([]);
    // No temp download directories are left behind.
    expect((await readdir(join(home, "models"))).sort()).toEqual([first.digest, "index.json"].sort());
  });

  it("resolves an alias to the version it points at, following it when it moves", async () => {
    await client.registry.setAlias("churn", "champion", "1");
    const v1 = await store().resolve(parseModelUri("models:/churn@champion"));
    expect(v1).toMatchObject({ name: "churn", version: "1", source: "models:/churn/1", downloaded: true });

    // The alias names a version already stored: no download, only the lookups.
    requests.length = 0;
    const again = await store().resolve(parseModelUri("models:/churn/1"));
    expect(again.downloaded).toBe(false);
    expect(downloadRequests()).toEqual([]);

    const run2 = await logModel("weights-v2");
    const version2 = await client.registry.createModelVersion("churn", `runs:/${run2}/model`, {
      runId: run2,
    });
    await client.registry.setAlias("churn", "champion", version2.version);
    const v2 = await store().resolve(parseModelUri("models:/churn@champion"));
    expect(v2).toMatchObject({ version: version2.version, downloaded: true });
    expect(v2.digest).not.toBe(v1.digest);
    expect(await readFile(join(v2.path, "model.onnx"), "utf8")).toBe("weights-v2");
  });

  it("downloads a run artifact again after it was overwritten in place (stale model regression)", async () => {
    const run = (await client.runs.create({ experimentId })).info.run_id;
    await upload(run, { "model.onnx": "model-A" }, "raw");
    const uri = parseModelUri(`runs:/${run}/raw/model.onnx`);
    const a = await store().resolve(uri);
    expect(await readFile(join(a.path, "model.onnx"), "utf8")).toBe("model-A");

    requests.length = 0;
    expect(await store().resolve(uri)).toEqual({ ...a, downloaded: false });
    expect(downloadRequests()).toEqual([]);

    await upload(run, { "model.onnx": "model-B, retrained" }, "raw");
    const b = await store().resolve(uri);
    expect(b.downloaded).toBe(true);
    expect(b.digest).not.toBe(a.digest);
    expect(await readFile(join(b.path, "model.onnx"), "utf8")).toBe("model-B, retrained");
  });

  it("downloads a run directory again when a file is added to it", async () => {
    const run = (await client.runs.create({ experimentId })).info.run_id;
    await upload(run, { MLmodel: MLMODEL, "model.onnx": "weights" }, "raw");
    const uri = parseModelUri(`runs:/${run}/raw`);
    const first = await store().resolve(uri);
    await upload(run, { "extra.txt": "x" }, "raw/sub");
    const second = await store().resolve(uri);
    expect(second.downloaded).toBe(true);
    expect((await readdir(second.path)).sort()).toEqual(["MLmodel", "model.onnx", "sub"]);
    expect(second.digest).not.toBe(first.digest);
  });

  it("follows a registry version re-created under a deleted model's name, and refuses a deleted one", async () => {
    const runA = await logModel("model-A");
    await client.registry.createRegisteredModel("tmpm");
    await client.registry.createModelVersion("tmpm", `runs:/${runA}/model`, { runId: runA });
    const uri = parseModelUri("models:/tmpm/1");
    const a = await store().resolve(uri);
    expect(await readFile(join(a.path, "model.onnx"), "utf8")).toBe("model-A");

    // The TypeScript client has no call to delete a registered model; MLflow's REST call is used.
    const deleted = await fetch(`${server.url}/api/2.0/mlflow/registered-models/delete`, {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "tmpm" }),
    });
    expect(deleted.status).toBe(200);
    const gone = await store()
      .resolve(uri)
      .catch((e: unknown) => e);
    expect((gone as FlowOpsError).code).toBe("RESOURCE_DOES_NOT_EXIST");

    // Same sizes as model A: only the version's new source tells them apart.
    const runB = await logModel("model-B");
    await client.registry.createRegisteredModel("tmpm");
    await client.registry.createModelVersion("tmpm", `runs:/${runB}/model`, { runId: runB });
    const b = await store().resolve(uri);
    expect(b).toMatchObject({ source: "models:/tmpm/1", downloaded: true });
    expect(await readFile(join(b.path, "model.onnx"), "utf8")).toBe("model-B");
  });

  it("downloads a version whose download URI is the runs:/ URI it was registered from, as MLflow answers", async () => {
    const asMlflow: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.includes("model-versions/get-download-uri")) return fetch(input, init);
      return Response.json({ artifact_uri: `runs:/${runId}/model` });
    };
    const mlflowLike = new FlowOpsClient({ trackingUri: server.url, env: {}, retries: 0, fetch: asMlflow });
    const resolved = await new ModelStore({ home, client: mlflowLike }).resolve(
      parseModelUri("models:/churn/1"),
    );
    expect(await readFile(join(resolved.path, "model.onnx"), "utf8")).toBe("weights-v1");
  });

  it("fails with a clear error, not the stored copy, when the server cannot be reached", async () => {
    await store().resolve(parseModelUri("models:/churn/1"));
    offline = true;
    const error = await store()
      .resolve(parseModelUri("models:/churn/1"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("TEMPORARILY_UNAVAILABLE");
    expect((error as FlowOpsError).message).toContain(
      "models:/churn/1: cannot check with the tracking server",
    );
  });

  it("downloads again when a stored entry no longer matches its digest", async () => {
    const first = await store().resolve(parseModelUri("models:/churn/1"));
    await writeFile(join(first.path, "model.onnx"), "tampered");
    const second = await store().resolve(parseModelUri("models:/churn/1"));
    expect(second.downloaded).toBe(true);
    expect(second.path).toBe(first.path);
    expect(await readFile(join(second.path, "model.onnx"), "utf8")).toBe("weights-v1");
  });

  it("stores the same content once whatever source named it", async () => {
    const byVersion = await store().resolve(parseModelUri("models:/churn/1"));
    const byRun = await store().resolve(parseModelUri(`runs:/${runId}/model`));
    expect(byRun).toMatchObject({ name: "model", version: "1", downloaded: true, digest: byVersion.digest });
  });

  it("downloads a single run artifact file into a directory of its own", async () => {
    const resolved = await store().resolve(parseModelUri(`runs:/${runId}/model/model.onnx`));
    expect(resolved.name).toBe("model.onnx");
    expect(await readdir(resolved.path)).toEqual(["model.onnx"]);
  });

  it("finds an MLflow 3 logged model a run lists among its outputs by its name", async () => {
    const run = await client.runs.create({ experimentId });
    const model = await client.loggedModels.create(experimentId, {
      name: "clf",
      sourceRunId: run.info.run_id,
    });
    const file = join(work, "MLmodel");
    await writeFile(file, MLMODEL);
    await client.artifacts.uploadArtifact({ artifactUri: model.info.artifact_uri }, file);
    await client.loggedModels.finalize(model.info.model_id, "LOGGED_MODEL_READY");
    // What MLflow's log_model does to link the model to its run (the TypeScript client has no call for it).
    const linked = await fetch(`${server.url}/api/2.0/mlflow/runs/outputs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ run_id: run.info.run_id, models: [{ model_id: model.info.model_id, step: 0 }] }),
    });
    expect(linked.status).toBe(200);
    const byRun = await store().resolve(parseModelUri(`runs:/${run.info.run_id}/clf`));
    expect(byRun).toMatchObject({ name: "clf", downloaded: true });
    const byId = await store().resolve(parseModelUri(`models:/${model.info.model_id}`));
    expect(byId).toMatchObject({ name: "clf", version: "1", digest: byRun.digest });
    const again = await store().resolve(parseModelUri(`models:/${model.info.model_id}`));
    expect(again).toMatchObject({ name: "clf", downloaded: false, digest: byRun.digest });
  });

  it("reports a run path that holds nothing as not existing", async () => {
    const error = await store()
      .resolve(parseModelUri(`runs:/${runId}/missing`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((error as FlowOpsError).message).toContain(`run '${runId}' has no artifact 'missing'`);
  });

  it("passes the registry's not-found error through for an unknown version", async () => {
    const error = await store()
      .resolve(parseModelUri("models:/churn/99"))
      .catch((e: unknown) => e);
    expect((error as FlowOpsError).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("uses a local directory where it is, without the server", async () => {
    const dir = join(work, "local-model");
    mkdirSync(dir, { recursive: true });
    const resolved = await store().resolve(parseModelUri(dir));
    expect(resolved).toEqual({
      path: dir,
      name: "local-model",
      version: "1",
      source: dir,
      downloaded: false,
    });
    expect(requests).toEqual([]);
    expect(basename(resolved.path)).toBe("local-model");
  });
});

describe("directoryDigest", () => {
  it("depends on file names and contents, not on where the directory is", async () => {
    const a = await mkdtemp(join(tmpdir(), "flowops-digest-"));
    const b = await mkdtemp(join(tmpdir(), "flowops-digest-"));
    try {
      for (const dir of [a, b]) {
        mkdirSync(join(dir, "sub"));
        await writeFile(join(dir, "sub", "x.bin"), "x");
        await writeFile(join(dir, "MLmodel"), "m");
      }
      expect(await directoryDigest(a)).toEqual(await directoryDigest(b));
      await writeFile(join(b, "sub", "x.bin"), "y");
      expect((await directoryDigest(a)).sha256).not.toBe((await directoryDigest(b)).sha256);
    } finally {
      await rm(a, { recursive: true, force: true });
      await rm(b, { recursive: true, force: true });
    }
  });
});
