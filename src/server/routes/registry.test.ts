import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelVersion, RegisteredModel } from "../../registry/entities.js";
import { insertExperimentRuns } from "../../../test/support/registryRuns.js";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

/** The union of the registry's response bodies and MLflow's error body. */
interface WireBody {
  error_code?: string;
  message?: string;
  registered_model?: RegisteredModel;
  registered_models?: RegisteredModel[];
  model_version?: ModelVersion;
  model_versions?: ModelVersion[];
  next_page_token?: string;
  artifact_uri?: string;
}

let server: TestServer;
const RUN_ID = "0123456789abcdef0123456789abcdef";
/** A source under the fixture run's artifact directory: a host-less mlflow-artifacts source needs its run. */
const RUN_SOURCE = `mlflow-artifacts:/1/${RUN_ID}/artifacts/model`;

const call = (method: string, path: string, body?: object) =>
  callMlflowApi<WireBody>(server, method, path, body);

beforeAll(async () => {
  server = await startTestServer();
  await insertExperimentRuns(server.ctx.meta.db, { runIds: [RUN_ID], experimentName: "e" });
});
afterAll(async () => server.close());

describe("model registry routes", () => {
  it("registers a model and a version from runs:/ and serves its download URI", async () => {
    const created = await call("POST", "registered-models/create", {
      name: "reg",
      tags: [{ key: "t", value: "v" }],
    });
    expect(created.status).toBe(200);
    expect(created.json.registered_model).toMatchObject({ name: "reg", tags: [{ key: "t", value: "v" }] });
    const version = await call("POST", "model-versions/create", {
      name: "reg",
      source: `runs:/${RUN_ID}/model`,
      run_id: RUN_ID,
    });
    expect(version.status).toBe(200);
    expect(version.json.model_version).toMatchObject({
      name: "reg",
      version: "1",
      status: "READY",
      current_stage: "None",
      source: `runs:/${RUN_ID}/model`,
      run_id: RUN_ID,
    });
    const uri = await call("GET", "model-versions/get-download-uri", { name: "reg", version: "1" });
    // mlflow server 3.17.2 answers the runs:/ source as registered; its client resolves the run itself.
    expect(uri.json).toEqual({ artifact_uri: `runs:/${RUN_ID}/model` });
    const got = await call("GET", "registered-models/get", { name: "reg" });
    expect(got.json.registered_model?.latest_versions[0]).toMatchObject({ version: "1" });
  });

  it("answers a duplicate registered model with 400 RESOURCE_ALREADY_EXISTS", async () => {
    await call("POST", "registered-models/create", { name: "dup" });
    const again = await call("POST", "registered-models/create", { name: "dup" });
    expect(again.status).toBe(400);
    expect(again.json.error_code).toBe("RESOURCE_ALREADY_EXISTS");
  });

  it.each([
    "file:///etc/passwd",
    "/etc",
    "//proc/self/root/etc",
    "mlflow-artifacts://host/..%2f..%2f",
    "http:///#/../../etc/",
    "s3:/b/../../x",
    "http://169.254.169.254/latest/meta-data",
    "mlflow-artifacts://evil.example/1/model",
    "runs:/nosuchrun/model",
    "runs:/" + RUN_ID + "/../../other",
    "C:\\Windows",
    // `file://<host>/...` and `models:/<name>/<missing version>` answer with MLflow's own words, which do not
    // all name the source: registrySources.test.ts records them.
  ])("refuses the model version source %j", async (source) => {
    await call("POST", "registered-models/create", { name: "guarded" });
    const response = await call("POST", "model-versions/create", { name: "guarded", source, run_id: RUN_ID });
    expect(response.status).toBe(400);
    expect(response.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(response.json.message).toContain("source");
  });

  it("accepts sources under the server's artifact roots and the run's artifact directory", async () => {
    await call("POST", "registered-models/create", { name: "roots" });
    for (const source of [`${server.artifactsDir}/5/abc/artifacts/model`, RUN_SOURCE, "models:/reg/1"]) {
      const response = await call("POST", "model-versions/create", { name: "roots", source, run_id: RUN_ID });
      expect(response.status, source).toBe(200);
    }
    const localRootWithoutRun = await call("POST", "model-versions/create", {
      name: "roots",
      source: `${server.artifactsDir}/5/abc/artifacts/model`,
    });
    expect(localRootWithoutRun.status).toBe(200);
    const prefixTrick = await call("POST", "model-versions/create", {
      name: "roots",
      source: `${server.artifactsDir}-evil/x`,
    });
    expect(prefixTrick.status).toBe(400);
  });

  // MLflow 3.17.2 (`_validate_source_run`) refuses a host-less mlflow-artifacts source that the named run's
  // artifact directory does not contain, or that names no run at all (read off mlflow server with urllib).
  it.each([
    ["another run's directory", { run_id: RUN_ID }],
    ["no run_id", {}],
    ["an unknown run_id", { run_id: "fedcba9876543210fedcba9876543210" }],
  ])("refuses an mlflow-artifacts source outside its run, with %s", async (_, ids) => {
    await call("POST", "registered-models/create", { name: "owned" });
    const source = "mlflow-artifacts:/5/abc/artifacts/model";
    const response = await call("POST", "model-versions/create", { name: "owned", source, ...ids });
    expect(response).toEqual({
      status: 400,
      json: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message:
          "Invalid model version source: 'mlflow-artifacts:/5/abc/artifacts/model'. The run_id request " +
          "parameter must identify the resource that contains the source.",
      },
    });
  });

  it("sets, reads and deletes an alias with JSON bodies on DELETE", async () => {
    await call("POST", "registered-models/create", { name: "al" });
    await call("POST", "model-versions/create", { name: "al", source: RUN_SOURCE, run_id: RUN_ID });
    expect(
      (await call("POST", "registered-models/alias", { name: "al", alias: "champion", version: "1" })).json,
    ).toEqual({});
    const byAlias = await call("GET", "registered-models/alias", { name: "al", alias: "champion" });
    expect(byAlias.json.model_version).toMatchObject({ version: "1", aliases: ["champion"] });
    const model = await call("GET", "registered-models/get", { name: "al" });
    expect(model.json.registered_model?.aliases).toEqual([{ alias: "champion", version: "1" }]);
    const reserved = await call("POST", "registered-models/alias", {
      name: "al",
      alias: "Latest",
      version: "1",
    });
    expect(reserved.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await call("DELETE", "registered-models/alias", { name: "al", alias: "champion" })).status).toBe(
      200,
    );
    const gone = await call("GET", "registered-models/alias", { name: "al", alias: "champion" });
    expect(gone.status).toBe(400);
  });

  // MLflow 3.17.2 answers the alias `latest` with the newest version, and 404 on a model without versions.
  it("reads the alias latest as the newest version", async () => {
    await call("POST", "registered-models/create", { name: "newest" });
    expect(await call("GET", "registered-models/alias", { name: "newest", alias: "latest" })).toEqual({
      status: 404,
      json: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "Latest version not found for model newest.",
      },
    });
    for (let i = 0; i < 2; i++) {
      await call("POST", "model-versions/create", { name: "newest", source: RUN_SOURCE, run_id: RUN_ID });
    }
    const latest = await call("GET", "registered-models/alias", { name: "newest", alias: "latest" });
    expect(latest.status).toBe(200);
    expect(latest.json.model_version).toMatchObject({ name: "newest", version: "2" });
    // No alias names the version, and protobuf's JSON leaves the empty list out.
    expect(latest.json.model_version).not.toHaveProperty("aliases");
  });

  it("transitions stages and lists latest versions by POST and GET", async () => {
    await call("POST", "registered-models/create", { name: "st" });
    for (let i = 0; i < 2; i++)
      await call("POST", "model-versions/create", { name: "st", source: RUN_SOURCE, run_id: RUN_ID });
    const moved = await call("POST", "model-versions/transition-stage", {
      name: "st",
      version: "1",
      stage: "staging",
      archive_existing_versions: false,
    });
    expect(moved.json.model_version?.current_stage).toBe("Staging");
    const missingFlag = await call("POST", "model-versions/transition-stage", {
      name: "st",
      version: "1",
      stage: "Staging",
    });
    // MLflow 3 leaves a missing archive_existing_versions false (see protoScalars.test.ts).
    expect(missingFlag.json.model_version?.current_stage).toBe("Staging");
    const viaPost = await call("POST", "registered-models/get-latest-versions", {
      name: "st",
      stages: ["Staging"],
    });
    expect(viaPost.json.model_versions?.map((v: { version: string }) => v.version)).toEqual(["1"]);
    const viaGet = await call("GET", "registered-models/get-latest-versions", { name: "st" });
    expect(viaGet.json.model_versions).toHaveLength(2);
  });

  it("updates, renames and deletes through PATCH, POST and DELETE", async () => {
    await call("POST", "registered-models/create", { name: "life" });
    await call("POST", "model-versions/create", { name: "life", source: RUN_SOURCE, run_id: RUN_ID });
    const updated = await call("PATCH", "registered-models/update", { name: "life", description: "hello" });
    expect(updated.json.registered_model?.description).toBe("hello");
    const mv = await call("PATCH", "model-versions/update", { name: "life", version: "1", description: "v" });
    expect(mv.json.model_version?.description).toBe("v");
    await call("POST", "model-versions/set-tag", { name: "life", version: "1", key: "k", value: "v" });
    await call("POST", "registered-models/set-tag", { name: "life", key: "k", value: "v" });
    const renamed = await call("POST", "registered-models/rename", { name: "life", new_name: "life2" });
    expect(renamed.json.registered_model?.name).toBe("life2");
    expect(
      (await call("GET", "model-versions/get", { name: "life2", version: "1" })).json.model_version?.tags,
    ).toEqual([{ key: "k", value: "v" }]);
    await call("DELETE", "model-versions/delete-tag", { name: "life2", version: "1", key: "k" });
    await call("DELETE", "registered-models/delete-tag", { name: "life2", key: "k" });
    expect((await call("DELETE", "model-versions/delete", { name: "life2", version: "1" })).json).toEqual({});
    expect((await call("GET", "model-versions/get", { name: "life2", version: "1" })).status).toBe(404);
    expect((await call("DELETE", "registered-models/delete", { name: "life2" })).json).toEqual({});
    expect((await call("GET", "registered-models/get", { name: "life2" })).json.error_code).toBe(
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
});

describe("registry search routes", () => {
  beforeAll(async () => {
    for (const name of ["Search-A", "search-b", "search-c"]) {
      await call("POST", "registered-models/create", {
        name,
        tags: [{ key: "team", value: name.endsWith("c") ? "x" : "y" }],
      });
      await call("POST", "model-versions/create", { name, source: RUN_SOURCE, run_id: RUN_ID });
      // A version without a run: a source under the server's local artifact root needs none.
      await call("POST", "model-versions/create", { name, source: `${server.artifactsDir}/s` });
    }
    await call("POST", "registered-models/create", {
      name: "search-prompt",
      tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }],
    });
  });

  it("filters registered models by name with case-sensitive LIKE and case-insensitive ILIKE", async () => {
    const like = await call("GET", "registered-models/search", { filter: "name LIKE 'search-%'" });
    expect(like.json.registered_models?.map((m: { name: string }) => m.name)).toEqual([
      "search-b",
      "search-c",
    ]);
    const ilike = await call("GET", "registered-models/search", { filter: "name ILIKE 'search-%'" });
    expect(ilike.json.registered_models?.map((m: { name: string }) => m.name)).toEqual([
      "Search-A",
      "search-b",
      "search-c",
    ]);
    const tagged = await call("GET", "registered-models/search", {
      filter: "name ILIKE 'search%' and tags.team = 'y'",
    });
    expect(tagged.json.registered_models).toHaveLength(2);
    const prompts = await call("GET", "registered-models/search", {
      filter: "tags.`mlflow.prompt.is_prompt` = 'true'",
    });
    expect(prompts.json.registered_models?.map((m: { name: string }) => m.name)).toEqual(["search-prompt"]);
  });

  it("pages registered models with order_by and opaque tokens", async () => {
    const first = await call("GET", "registered-models/search", {
      filter: "name ILIKE 'search%'",
      max_results: 2,
      order_by: ["name DESC"],
    });
    expect(first.json.registered_models?.map((m: { name: string }) => m.name)).toEqual([
      "search-c",
      "search-b",
    ]);
    const second = await call("GET", "registered-models/search", {
      filter: "name ILIKE 'search%'",
      max_results: 2,
      order_by: ["name DESC"],
      page_token: first.json.next_page_token,
    });
    expect(second.json.registered_models?.map((m: { name: string }) => m.name)).toEqual(["Search-A"]);
    expect(second.json.next_page_token).toBeUndefined();
    const badKey = await call("GET", "registered-models/search", { filter: "source = 'x'" });
    expect(badKey.status).toBe(400);
  });

  // Regression: FlowOps worded these as the store's "It must be at most 1000"; MLflow's handler schema
  // refuses them first, with a bare type hint (read off mlflow server 3.17.2 with curl).
  it("refuses a page size over the handler's limit in MLflow's words", async () => {
    const hint = (value: string) =>
      `Invalid value "${value}" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`;
    for (const [path, value] of [
      ["registered-models/search", "1001"],
      ["model-versions/search", "200001"],
      ["registered-models/search", "abc"],
      ["model-versions/search", "1.5"],
    ] as const) {
      expect(await call("GET", path, { max_results: value })).toEqual({
        status: 400,
        json: {
          error_code: "INVALID_PARAMETER_VALUE",
          sqlstate: "KAM00",
          error_class: "INVALID_PARAMETER_VALUE",
          message: hint(value),
        },
      });
    }
    const versions = await call("GET", "model-versions/search", { max_results: "100000" });
    expect(versions.status).toBe(200);
    expect((await call("GET", "registered-models/search", { max_results: " 2" })).status).toBe(200);
  });

  it("filters model versions by run_id IN and version_number, and orders them on request", async () => {
    const byRun = await call("GET", "model-versions/search", {
      filter: `run_id IN ('${RUN_ID}', 'ABC') and name ILIKE 'search%'`,
    });
    const found = byRun.json.model_versions?.map(
      (v: { name: string; version: string }) => `${v.name}/${v.version}`,
    );
    expect(found?.sort()).toEqual(["Search-A/1", "search-b/1", "search-c/1"]);
    const numbered = await call("GET", "model-versions/search", {
      filter: "name = 'search-b' and version_number > 1",
    });
    expect(numbered.json.model_versions?.map((v: { version: string }) => v.version)).toEqual(["2"]);
    const ordered = await call("GET", "model-versions/search", {
      filter: "name = 'search-b'",
      order_by: ["version_number ASC"],
    });
    expect(ordered.json.model_versions?.map((v: { version: string }) => v.version)).toEqual(["1", "2"]);
    const listed = await call("GET", "model-versions/search", { filter: "name IN ('search-b', 'nope')" });
    expect(listed.status).toBe(200);
    expect(listed.json.model_versions?.length).toBe(2);
  });
});
