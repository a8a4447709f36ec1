import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";
import type { LoggedModel } from "../../tracking/loggedModels/entities.js";

/** Whatever one logged-model answer holds; each test reads the fields its RPC returns. */
interface WireBody {
  model: LoggedModel;
  models: LoggedModel[];
  next_page_token?: string;
  files?: unknown[];
  error_code?: string;
  message?: string;
}

describe("logged model routes", () => {
  let server: TestServer;
  let experimentId: string;
  const api = (path: string) => `${server.url}/api/2.0/mlflow/${path}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(api(path), {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as WireBody };
  };

  beforeAll(async () => {
    server = await startTestServer();
    experimentId = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => {
    await server.close();
  });

  it("walks a 3.x log_model: create, finalize, tag, search, list artifacts", async () => {
    const created = await call("POST", "logged-models", {
      experiment_id: experimentId,
      name: "model",
      source_run_id: "r1",
      params: [{ key: "alpha", value: "0.5" }],
    });
    expect(created.status).toBe(200);
    const modelId = created.body.model.info.model_id as string;
    expect(created.body.model.info).toMatchObject({
      experiment_id: experimentId,
      status: "LOGGED_MODEL_PENDING",
      artifact_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
    });
    expect(created.body.model.data.params).toEqual([{ key: "alpha", value: "0.5" }]);

    const dir = join(server.artifactsDir, experimentId, "models", modelId, "artifacts");
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "MLmodel"), "flavors: {}\n");
    writeFileSync(join(dir, "sub", "model.pkl"), "12345");

    const finalized = await call("PATCH", `logged-models/${modelId}`, { status: "LOGGED_MODEL_READY" });
    expect(finalized.body.model.info.status).toBe("LOGGED_MODEL_READY");

    const tagged = await call("PATCH", `logged-models/${modelId}/tags`, {
      tags: [{ key: "mlflow.modelVersions", value: "[]" }],
    });
    expect(tagged.body.model.info.tags).toEqual([{ key: "mlflow.modelVersions", value: "[]" }]);

    expect(
      (await call("POST", `logged-models/${modelId}/params`, { params: [{ key: "b", value: "1" }] })).body,
    ).toEqual({});

    const found = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      filter: "name = 'model' AND source_run_id = 'r1'",
      order_by: [{ field_name: "creation_timestamp", ascending: false }],
    });
    expect(found.body.models.map((m) => m.info.model_id)).toEqual([modelId]);
    expect(found.body.next_page_token).toBeUndefined();

    const listing = await fetch(api(`logged-models/${modelId}/artifacts/directories`));
    expect(await listing.json()).toEqual({
      root_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
      files: [
        { path: "MLmodel", is_dir: false, file_size: 12 },
        { path: "sub", is_dir: true },
      ],
    });
    const nested = await fetch(
      api(`logged-models/${modelId}/artifacts/directories?artifact_directory_path=sub`),
    );
    expect(((await nested.json()) as WireBody).files).toEqual([
      { path: "sub/model.pkl", is_dir: false, file_size: 5 },
    ]);
  });

  it("deletes a tag whose key contains a slash, and the model itself", async () => {
    const created = await call("POST", "logged-models", {
      experiment_id: experimentId,
      tags: [{ key: "a/b", value: "1" }],
    });
    const modelId = created.body.model.info.model_id as string;
    expect((await call("DELETE", `logged-models/${modelId}/tags/a/b`)).body).toEqual({});
    expect((await call("GET", `logged-models/${modelId}`)).body.model.info).not.toHaveProperty("tags");
    expect((await call("DELETE", `logged-models/${modelId}`)).body).toEqual({});
    const missing = await call("GET", `logged-models/${modelId}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
      message: `Logged model with ID '${modelId}' not found.`,
    });
  });

  it("answers MLflow's validation errors", async () => {
    const noExperiment = await call("POST", "logged-models", { name: "x" });
    expect(noExperiment.status).toBe(400);
    expect(noExperiment.body.message).toContain("Missing value for required parameter 'experiment_id'");
    const created = await call("POST", "logged-models", { experiment_id: experimentId });
    const badStatus = await call("PATCH", `logged-models/${created.body.model.info.model_id}`, {
      status: "LOGGED_MODEL_PENDING",
    });
    expect(badStatus.status).toBe(400);
    const traversal = await fetch(
      api(
        `logged-models/${created.body.model.info.model_id}/artifacts/directories?artifact_directory_path=../..`,
      ),
    );
    expect(traversal.status).toBe(400);
  });
});
