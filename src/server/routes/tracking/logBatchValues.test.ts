/**
 * runs/log-batch with values of other types than the proto's. Expected answers and stored data were read off
 * `mlflow server` 3.17.2 (SQLite store): protobuf reads the body in the order it was written and stops at the
 * first value it cannot read, MLflow's handler checks the raw body for required fields, and the store gets
 * the partial message. Bodies are sent as text so that their key order is the one written here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../../test/support/testServer.js";

let server: TestServer;
let experimentId: string;

type Json = Record<string, unknown>;
const call = (method: string, path: string, body?: object) => callMlflowApi<Json>(server, method, path, body);

const HINT = "See the API docs for more information about request parameters.";
const BAD_PATH =
  "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '.'";

async function newRun(): Promise<string> {
  const run = await call("POST", "runs/create", { experiment_id: experimentId });
  return (run.json.run as { info: { run_id: string } }).info.run_id;
}

async function logBatch(text: string): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: text,
  });
  return { status: response.status, json: (await response.json()) as Json };
}

/** Logs `fields` (JSON text without braces) after the run_id and answers the status and the run's data. */
async function logged(fields: string): Promise<{ status: number; json: Json; data: Json }> {
  const runId = await newRun();
  const answer = await logBatch(`{"run_id": "${runId}", ${fields}}`);
  const run = await call("GET", "runs/get", { run_id: runId });
  const data = (run.json.run as { data: Json }).data;
  const tags = ((data.tags ?? []) as { key: string }[]).filter((tag) => !tag.key.startsWith("mlflow."));
  return { ...answer, data: { ...data, tags } };
}

function refused(message: string) {
  return {
    status: 400,
    json: {
      error_code: "INVALID_PARAMETER_VALUE",
      message,
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
    },
  };
}

beforeAll(async () => {
  server = await startTestServer();
  experimentId = (await call("POST", "experiments/create", { name: "batch-values" })).json
    .experiment_id as string;
});
afterAll(async () => {
  await server.close();
});

describe("param and tag values that are not strings", () => {
  it.each(["5", "1.5", "true", "null", "[1, 2]", '{"a": 1}'])(
    "stores %s as an empty value",
    async (value) => {
      const answer = await logged(`"params": [{"key": "p", "value": ${value}}], "tags": [{"key": "t"}]`);
      expect(answer.status).toBe(200);
      expect(answer.data.params).toEqual([{ key: "p", value: "" }]);
      // A value that is null or absent leaves the rest readable; any other stops the read there.
      expect(answer.data.tags).toEqual(value === "null" ? [{ key: "t", value: "" }] : []);
    },
  );

  it("loses what is written after the first value protobuf cannot read", async () => {
    const answer = await logged(
      `"params": [{"key": "p", "value": 5}, {"key": "q", "value": "x"}], "tags": [{"key": "t", "value": "v"}]`,
    );
    expect(answer.status).toBe(200);
    expect(answer.data.params).toEqual([{ key: "p", value: "" }]);
    expect(answer.data.tags).toEqual([]);
  });

  it("refuses a run_id written after an unreadable value as an empty run_id, logging nothing", async () => {
    const runId = await newRun();
    const answer = await logBatch(`{"tags": [{"key": "t", "value": 5}], "run_id": "${runId}"}`);
    expect(answer).toEqual(refused(`Invalid value "" for parameter 'run_id' supplied.`));
  });
});

describe("keys that are not strings", () => {
  it.each([
    ['"params": [{"key": 5, "value": "v"}]', "params[0].key"],
    ['"params": [{"key": true, "value": "v"}]', "params[0].key"],
    ['"params": [{"value": 5, "key": "p"}]', "params[0].key"],
    ['"tags": [{"key": 5, "value": "v"}]', "tags[0].key"],
    ['"metrics": [{"key": 5, "value": 1, "timestamp": 1}]', "metrics[0].name"],
  ])("reads %s with an empty key, refused as a path", async (fields, path) => {
    const answer = await logged(fields);
    expect({ status: answer.status, json: answer.json }).toEqual(
      refused(`Invalid value "" for parameter '${path}' supplied: ${BAD_PATH}`),
    );
  });
});

describe("metric values, steps and timestamps written as text", () => {
  const metric = (value: string, timestamp: string, step: string) =>
    `"metrics": [{"key": "m", "value": ${value}, "timestamp": ${timestamp}, "step": ${step}}]`;

  it.each([
    ['"1.5"', "1", "0", { value: 1.5, timestamp: 1, step: 0 }],
    ['"NaN"', "1", "0", { value: "NaN", timestamp: 1, step: 0 }],
    ['"Infinity"', "1", "0", { value: 1.7976931348623157e308, timestamp: 1, step: 0 }],
    ['" 1.5 "', "5", "2", { value: 1.5, timestamp: 5, step: 2 }],
    ['"1_0"', "5", "2", { value: 10, timestamp: 5, step: 2 }],
    ["true", "1", "0", { value: 1, timestamp: 1, step: 0 }],
    ['"nan"', "1", "0", { value: 0, timestamp: 0, step: 0 }],
    ['"abc"', "1", "0", { value: 0, timestamp: 0, step: 0 }],
    ["NaN", "5", "2", { value: 0, timestamp: 0, step: 0 }],
    ["[1]", "5", "1", { value: 0, timestamp: 0, step: 0 }],
    ["1", '"7"', '"3"', { value: 1, timestamp: 7, step: 3 }],
    ["1", "7.0", "3.5", { value: 1, timestamp: 7, step: 0 }],
    ["1", '"7.5"', '"3"', { value: 1, timestamp: 0, step: 0 }],
    ["1", "5", '"1e3"', { value: 1, timestamp: 5, step: 1000 }],
    ["1", "5", '"3.0"', { value: 1, timestamp: 5, step: 3 }],
    ["1", "5", '" 3"', { value: 1, timestamp: 5, step: 0 }],
    ["1", "5", '"+4"', { value: 1, timestamp: 5, step: 4 }],
    ["1", "5", "null", { value: 1, timestamp: 5, step: 0 }],
    ["1", "true", "1", { value: 1, timestamp: 0, step: 0 }],
  ])("logs value %s, timestamp %s, step %s as MLflow does", async (value, timestamp, step, expected) => {
    const answer = await logged(metric(value, timestamp, step));
    expect(answer.status).toBe(200);
    expect(answer.data.metrics).toEqual([{ key: "m", ...expected }]);
  });

  it.each([
    ['"metrics": [{"key": "m", "value": null, "timestamp": 1}]', "metrics[0].value"],
    ['"metrics": [{"key": "m", "value": "", "timestamp": 1}]', "metrics[0].value"],
    ['"metrics": [{"key": "m", "value": 1, "timestamp": null}]', "metrics[0].timestamp"],
    ['"params": [{"key": null, "value": "v"}]', "params[0].key"],
  ])("refuses %s as missing", async (fields, path) => {
    const answer = await logged(fields);
    expect({ status: answer.status, json: answer.json }).toEqual(
      refused(`Missing value for required parameter '${path}'. ${HINT}`),
    );
  });
});

describe("the body's own fields", () => {
  it("refuses a run_id that is no string with mlflow's type hint", async () => {
    const answer = await logBatch(`{"run_id": 5}`);
    expect(answer).toEqual(
      refused(`Invalid value 5 for parameter 'run_id' supplied:  Hint: Value was of type 'int'. ${HINT}`),
    );
  });

  it("refuses a list that is an object with mlflow's type hint", async () => {
    const answer = await logged(`"params": {"value": "v", "key": "p"}`);
    expect({ status: answer.status, json: answer.json }).toEqual(
      refused(
        `Invalid value {"key":"p","value":"v"} for parameter 'params' supplied:  Hint: Value was of type 'dict'. ${HINT}`,
      ),
    );
  });

  it("does not read run_uuid into the message: the store gets an empty run_id", async () => {
    const runId = await newRun();
    const answer = await logBatch(`{"run_uuid": "${runId}", "params": [{"key": "q", "value": "v"}]}`);
    expect(answer).toEqual(refused(`Invalid value "" for parameter 'run_id' supplied.`));
  });
});
