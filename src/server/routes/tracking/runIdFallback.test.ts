/**
 * When a request's run_uuid stands in for its run_id. Answers recorded from `mlflow server` 3.17.2:
 * `run_id=&run_uuid=<existing run>` (GET) and `{"run_id": "", "run_uuid": "<existing run>"}` (POST) are a 400
 * INVALID_PARAMETER_VALUE "Missing value for required parameter 'run_id'. See the API docs for more information
 * about request parameters." on every run endpoint; `{"run_id": null, "run_uuid": ...}` and run_uuid alone
 * reach the run (200).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../../test/support/testServer.js";

let server: TestServer;
let runId: string;

const MISSING_RUN_ID = {
  error_code: "INVALID_PARAMETER_VALUE",
  sqlstate: "KAM00",
  error_class: "INVALID_PARAMETER_VALUE",
  message:
    "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
};

async function call(
  path: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; json: unknown }> {
  const url = `${server.url}/api/2.0/mlflow/${path}`;
  const response =
    body === undefined
      ? await fetch(url)
      : await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
  return { status: response.status, json: await response.json() };
}

beforeAll(async () => {
  server = await startTestServer();
  const run = await call("runs/create", { experiment_id: "0", start_time: 1000 });
  runId = (run.json as { run: { info: { run_id: string } } }).run.info.run_id;
  await call("runs/log-metric", { run_id: runId, key: "m", value: 1, timestamp: 1 });
});
afterAll(async () => {
  await server.close();
});

describe("run_id sent empty beside run_uuid", () => {
  it.each(["runs/get", "metrics/get-history"])("is a missing run_id in GET %s", async (path) => {
    const { status, json } = await call(`${path}?run_id=&run_uuid=${runId}&metric_key=m`);
    expect(status).toBe(400);
    expect(json).toEqual(MISSING_RUN_ID);
  });

  it.each([
    ["runs/log-metric", { key: "m", value: 2, timestamp: 2 }],
    ["runs/log-parameter", { key: "p", value: "v" }],
    ["runs/log-batch", { params: [{ key: "q", value: "v" }] }],
    ["runs/log-inputs", {}],
    ["runs/outputs", {}],
    ["runs/log-model", { model_json: "{}" }],
    ["runs/update", { status: "FINISHED" }],
    ["runs/set-tag", { key: "t", value: "v" }],
    ["runs/delete-tag", { key: "t" }],
    ["runs/delete", {}],
    ["runs/restore", {}],
  ])("is a missing run_id in POST %s", async (path, fields) => {
    const { status, json } = await call(path, { run_id: "", run_uuid: runId, ...fields });
    expect(status).toBe(400);
    expect(json).toEqual(MISSING_RUN_ID);
  });
});

describe("run_uuid in place of run_id", () => {
  it("is used when run_id is null", async () => {
    const { status } = await call("runs/set-tag", { run_id: null, run_uuid: runId, key: "a", value: "b" });
    expect(status).toBe(200);
    const run = await call(`runs/get?run_uuid=${runId}`);
    expect((run.json as { run: { data: { tags: unknown[] } } }).run.data.tags).toContainEqual({
      key: "a",
      value: "b",
    });
  });

  it("is not used when it is empty too", async () => {
    const { status, json } = await call("runs/set-tag", { run_id: null, run_uuid: "", key: "a", value: "b" });
    expect(status).toBe(400);
    expect(json).toEqual(MISSING_RUN_ID);
  });
});
