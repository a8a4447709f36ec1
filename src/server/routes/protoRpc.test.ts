/**
 * Answers of MLflow's proto RPCs leave out empty repeated fields, and keep the fields MLflow 3.17.2 sets to
 * their defaults, as `mlflow server` answered the same calls (tests/compat/test_empty_fields.py checks both).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callMlflowApi,
  startTestServer,
  type TestServer,
  type WireBody,
} from "../../../test/support/testServer.js";

let server: TestServer;
const call = (method: string, path: string, body?: object) =>
  callMlflowApi<WireBody>(server, method, path, body);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

/** The keys of an answer's object, sorted, to compare with the ones MLflow sends. */
const keys = (value: object | undefined): string[] => Object.keys(value ?? {}).sort();

describe("proto answers without empty repeated fields", () => {
  it("answers an experiment without tags and with MLflow's default workspace", async () => {
    const { json } = await call("POST", "experiments/create", { name: "bare" });
    const id = json.experiment_id as string;
    const got = await call("GET", "experiments/get", { experiment_id: id });
    const expected = [
      "artifact_location",
      "creation_time",
      "experiment_id",
      "last_update_time",
      "lifecycle_stage",
      "name",
      "workspace",
    ];
    expect(keys(got.json.experiment)).toEqual(expected);
    expect(got.json.experiment.workspace).toBe("default");
    const byName = await call("GET", "experiments/get-by-name", { experiment_name: "bare" });
    expect(keys(byName.json.experiment)).toEqual(expected);
    const found = await call("POST", "experiments/search", { max_results: 5, filter: "name = 'bare'" });
    expect(keys(found.json.experiments[0])).toEqual(expected);
  });

  it("answers a run without params or metrics, and a new run without outputs", async () => {
    const { json: exp } = await call("POST", "experiments/create", { name: "runs" });
    const created = await call("POST", "runs/create", { experiment_id: exp.experiment_id, start_time: 1 });
    expect(keys(created.json.run)).toEqual(["data", "info", "inputs"]);
    expect(keys(created.json.run.data)).toEqual(["tags"]);
    expect(created.json.run.inputs).toEqual({});
    const runId = created.json.run.info.run_id as string;
    const got = await call("GET", "runs/get", { run_id: runId });
    expect(keys(got.json.run)).toEqual(["data", "info", "inputs", "outputs"]);
    expect(got.json.run.inputs).toEqual({});
    expect(got.json.run.outputs).toEqual({});
    const searched = await call("POST", "runs/search", { experiment_ids: [exp.experiment_id] });
    expect(searched.json.runs[0].outputs).toEqual({});
    expect(keys(searched.json.runs[0].data)).toEqual(["tags"]);
    const history = await call("GET", "metrics/get-history", { run_id: runId, metric_key: "nope" });
    expect(history.json).toEqual({});
    const bulk = await call("GET", "metrics/get-history-bulk-interval", {
      run_ids: runId,
      metric_key: "nope",
    });
    expect(bulk.json).toEqual({});
  });

  it("answers registered models and versions without tags, aliases or versions, with run_link set", async () => {
    const { json: exp } = await call("POST", "experiments/create", { name: "registry" });
    const run = await call("POST", "runs/create", { experiment_id: exp.experiment_id, start_time: 1 });
    const runId = run.json.run.info.run_id as string;
    const created = await call("POST", "registered-models/create", { name: "bare-model" });
    expect(keys(created.json.registered_model)).toEqual([
      "creation_timestamp",
      "last_updated_timestamp",
      "name",
    ]);
    const version = await call("POST", "model-versions/create", {
      name: "bare-model",
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
    expect(version.status).toBe(200);
    const versionKeys = [
      "creation_timestamp",
      "current_stage",
      "description",
      "last_updated_timestamp",
      "name",
      "run_id",
      "run_link",
      "source",
      "status",
      "version",
    ];
    expect(keys(version.json.model_version)).toEqual(versionKeys);
    expect(version.json.model_version).toMatchObject({ description: "", run_link: "" });
    const got = await call("GET", "model-versions/get", { name: "bare-model", version: "1" });
    expect(keys(got.json.model_version)).toEqual(versionKeys);
    const latest = await call("POST", "registered-models/get-latest-versions", { name: "bare-model" });
    expect(keys(latest.json.model_versions[0])).toEqual(versionKeys);
    const model = await call("GET", "registered-models/get", { name: "bare-model" });
    expect(keys(model.json.registered_model)).toEqual([
      "creation_timestamp",
      "last_updated_timestamp",
      "latest_versions",
      "name",
    ]);
    for (const [path, field] of [
      ["registered-models/search", "registered_models"],
      ["model-versions/search", "model_versions"],
    ] as const) {
      const none = await call("GET", path, { filter: "name = 'nothing-here'" });
      expect(none.json).not.toHaveProperty(field);
    }
    const noStage = await call("POST", "registered-models/get-latest-versions", {
      name: "bare-model",
      stages: ["Production"],
    });
    expect(noStage.json).toEqual({});
  });

  it("answers an empty webhook list and an empty trace search as {}", async () => {
    expect((await call("GET", "webhooks")).json).toEqual({});
    const { json: exp } = await call("POST", "experiments/create", { name: "no-traces" });
    const response = await fetch(`${server.url}/api/3.0/mlflow/traces/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp.experiment_id } }],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  });

  it("answers a logged model with MLflow's empty type and run, and no empty lists", async () => {
    const { json: exp } = await call("POST", "experiments/create", { name: "logged" });
    const created = await call("POST", "logged-models", { experiment_id: exp.experiment_id });
    expect(created.json.model.data).toEqual({});
    expect(keys(created.json.model.info)).toEqual([
      "artifact_uri",
      "creation_timestamp_ms",
      "experiment_id",
      "last_updated_timestamp_ms",
      "model_id",
      "model_type",
      "name",
      "source_run_id",
      "status",
    ]);
    expect(created.json.model.info).toMatchObject({ model_type: "", source_run_id: "" });
    const modelId = created.json.model.info.model_id as string;
    const files = await call("GET", `logged-models/${modelId}/artifacts/directories`);
    expect(keys(files.json)).toEqual(["root_uri"]);
    const none = await call("POST", "logged-models/search", {
      experiment_ids: [exp.experiment_id],
      filter: "name = 'nothing'",
    });
    expect(none.json).toEqual({});
  });
});
