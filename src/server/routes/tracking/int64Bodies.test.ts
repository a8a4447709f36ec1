/**
 * int64 fields of the run-writing bodies judged on the digits the client sent. Answers recorded from
 * `mlflow server` 3.17.2: a metric step of -9223372036854775809 (one below int64) is stored as 0, in log-metric
 * and log-batch alike; -9223372036854775808 (int64's smallest) is kept; 9223372036854775808 and 1e19 are
 * stored as 0; a value of 12345678901234567890 is stored as 1.2345678901234567e+19; a step sent as the
 * string "9223372036854775807" is accepted (200).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../../test/support/testServer.js";
import { bodyHasInt64Fields } from "./int64Bodies.js";

let server: TestServer;
let runId: string;

async function post(path: string, body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: response.status, json: await response.json() };
}

async function history(key: string): Promise<unknown> {
  const response = await fetch(
    `${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${key}`,
  );
  return ((await response.json()) as { metrics: unknown[] }).metrics;
}

beforeAll(async () => {
  server = await startTestServer();
  const run = await post("runs/create", '{"experiment_id": "0", "start_time": 1000}');
  runId = (run.json as { run: { info: { run_id: string } } }).run.info.run_id;
});
afterAll(async () => {
  await server.close();
});

describe("int64 fields beyond 2^53 in run bodies", () => {
  it("stores a step one below int64 as 0, as MLflow does", async () => {
    const single = await post(
      "runs/log-metric",
      `{"run_id": "${runId}", "key": "low", "value": 1, "timestamp": 5, "step": -9223372036854775809}`,
    );
    expect(single.status).toBe(200);
    expect(await history("low")).toEqual([{ key: "low", value: 1, timestamp: 5, step: 0 }]);
    const batch = await post(
      "runs/log-batch",
      `{"run_id": "${runId}", "metrics": [{"key": "low2", "value": 1, "timestamp": 5, "step": -9223372036854775809}]}`,
    );
    expect(batch.status).toBe(200);
    expect(await history("low2")).toEqual([{ key: "low2", value: 1, timestamp: 5, step: 0 }]);
  });

  it("keeps int64's smallest step and stores steps beyond its largest as 0", async () => {
    const steps = { min: "-9223372036854775808", over: "9223372036854775808", exp: "1e19" };
    for (const [key, step] of Object.entries(steps)) {
      const body = `{"run_id": "${runId}", "key": "${key}", "value": 1, "timestamp": 5, "step": ${step}}`;
      expect((await post("runs/log-metric", body)).status).toBe(200);
    }
    expect(await history("min")).toEqual([{ key: "min", value: 1, timestamp: 5, step: -(2 ** 63) }]);
    expect(await history("over")).toEqual([{ key: "over", value: 1, timestamp: 5, step: 0 }]);
    expect(await history("exp")).toEqual([{ key: "exp", value: 1, timestamp: 5, step: 0 }]);
  });

  it("takes int64's largest step as a string, as protobuf's JSON form allows", async () => {
    const body = `{"run_id": "${runId}", "key": "str", "value": 1, "timestamp": 5, "step": "9223372036854775807"}`;
    expect((await post("runs/log-metric", body)).status).toBe(200);
  });

  it("reads a big integer metric value as the double nearest it", async () => {
    const body = `{"run_id": "${runId}", "key": "big", "value": 12345678901234567890, "timestamp": 5}`;
    expect((await post("runs/log-metric", body)).status).toBe(200);
    expect(await history("big")).toEqual([
      { key: "big", value: Number(12345678901234567890n), timestamp: 5, step: 0 },
    ]);
  });
});

/**
 * Answers recorded from `mlflow server` 3.17.2 (SQLite): steps and timestamps of 9223372036854775807,
 * 9223372036854775806, 9223372036854775000 and 9007199254740993 (2^53+1), logged one by one or in a batch,
 * come back from get-history, runs/get, runs/search and get-history-bulk-interval with every digit; a
 * timestamp of -9223372036854775807 is refused with those digits in the message.
 */
describe("int64 steps and timestamps beyond 2^53 kept exactly", () => {
  const exact = ["9223372036854775807", "9223372036854775806", "9223372036854775000", "9007199254740993"];
  const point = (key: string, n: string) => `{"key": "${key}", "value": 1, "timestamp": ${n}, "step": ${n}}`;
  const text = async (path: string, init?: RequestInit) =>
    (await fetch(`${server.url}/api/2.0/mlflow/${path}`, init)).text();

  it("answers them with every digit from every read", async () => {
    for (const [i, n] of exact.entries()) {
      const body = `{"run_id": "${runId}", ${point(`x${i}`, n).slice(1, -1)}}`;
      expect((await post("runs/log-metric", body)).status).toBe(200);
    }
    const batch = exact.map((n, i) => point(`y${i}`, n)).join(", ");
    expect((await post("runs/log-batch", `{"run_id": "${runId}", "metrics": [${batch}]}`)).status).toBe(200);
    const run = await text(`runs/get?run_id=${runId}`);
    const search = await text("runs/search", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"experiment_ids": ["0"]}',
    });
    for (const [i, n] of exact.entries()) {
      for (const key of [`x${i}`, `y${i}`]) {
        const expected = `{"key":"${key}","value":1,"timestamp":${n},"step":${n}}`;
        expect(await text(`metrics/get-history?run_id=${runId}&metric_key=${key}`)).toBe(
          `{"metrics":[${expected}]}`,
        );
        expect(run).toContain(expected);
        expect(search).toContain(expected);
        expect(
          await text(`metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=${key}&max_results=10`),
        ).toBe(`{"metrics":[${expected.slice(0, -1)},"run_id":"${runId}"}]}`);
      }
    }
  });

  it("quotes a refused timestamp with every digit", async () => {
    const refused = await post(
      "runs/log-metric",
      `{"run_id": "${runId}", "key": "neg", "value": 1, "timestamp": -9223372036854775807}`,
    );
    expect(refused.status).toBe(400);
    expect((refused.json as { message: string }).message).toContain(
      "Invalid value -9223372036854775807 for parameter 'timestamp' supplied",
    );
  });
});

/**
 * Answers recorded from `mlflow server` 3.17.2 (SQLite, curl): runs/create keeps a start_time of
 * 9223372036854775807 and runs/update an end_time of 9223372036854775807 or 9007199254740993 with every digit;
 * an end_time of 9223372036854775808 leaves the one stored; `attributes.start_time = 9223372036854775807`
 * and `attributes.end_time = 9223372036854775807` find the run; runs/outputs keeps a model's step of
 * 9223372036854775807 (runs/get answers it) and stores 9223372036854775808 as 0.
 */
describe("int64 run times and output steps beyond 2^53 kept exactly", () => {
  const max = "9223372036854775807";
  const field = (name: string, digits: string) => new RegExp(`"${name}":${digits}[,}]`);
  const text = async (path: string, init?: RequestInit) =>
    (await fetch(`${server.url}/api/2.0/mlflow/${path}`, init)).text();
  const postText = (path: string, body: string) =>
    text(path, { method: "POST", headers: { "content-type": "application/json" }, body });
  const created = async (startTime: string) => {
    const answer = await postText("runs/create", `{"experiment_id": "0", "start_time": ${startTime}}`);
    return { answer, id: /"run_id":"([0-9a-f]{32})"/.exec(answer)?.[1] ?? "" };
  };

  it("keeps start_time and end_time in create, update, get and search", async () => {
    const run = await created(max);
    expect(run.answer).toMatch(field("start_time", max));
    const update = (endTime: string) =>
      postText("runs/update", `{"run_id": "${run.id}", "end_time": ${endTime}, "status": "FINISHED"}`);
    expect(await update("9007199254740993")).toMatch(field("end_time", "9007199254740993"));
    expect(await update(max)).toMatch(field("end_time", max));
    expect(await update("9223372036854775808")).toMatch(field("end_time", max));
    const got = await text(`runs/get?run_id=${run.id}`);
    expect(got).toMatch(field("start_time", max));
    expect(got).toMatch(field("end_time", max));
    for (const filter of [`attributes.start_time = ${max}`, `attributes.end_time = ${max}`]) {
      const found = await postText("runs/search", `{"experiment_ids": ["0"], "filter": "${filter}"}`);
      expect(found).toBe(`{"runs":[${got.slice('{"run":'.length, -1)}]}`);
    }
  });

  it("keeps a model output's step and stores one beyond int64 as 0", async () => {
    const run = await created("1000");
    const output = (model: string, step: string) =>
      postText(
        "runs/outputs",
        `{"run_id": "${run.id}", "models": [{"model_id": "${model}", "step": ${step}}]}`,
      );
    expect(await output("m-max", max)).toBe("{}");
    expect(await output("m-over", "9223372036854775808")).toBe("{}");
    expect(await text(`runs/get?run_id=${run.id}`)).toContain(
      `"outputs":{"model_outputs":[{"model_id":"m-max","step":${max}},{"model_id":"m-over","step":0}]}`,
    );
  });
});

describe("bodyHasInt64Fields", () => {
  it("names the run-writing RPCs with int64 fields, under both API prefixes", () => {
    expect(bodyHasInt64Fields("/api/2.0/mlflow/runs/log-metric")).toBe(true);
    expect(bodyHasInt64Fields("/ajax-api/2.0/mlflow/runs/log-batch?x=1")).toBe(true);
    expect(bodyHasInt64Fields("/api/2.0/mlflow/runs/create")).toBe(true);
    expect(bodyHasInt64Fields("/api/2.0/mlflow/runs/update")).toBe(true);
    expect(bodyHasInt64Fields("/api/2.0/mlflow/runs/outputs")).toBe(true);
    expect(bodyHasInt64Fields("/api/2.0/mlflow/runs/search")).toBe(false);
    expect(bodyHasInt64Fields("/api/2.0/mlflow/runs/log-metrics")).toBe(false);
    expect(bodyHasInt64Fields("/api/2.0/mlflow/model-versions/create")).toBe(false);
  });
});
