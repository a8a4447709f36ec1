import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

/**
 * `mlflow server` 3.17.2 (sqlite backend, --serve-artifacts to a local directory) answers GET on both paths
 * with 200, application/json and exactly these keys; POST is a 405.
 */
const MLFLOW_KEYS = [
  "store_type",
  "workspaces_enabled",
  "trace_archival_enabled",
  "multipart_uploads_enabled",
  "multipart_downloads_enabled",
  "presigned_upload_run_id_supported",
  "presigned_upload_model_id_supported",
  "features_enabled",
];

describe("GET /api/3.0/mlflow/server-info", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    const json = (await response.json()) as Record<string, unknown>;
    return { status: response.status, type: response.headers.get("content-type"), json };
  };

  it.each(["/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info"])(
    "answers %s with mlflow's fields, as a SQL store",
    async (path) => {
      const { status, type, json } = await get(path);
      expect(status).toBe(200);
      expect(type).toMatch(/^application\/json/);
      expect(Object.keys(json)).toEqual(MLFLOW_KEYS);
      expect(json).toEqual({
        store_type: "SqlStore",
        workspaces_enabled: false,
        trace_archival_enabled: false,
        multipart_uploads_enabled: false,
        multipart_downloads_enabled: false,
        // The request contract of artifacts/presigned-upload-url; each run's storage is checked per request.
        presigned_upload_run_id_supported: true,
        presigned_upload_model_id_supported: true,
        features_enabled: { gateway: false },
      });
    },
  );

  it("is read only", async () => {
    const response = await fetch(`${server.url}/api/3.0/mlflow/server-info`, { method: "POST" });
    expect(response.status).not.toBe(200);
  });

  // Each false above is a route the client would call if it read true; these hold the answer to the routes.
  it.each([
    ["multipart uploads", "POST", "/api/2.0/mlflow-artifacts/mpu/create/big.bin", 501],
    ["multipart downloads", "GET", "/api/2.0/mlflow-artifacts/presigned/big.bin", 501],
    ["the AI gateway", "GET", "/ajax-api/3.0/mlflow/gateway/supported-providers", 404],
    // mlflow's own answer when started without --enable-workspaces (routes/workspaces.ts).
    ["workspaces", "GET", "/api/3.0/mlflow/workspaces", 503],
  ])("advertises %s as off, since the server does not serve them", async (_what, method, path, status) => {
    // The mpu route checks its fields before the store, as MLflow's does; `path` is its one required field.
    const init: RequestInit =
      method === "POST"
        ? { method, body: '{"path": "big.bin"}', headers: { "content-type": "application/json" } }
        : { method };
    const response = await fetch(`${server.url}${path}`, init);
    expect(response.status).toBe(status);
  });
});

describe("GET /health and /version", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  // mlflow 3.17.2: /health is FastAPI's PlainTextResponse, /version a Flask string answer.
  it.each([
    ["/health", "text/plain; charset=utf-8", /^OK$/],
    ["/version", "text/html; charset=utf-8", /^3\.17\.2\+flowops\./],
  ])("answers %s as %s", async (path, type, body) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(type);
    expect(await response.text()).toMatch(body);
  });
});
