/**
 * The field order of a run's info on the wire. `mlflow server` 3.17.2 answered runs/update, runs/get and
 * runs/search for a finished run with run_uuid, experiment_id, run_name, user_id, status, start_time,
 * end_time, artifact_uri, lifecycle_stage, run_id; a running run has no end_time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../../test/support/testServer.js";

const MLFLOW_ORDER = [
  "run_uuid",
  "experiment_id",
  "run_name",
  "user_id",
  "status",
  "start_time",
  "end_time",
  "artifact_uri",
  "lifecycle_stage",
  "run_id",
];

let server: TestServer;

async function call(method: "GET" | "POST", path: string, body?: object): Promise<string> {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return response.text();
}

/** The keys of the info object as the raw text spells them, in order. */
function infoKeys(text: string, infoField: string): string[] {
  const start = text.indexOf(`"${infoField}":{`);
  const end = text.indexOf("}", start);
  expect(start).toBeGreaterThanOrEqual(0);
  return [...text.slice(start + infoField.length + 3, end).matchAll(/"(\w+)":/g)].map((m) => m[1] ?? "");
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("run info field order", () => {
  it("writes end_time right after start_time and run_id last, as MLflow does", async () => {
    const created = await call("POST", "runs/create", { experiment_id: "0", start_time: 1000 });
    expect(infoKeys(created, "info")).toEqual(MLFLOW_ORDER.filter((key) => key !== "end_time"));
    const runId = (JSON.parse(created) as { run: { info: { run_id: string } } }).run.info.run_id;

    const updated = await call("POST", "runs/update", { run_id: runId, status: "FINISHED", end_time: 2000 });
    expect(infoKeys(updated, "run_info")).toEqual(MLFLOW_ORDER);
    expect(infoKeys(await call("GET", `runs/get?run_id=${runId}`), "info")).toEqual(MLFLOW_ORDER);
    const searched = await call("POST", "runs/search", { experiment_ids: ["0"] });
    expect(infoKeys(searched, "info")).toEqual(MLFLOW_ORDER);
  });
});
