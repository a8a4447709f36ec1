import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function call(
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown> | string,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const url = `${server.url}/api/2.0/mlflow/${path}`;
  const response =
    method === "GET"
      ? await fetch(url)
      : await fetch(url, {
          method,
          headers: { "content-type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body ?? {}),
        });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown>, text };
}

async function newRun(experimentName: string): Promise<string> {
  const created = await call("POST", "experiments/create", { name: experimentName });
  const run = await call("POST", "runs/create", {
    experiment_id: created.json.experiment_id,
    start_time: 1000,
  });
  return (run.json.run as { info: { run_id: string } }).info.run_id;
}

describe("tracking routes", () => {
  it("serves the Default experiment 0 from start", async () => {
    const { status, json } = await call("GET", "experiments/get?experiment_id=0");
    expect(status).toBe(200);
    expect(json.experiment).toMatchObject({
      experiment_id: "0",
      name: "Default",
      artifact_location: "mlflow-artifacts:/0",
      lifecycle_stage: "active",
    });
  });

  it("creates an experiment, returns its id as a string and finds it by name", async () => {
    const created = await call("POST", "experiments/create", { name: "routes-exp" });
    expect(typeof created.json.experiment_id).toBe("string");
    const byName = await call("GET", "experiments/get-by-name?experiment_name=routes-exp");
    expect(byName.json.experiment).toMatchObject({
      experiment_id: created.json.experiment_id,
      artifact_location: `mlflow-artifacts:/${String(created.json.experiment_id)}`,
    });
  });

  it("answers a missing experiment name with 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const { status, json } = await call("GET", "experiments/get-by-name?experiment_name=nope");
    expect(status).toBe(404);
    expect(json).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
      message: "Could not find experiment with name 'nope'",
    });
  });

  it("answers a duplicate experiment name with 400 RESOURCE_ALREADY_EXISTS", async () => {
    await call("POST", "experiments/create", { name: "dup" });
    const { status, json } = await call("POST", "experiments/create", { name: "dup" });
    expect(status).toBe(400);
    expect(json.error_code).toBe("RESOURCE_ALREADY_EXISTS");
  });

  it("names the missing run_id the way MLflow's handlers do", async () => {
    const { status, json } = await call("GET", "runs/get");
    expect(status).toBe(400);
    expect(json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(json.message).toContain("Missing value for required parameter 'run_id'");
  });

  it("names a run_id of the wrong type with the value that was sent", async () => {
    const { status, json } = await call("POST", "runs/log-parameter", { run_id: 31, key: "k", value: "v" });
    expect(status).toBe(400);
    expect(json.message).toContain("Invalid value 31 for parameter 'run_id' supplied");
    expect(json.message).toMatch(/See the API docs for more information about request parameters\.$/);
  });

  it("refuses a changed param value with INVALID_PARAMETER_VALUE", async () => {
    const runId = await newRun("param-change");
    await call("POST", "runs/log-parameter", { run_id: runId, key: "k", value: "1" });
    const { status, json } = await call("POST", "runs/log-parameter", {
      run_id: runId,
      key: "k",
      value: "2",
    });
    expect(status).toBe(400);
    expect(json.message).toMatch(/^Changing param values is not allowed\./);
  });

  it("accepts the legacy run_uuid in place of run_id", async () => {
    const runId = await newRun("legacy-uuid");
    const { status, json } = await call("GET", `runs/get?run_uuid=${runId}`);
    expect(status).toBe(200);
    expect((json.run as { info: { run_id: string } }).info.run_id).toBe(runId);
  });

  it("sends a full run with every section and omits an unset end_time", async () => {
    const runId = await newRun("full-run");
    const { json } = await call("GET", `runs/get?run_id=${runId}`);
    const run = json.run as Record<string, Record<string, unknown>>;
    expect(run.info).not.toHaveProperty("end_time");
    expect(run.info).toMatchObject({ status: "RUNNING", lifecycle_stage: "active", start_time: 1000 });
    expect(Object.keys(run).sort()).toEqual(["data", "info", "inputs", "outputs"]);
  });

  it("round-trips NaN and infinities in metric values as protobuf strings", async () => {
    const runId = await newRun("nan-run");
    const batch = await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "nan", value: "NaN", timestamp: 1, step: 0 },
        { key: "inf", value: "Infinity", timestamp: 1, step: 0 },
        { key: "ninf", value: "-Infinity", timestamp: 1, step: 0 },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.json).toEqual({});
    const { text } = await call("GET", `runs/get?run_id=${runId}`);
    expect(text).toContain('"value":"NaN"');
    const metrics = (JSON.parse(text) as { run: { data: { metrics: { key: string; value: unknown }[] } } })
      .run.data.metrics;
    expect(metrics.find((m) => m.key === "inf")?.value).toBe(1.7976931348623157e308);
    expect(metrics.find((m) => m.key === "ninf")?.value).toBe(-1.7976931348623157e308);
  });

  // Regression: steps above 2**53 - 1 (MLflow's int64) were refused with 400.
  it("accepts a metric step of 2**62 and sends it back exactly", async () => {
    const runId = await newRun("big-steps");
    const step = 2 ** 62;
    const logged = await call(
      "POST",
      "runs/log-metric",
      `{"run_id": "${runId}", "key": "eval:loss", "value": 1, "timestamp": 5, "step": 4611686018427387904}`,
    );
    expect(logged.status).toBe(200);
    const history = await call("GET", `metrics/get-history?run_id=${runId}&metric_key=eval:loss`);
    expect(history.text).toContain('"step":4611686018427387904');
    expect(history.json.metrics).toEqual([{ key: "eval:loss", value: 1, timestamp: 5, step }]);
    const tooBig = await call(
      "POST",
      "runs/log-metric",
      `{"run_id": "${runId}", "key": "m", "value": 1, "timestamp": 5, "step": 9223372036854775808}`,
    );
    // Beyond int64 MLflow's proto parser leaves the step at 0 (see protoScalars.test.ts).
    expect(tooBig.status).toBe(200);
    const far = await call("GET", `metrics/get-history?run_id=${runId}&metric_key=m`);
    expect(far.json.metrics).toEqual([{ key: "m", value: 1, timestamp: 5, step: 0 }]);
  });

  it("lets a replayed log-batch succeed without duplicating rows", async () => {
    const runId = await newRun("replay");
    const body = {
      run_id: runId,
      metrics: [{ key: "loss", value: 0.5, timestamp: 10, step: 1 }],
      params: [{ key: "lr", value: "0.1" }],
      tags: [{ key: "t", value: "v" }],
    };
    expect((await call("POST", "runs/log-batch", body)).status).toBe(200);
    expect((await call("POST", "runs/log-batch", body)).status).toBe(200);
    const history = await call("GET", `metrics/get-history?run_id=${runId}&metric_key=loss`);
    expect(history.json.metrics).toEqual([{ key: "loss", value: 0.5, timestamp: 10, step: 1 }]);
  });

  it("rejects duplicate param keys in one batch with 400", async () => {
    const runId = await newRun("dup-params");
    const { status, json } = await call("POST", "runs/log-batch", {
      run_id: runId,
      params: [
        { key: "a", value: "1" },
        { key: "a", value: "2" },
      ],
    });
    expect(status).toBe(400);
    expect(json.message).toContain("Duplicate parameter keys have been submitted: ['a']");
  });

  it("reads repeated query keys as lists for get-history-bulk-interval", async () => {
    const a = await newRun("bulk-a");
    const b = await newRun("bulk-b");
    for (const runId of [a, b]) {
      await call("POST", "runs/log-metric", { run_id: runId, key: "acc", value: 1, timestamp: 5, step: 3 });
    }
    const { status, json } = await call(
      "GET",
      `metrics/get-history-bulk-interval?run_ids=${a}&run_ids=${b}&metric_key=acc`,
    );
    expect(status).toBe(200);
    expect((json.metrics as { run_id: string }[]).map((m) => m.run_id)).toEqual([a, b]);
  });

  it("serves get-history-bulk under /ajax-api only", async () => {
    const runId = await newRun("ajax-bulk");
    await call("POST", "runs/log-metric", { run_id: runId, key: "m", value: 2, timestamp: 5 });
    const ajax = await fetch(
      `${server.url}/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${runId}&metric_key=m`,
    );
    expect(ajax.status).toBe(200);
    expect(await ajax.json()).toEqual({
      metrics: [{ key: "m", value: 2, timestamp: 5, step: 0, run_id: runId }],
    });
    const api = await fetch(
      `${server.url}/api/2.0/mlflow/metrics/get-history-bulk?run_id=${runId}&metric_key=m`,
    );
    expect(api.status).toBe(404);
  });

  it("answers runs/update with run_info only", async () => {
    const runId = await newRun("update");
    const { json } = await call("POST", "runs/update", {
      run_id: runId,
      status: "FINISHED",
      end_time: 2000,
      run_name: "renamed",
    });
    expect(json).toEqual({
      run_info: expect.objectContaining({
        status: "FINISHED",
        end_time: 2000,
        run_name: "renamed",
      }) as unknown,
    });
  });

  it("refuses a malformed model_json with 400", async () => {
    const runId = await newRun("log-model");
    const { status, json } = await call("POST", "runs/log-model", { run_id: runId, model_json: "{not json" });
    expect(status).toBe(400);
    expect(json.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("reports an unknown run as 404 with MLflow's message", async () => {
    const { status, json } = await call("GET", "runs/get?run_id=doesnotexist");
    expect(status).toBe(404);
    expect(json).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
      message: "Run with id=doesnotexist not found",
    });
  });
});
