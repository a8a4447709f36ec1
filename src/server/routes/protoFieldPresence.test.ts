/**
 * How a request's fields are read before any handler runs: an empty string in a required field is a missing
 * field, nested fields are named as `tags[0].key`, and a query key sent twice counts once unless its field is
 * repeated. The expected answers were read off `mlflow server` 3.17.2 (SQLite store).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

let server: TestServer;
let experimentId: string;
let runIds: string[];

type Json = Record<string, unknown>;
const call = (method: string, path: string, body?: object) => callMlflowApi<Json>(server, method, path, body);
const callQuery = async (pathAndQuery: string) => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${pathAndQuery}`);
  return { status: response.status, json: (await response.json()) as Json };
};
const missing = (field: string) => ({
  status: 400,
  json: {
    error_code: "INVALID_PARAMETER_VALUE",
    sqlstate: "KAM00",
    error_class: "INVALID_PARAMETER_VALUE",
    message: `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`,
  },
});

beforeAll(async () => {
  server = await startTestServer();
  experimentId = (await call("POST", "experiments/create", { name: "presence" })).json
    .experiment_id as string;
  runIds = [];
  for (const _ of [1, 2]) {
    const run = await call("POST", "runs/create", { experiment_id: experimentId });
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    await call("POST", "runs/log-metric", { run_id: runId, key: "m", value: 1, timestamp: 1, step: 0 });
    runIds.push(runId);
  }
  await call("POST", "registered-models/create", { name: "presence-model" });
});
afterAll(async () => {
  await server.close();
});

describe("an empty string in a required field", () => {
  it.each([
    ["runs/get?run_id=", "run_id"],
    ["experiments/get?experiment_id=", "experiment_id"],
    ["experiments/get-by-name?experiment_name=", "experiment_name"],
    ["metrics/get-history?run_id=r&metric_key=", "metric_key"],
    ["metrics/get-history?run_id=&metric_key=m", "run_id"],
    ["metrics/get-history-bulk-interval?run_ids=r&metric_key=", "metric_key"],
    ["registered-models/get?name=", "name"],
    ["registered-models/alias?name=presence-model&alias=", "alias"],
    ["model-versions/get?name=presence-model&version=", "version"],
  ])("is missing in the query %s", async (pathAndQuery, field) => {
    expect(await callQuery(pathAndQuery)).toEqual(missing(field));
  });

  it.each([
    ["POST", "experiments/create", { name: "" }, "name"],
    ["POST", "experiments/update", { experiment_id: "0", new_name: "" }, "new_name"],
    ["POST", "experiments/delete", { experiment_id: "" }, "experiment_id"],
    ["POST", "registered-models/create", { name: "" }, "name"],
    ["POST", "registered-models/set-tag", { name: "presence-model", key: "", value: "v" }, "key"],
    ["POST", "registered-models/alias", { name: "presence-model", alias: "", version: "1" }, "alias"],
    ["POST", "registered-models/alias", { name: "presence-model", alias: "a", version: "" }, "version"],
    ["DELETE", "registered-models/alias", { name: "presence-model", alias: "" }, "alias"],
    ["POST", "model-versions/create", { name: "presence-model", source: "" }, "source"],
  ])("is missing in the body of %s %s %j", async (method, path, body, field) => {
    expect(await call(method, path, body)).toEqual(missing(field));
  });

  it("is kept in an optional field: an empty description clears it", async () => {
    await call("PATCH", "registered-models/update", { name: "presence-model", description: "d" });
    const cleared = await call("PATCH", "registered-models/update", {
      name: "presence-model",
      description: "",
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json.registered_model).toMatchObject({ name: "presence-model", description: "" });
  });
});

describe("nested field names", () => {
  it("names a batch tag without a key as tags[0].key", async () => {
    const answer = await call("POST", "runs/log-batch", { run_id: runIds[0], tags: [{ value: "x" }] });
    expect(answer).toEqual(missing("tags[0].key"));
  });

  it("names a batch metric without a timestamp as metrics[0].timestamp", async () => {
    const answer = await call("POST", "runs/log-batch", {
      run_id: runIds[0],
      metrics: [{ key: "m", value: 1 }],
    });
    expect(answer).toEqual(missing("metrics[0].timestamp"));
  });
});

describe("a query key sent more than once", () => {
  it("reads the first value of a single-value field", async () => {
    const found = await callQuery("experiments/get-by-name?experiment_name=presence&experiment_name=zz");
    expect(found.status).toBe(200);
    expect(found.json.experiment).toMatchObject({ experiment_id: experimentId, name: "presence" });

    const notFound = await callQuery("experiments/get-by-name?experiment_name=zz&experiment_name=presence");
    expect(notFound).toEqual({
      status: 404,
      json: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "Could not find experiment with name 'zz'",
      },
    });
  });

  it("gets the run named first", async () => {
    const answer = await callQuery(`runs/get?run_id=${runIds[1]}&run_id=${runIds[0]}`);
    expect(answer.status).toBe(200);
    expect(answer.json.run).toMatchObject({ info: { run_id: runIds[1] } });
  });

  it("ignores a later malformed max_results", async () => {
    const answer = await callQuery("experiments/search?max_results=5&max_results=abc");
    expect(answer.status).toBe(200);
    expect(answer.json.experiments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "presence" })]),
    );
  });

  it("keeps every value of a repeated field", async () => {
    const [first, second] = runIds;
    const answer = await callQuery(
      `metrics/get-history-bulk-interval?run_ids=${first}&run_ids=${second}&metric_key=m`,
    );
    expect(answer.status).toBe(200);
    const runsSeen = (answer.json.metrics as { run_id: string }[]).map((metric) => metric.run_id).sort();
    expect(runsSeen).toEqual([first, second].sort());
  });
});
