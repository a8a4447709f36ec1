/**
 * Names, keys and values of the wrong JSON type, as `mlflow server` 3.17.2 answers them: its handlers check
 * these fields with `_assert_string`, which refuses with a Python type hint, and leave a null run name unset.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../../test/support/testServer.js";

let server: TestServer;
let runId: string;

const post = (path: string, body: object) =>
  callMlflowApi<{ message?: string; run?: { info: { run_id: string; run_name: string } } }>(
    server,
    "POST",
    path,
    body,
  );

const hint = (value: string, field: string, type: string) =>
  `Invalid value ${value} for parameter '${field}' supplied:  Hint: Value was of type '${type}'. ` +
  "See the API docs for more information about request parameters.";

beforeAll(async () => {
  server = await startTestServer();
  const created = await post("runs/create", { experiment_id: "0", run_name: "named" });
  runId = created.json.run?.info.run_id ?? "";
});
afterAll(async () => server.close());

describe("string fields of the wrong type", () => {
  const cases: Array<[string, (value: unknown) => object, string]> = [
    ["experiments/create", (v) => ({ name: v }), "name"],
    ["experiments/update", (v) => ({ experiment_id: "0", new_name: v }), "new_name"],
    ["experiments/set-experiment-tag", (v) => ({ experiment_id: "0", key: v, value: "1" }), "key"],
    ["experiments/set-experiment-tag", (v) => ({ experiment_id: "0", key: "k", value: v }), "value"],
    ["experiments/delete-experiment-tag", (v) => ({ experiment_id: "0", key: v }), "key"],
    ["runs/create", (v) => ({ experiment_id: "0", run_name: v }), "run_name"],
    ["runs/update", (v) => ({ run_id: runId, run_name: v }), "run_name"],
    ["runs/log-parameter", (v) => ({ run_id: runId, key: v, value: "1" }), "key"],
    ["runs/log-parameter", (v) => ({ run_id: runId, key: "p", value: v }), "value"],
    ["runs/log-metric", (v) => ({ run_id: runId, key: v, value: 1, timestamp: 1 }), "key"],
    ["runs/set-tag", (v) => ({ run_id: runId, key: v, value: "1" }), "key"],
    ["runs/set-tag", (v) => ({ run_id: runId, key: "t", value: v }), "value"],
    ["runs/delete-tag", (v) => ({ run_id: runId, key: v }), "key"],
  ];

  it.each(cases)("%s refuses a non-string %s with mlflow's type hint", async (path, body, field) => {
    const values: Array<[unknown, string, string]> = [
      [5, "5", "int"],
      [1.5, "1.5", "float"],
      [true, "true", "bool"],
      [[1], "[1]", "list"],
      [{ a: 1 }, '{"a":1}', "dict"],
    ];
    for (const [value, shown, type] of values) {
      const answer = await post(path, body(value));
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        error_code: "INVALID_PARAMETER_VALUE",
        message: hint(shown, field, type),
      });
    }
  });

  it("reads a null run name as unset: a new run gets a generated name, a renamed one keeps its own", async () => {
    const created = await post("runs/create", { experiment_id: "0", run_name: null });
    expect(created.status).toBe(200);
    expect(created.json.run?.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    const renamed = await post("runs/update", { run_id: runId, run_name: null });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ run_info: { run_name: "named" } });
  });
});
