import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelVersion } from "../../registry/entities.js";
import { insertExperimentRuns } from "../../../test/support/registryRuns.js";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

/**
 * Model version sources, each answer recorded from `mlflow server` 3.17.2 (sqlite store, --serve-artifacts,
 * curl) for the same requests: a `models:/` source naming a logged model or a registered version, and local
 * paths with and without the run that holds them.
 */
interface WireBody {
  error_code?: string;
  message?: string;
  model_version?: ModelVersion;
  artifact_uri?: string;
  model?: { info: { model_id: string; artifact_uri: string } };
}

let server: TestServer;
let localRoot: string;
const RUN = "0123456789abcdef0123456789abcdef";
const LOCAL_RUN = "fedcba9876543210fedcba9876543210";
let localArtifacts: string;
let modelId: string;

const call = (method: string, path: string, body?: object) =>
  callMlflowApi<WireBody>(server, method, path, body);
const create = (body: object) => call("POST", "model-versions/create", { name: "src", ...body });
const refusal = (message: string) => ({
  status: 400,
  json: {
    error_code: "INVALID_PARAMETER_VALUE",
    sqlstate: "KAM00",
    error_class: "INVALID_PARAMETER_VALUE",
    message,
  },
});
const notOwned = (source: string, field: string) =>
  refusal(
    `Invalid model version source: '${source}'. The ${field} request parameter must identify the resource ` +
      "that contains the source.",
  );
const localRefused = (shown: string) =>
  refusal(
    `Invalid model version source: '${shown}'. To use a local path as a model version source, the run_id ` +
      "request parameter has to be specified and the local path has to be contained within the artifact " +
      "directory of the run specified by the run_id.",
  );

beforeAll(async () => {
  server = await startTestServer();
  localRoot = mkdtempSync(join(tmpdir(), "flowops-local-runs-"));
  const db = server.ctx.meta.db;
  const { experimentId } = await insertExperimentRuns(db, { runIds: [RUN], experimentName: "remote" });
  [localArtifacts] = (
    await insertExperimentRuns(db, {
      runIds: [LOCAL_RUN],
      experimentName: "local",
      artifactLocation: localRoot,
    })
  ).artifactUris as [string];
  const logged = await call("POST", "logged-models", {
    experiment_id: String(experimentId),
    name: "lm",
    source_run_id: RUN,
  });
  modelId = logged.json.model?.info.model_id as string;
  await call("POST", "registered-models/create", { name: "src" });
  await create({ source: `runs:/${RUN}/model`, run_id: RUN });
  await create({ source: `models:/${modelId}`, model_id: modelId });
  await call("POST", "registered-models/alias", { name: "src", alias: "champ", version: "2" });
});
afterAll(async () => {
  await server.close();
  rmSync(localRoot, { recursive: true, force: true });
});

describe("a models:/<model_id> source", () => {
  it("is refused without the model_id naming that logged model", async () => {
    const source = `models:/${modelId}`;
    expect(await create({ source })).toEqual(notOwned(source, "model_id"));
    expect(await create({ source, run_id: RUN })).toEqual(notOwned(source, "model_id"));
    expect(await create({ source, model_id: "m-other" })).toEqual(notOwned(source, "model_id"));
  });

  it("is registered with its model_id at the logged model's location, under its source run", async () => {
    const created = await create({ source: `models:/${modelId}`, model_id: modelId });
    expect(created.json.model_version).toMatchObject({ source: `models:/${modelId}`, run_id: RUN });
    const uri = await call("GET", "model-versions/get-download-uri", {
      name: "src",
      version: created.json.model_version?.version,
    });
    expect(uri.json.artifact_uri).toBe(`mlflow-artifacts:/1/models/${modelId}/artifacts`);
  });

  it("naming no logged model is refused with MLflow's words (a 500 there)", async () => {
    expect(await create({ source: "models:/m-missing", model_id: "m-missing" })).toEqual(
      refusal(
        "Unable to fetch model from model URI source artifact location 'models:/m-missing'.Error: Logged " +
          "model with ID 'm-missing' not found.",
      ),
    );
  });
});

describe("a models:/ source naming a registered model version", () => {
  it.each([
    ["models:/src@champ", "models:/src/2", () => `mlflow-artifacts:/1/models/${modelId}/artifacts`],
    ["models:/src/1", "models:/src/1", () => `runs:/${RUN}/model`],
  ])("%s is registered pinned as %s, with that version's run and location", async (source, pinned, at) => {
    const created = await create({ source });
    expect(created.status).toBe(200);
    expect(created.json.model_version).toMatchObject({ source: pinned, run_id: RUN });
    const uri = await call("GET", "model-versions/get-download-uri", {
      name: "src",
      version: created.json.model_version?.version,
    });
    expect(uri.json.artifact_uri).toBe(at());
  });

  it("pins latest and a stage to the newest such version", async () => {
    const latest = await create({ source: "models:/src/latest" });
    const newest = Number(latest.json.model_version?.version) - 1;
    expect(latest.json.model_version?.source).toBe(`models:/src/${newest}`);
    const none = await create({ source: "models:/src/None" });
    expect(none.json.model_version?.source).toBe(`models:/src/${newest + 1}`);
  });

  it.each([[{ run_id: "" }], [{ run_id: "0000000000000000000000000000000a" }], [{ model_id: "m-other" }]])(
    "is refused when %j does not match the version",
    async (ids) => {
      expect(await create({ source: "models:/src/1", ...ids })).toEqual(
        refusal(
          "Invalid model version source: 'models:/src/1'. The run_id and model_id request parameters must " +
            "match the referenced model version.",
        ),
      );
    },
  );

  it.each([
    ["models:/src@nope", refusal("Registered model alias nope not found.")],
    [
      "models:/src/9",
      {
        status: 404,
        json: {
          error_code: "RESOURCE_DOES_NOT_EXIST",
          sqlstate: "KAM00",
          error_class: "RESOURCE_NOT_FOUND",
          message: "Model Version (name=src, version=9) not found",
        },
      },
    ],
    [
      "models:/nope/1",
      {
        status: 404,
        json: {
          error_code: "RESOURCE_DOES_NOT_EXIST",
          sqlstate: "KAM00",
          error_class: "RESOURCE_NOT_FOUND",
          message: "Registered Model with name=nope not found",
        },
      },
    ],
    [
      "models:/src/Bogus",
      refusal(
        "Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.",
      ),
    ],
    ["models:/src/Production", refusal("No versions of model with name 'src' and stage 'Production' found")],
    ["models:/src", notOwned("models:/src", "model_id")],
    ["models:/a/b/c", notOwned("models:/a/b/c", "model_id")],
    [
      "models://h/src/1",
      refusal(
        "Invalid model version source: 'models://h/src/1'. Registered model sources must use the active model registry.",
      ),
    ],
  ])("%s is refused as MLflow refuses it", async (source, answer) => {
    expect(await create({ source })).toEqual(answer);
  });
});

describe("a local source", () => {
  it.each(["/tmp/x", "file:///tmp/x", "relx", "./relx"])("%s without run_id is refused", async (source) => {
    expect(await create({ source })).toEqual(localRefused(source));
  });

  // With a run_id MLflow shows the path resolved against its working directory.
  it.each([
    ["/tmp/x", "/tmp/x"],
    ["file:///tmp/x", "/tmp/x"],
    ["relx", resolve("relx")],
  ])("%s outside the run's directory is refused showing %s", async (source, shown) => {
    expect(await create({ source, run_id: LOCAL_RUN })).toEqual(localRefused(shown));
    // A run whose artifacts are not local holds no local path.
    expect(await create({ source, run_id: RUN })).toEqual(localRefused(shown));
  });

  it("with a run_id naming no run is refused as not that run's", async () => {
    expect(await create({ source: "/tmp/x", run_id: "nosuch" })).toEqual(notOwned("/tmp/x", "run_id"));
  });

  it("inside the run's local artifact directory is registered as sent", async () => {
    for (const source of [
      `${localArtifacts}/model`,
      `file://${localArtifacts}/model`,
      `file://localhost${localArtifacts}/model`,
      localArtifacts,
      `${localArtifacts}/./m`,
    ]) {
      const created = await create({ source, run_id: LOCAL_RUN });
      expect(created.json.model_version, source).toMatchObject({ source, run_id: LOCAL_RUN });
      const uri = await call("GET", "model-versions/get-download-uri", {
        name: "src",
        version: created.json.model_version?.version,
      });
      expect(uri.json.artifact_uri).toBe(source);
    }
    expect(await create({ source: `${localArtifacts}X`, run_id: LOCAL_RUN })).toEqual(
      localRefused(`${localArtifacts}X`),
    );
  });

  it("on another host is refused with MLflow's words (a 500 there)", async () => {
    expect(await create({ source: "file://evil/x" })).toEqual(
      refusal(
        "file://evil/x is not a valid remote uri. For remote access on windows, please consider using a " +
          "different scheme such as SMB (e.g. smb://<hostname>/<path>).",
      ),
    );
  });
});
