/**
 * Requests MLflow's server accepts although they are not quite well formed, because its protobuf parser skips
 * what it cannot read and the handler goes on with the field at its default. FlowOps answered each with a 400;
 * the expected answers here were read off `mlflow server` 3.17.2 (SQLite store).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

let server: TestServer;
let experimentId: string;
let runId: string;

type Json = Record<string, unknown>;
const call = (method: string, path: string, body?: object) => callMlflowApi<Json>(server, method, path, body);
/** A token as mlflow writes it (`json.dumps` spacing), which is also the text FlowOps hands out. */
const token = (offset: number) => Buffer.from(`{"offset": ${offset}}`).toString("base64");

async function history(key: string): Promise<{ timestamp: number; step: number; value: number }[]> {
  const answer = await call("GET", "metrics/get-history", { run_id: runId, metric_key: key });
  return (answer.json.metrics ?? []) as { timestamp: number; step: number; value: number }[];
}

beforeAll(async () => {
  server = await startTestServer();
  experimentId = (await call("POST", "experiments/create", { name: "lenient" })).json.experiment_id as string;
  for (const start of [1, 2, 3]) {
    const run = await call("POST", "runs/create", { experiment_id: experimentId, start_time: start });
    runId = (run.json.run as { info: { run_id: string } }).info.run_id;
  }
  for (const name of ["a", "b", "c"]) {
    await call("POST", "registered-models/create", { name });
    await call("POST", "logged-models", { experiment_id: experimentId, name: `lm-${name}` });
  }
});
afterAll(async () => {
  await server.close();
});

describe("fractional int64 fields", () => {
  it("logs a metric whose timestamp or step has a fraction at 0, as MLflow stores it", async () => {
    const logged = await call("POST", "runs/log-metric", {
      run_id: runId,
      key: "fraction",
      value: 2,
      timestamp: 1.5,
      step: 4.25,
    });
    expect(logged).toEqual({ status: 200, json: {} });
    expect(await history("fraction")).toEqual([{ key: "fraction", value: 2, timestamp: 0, step: 0 }]);
  });

  it("logs a batch metric whose timestamp has a fraction at 0", async () => {
    // The step goes first: protobuf stops at the fraction, and a field written after it would be lost too.
    const logged = await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [{ key: "batch-fraction", value: 7, step: 3, timestamp: 3.7 }],
    });
    expect(logged.status).toBe(200);
    expect(await history("batch-fraction")).toEqual([
      { key: "batch-fraction", value: 7, timestamp: 0, step: 3 },
    ]);
  });

  it("still refuses a timestamp written as a fractional string, as MLflow does", async () => {
    const logged = await call("POST", "runs/log-metric", {
      run_id: runId,
      key: "m",
      value: 1,
      timestamp: "1.5",
    });
    expect(logged.status).toBe(400);
    expect(logged.json.message).toContain("'timestamp'");
  });

  it("searches runs and logged models with their default page size for a fractional max_results", async () => {
    const runs = await call("POST", "runs/search", { experiment_ids: [experimentId], max_results: 1.5 });
    expect(runs.status).toBe(200);
    expect(runs.json.runs).toHaveLength(3);
    const models = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      max_results: 1.5,
    });
    expect(models.status).toBe(200);
    expect(models.json.models).toHaveLength(3);
  });

  it("refuses a fractional max_results on experiment search, read as 0 there as in MLflow", async () => {
    const answer = await call("POST", "experiments/search", { max_results: 1.5 });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toBe(
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
  });
});

describe("max_results 0", () => {
  it("answers registered-model search with no models and a token for the same offset", async () => {
    // Protobuf's JSON leaves the empty list out, as MLflow answers.
    const first = await call("GET", "registered-models/search", { max_results: 0 });
    expect(first).toEqual({ status: 200, json: { next_page_token: token(0) } });
    const later = await call("GET", "registered-models/search", { max_results: 0, page_token: token(2) });
    expect(later).toEqual({ status: 200, json: { next_page_token: token(2) } });
    const none = await call("GET", "registered-models/search", { max_results: 0, filter: "name = 'zz'" });
    expect(none).toEqual({ status: 200, json: {} });
  });

  it("still refuses it on model-version search, as MLflow does", async () => {
    const answer = await call("GET", "model-versions/search", { max_results: 0 });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toBe(
      "Invalid value for max_results. It must be a positive integer, but got 0",
    );
  });

  it("reads it as the default page size on logged-model search", async () => {
    const answer = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      max_results: 0,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.models).toHaveLength(3);
  });
});

describe("page tokens with a negative offset", () => {
  it("answers the first page of runs, experiments, models and versions", async () => {
    const runs = await call("POST", "runs/search", {
      experiment_ids: [experimentId],
      max_results: 2,
      page_token: token(-1),
    });
    expect(runs.status).toBe(200);
    const firstRuns = await call("POST", "runs/search", { experiment_ids: [experimentId], max_results: 2 });
    expect(runs.json.runs).toEqual(firstRuns.json.runs);

    const experiments = await call("POST", "experiments/search", { max_results: 1, page_token: token(-1) });
    expect(experiments.status).toBe(200);
    expect(experiments.json.experiments).toHaveLength(1);

    const models = await call("GET", "registered-models/search", { max_results: 2, page_token: token(-1) });
    expect(models.status).toBe(200);
    expect((models.json.registered_models as { name: string }[]).map((m) => m.name)).toEqual(["a", "b"]);

    const versions = await call("GET", "model-versions/search", { page_token: token(-1) });
    expect(versions.status).toBe(200);
  });

  it("answers the first page of a metric history", async () => {
    await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [0, 1, 2].map((step) => ({ key: "paged", value: step, timestamp: 10, step })),
    });
    const answer = await call("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: "paged",
      max_results: 1,
      page_token: token(-1),
    });
    expect(answer.status).toBe(200);
    expect((answer.json.metrics as { step: number }[]).map((m) => m.step)).toEqual([0]);
  });

  it("answers the first page of logged models for a token of the same query", async () => {
    const first = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      max_results: 1,
    });
    const next = JSON.parse(
      Buffer.from(first.json.next_page_token as string, "base64").toString("utf8"),
    ) as Json;
    const negative = Buffer.from(JSON.stringify({ ...next, offset: -1 })).toString("base64");
    const answer = await call("POST", "logged-models/search", {
      experiment_ids: [experimentId],
      max_results: 1,
      page_token: negative,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.models).toEqual(first.json.models);
  });
});

describe("runs/update with a status MLflow does not know", () => {
  it("keeps the run's status and still applies the request's other fields", async () => {
    const answer = await call("POST", "runs/update", {
      run_id: runId,
      status: "BOGUS",
      end_time: 5,
      run_name: "renamed",
    });
    expect(answer.status).toBe(200);
    expect(answer.json.run_info).toMatchObject({ status: "RUNNING", end_time: 5, run_name: "renamed" });
    const lowerCase = await call("POST", "runs/update", { run_id: runId, status: "finished" });
    expect(lowerCase.json.run_info).toMatchObject({ status: "RUNNING" });
    const known = await call("POST", "runs/update", { run_id: runId, status: "FINISHED" });
    expect(known.json.run_info).toMatchObject({ status: "FINISHED" });
  });
});

describe("runs/log-inputs with a dataset without a digest", () => {
  it("logs the dataset with an empty digest, once however often it is logged", async () => {
    const dataset = { name: "no-digest", source_type: "local", source: "/data" };
    for (let i = 0; i < 2; i++) {
      const answer = await call("POST", "runs/log-inputs", { run_id: runId, datasets: [{ dataset }] });
      expect(answer).toEqual({ status: 200, json: {} });
    }
    const run = await call("GET", "runs/get", { run_id: runId });
    const inputs = (run.json.run as { inputs: { dataset_inputs: { dataset: Json }[] } }).inputs;
    expect(inputs.dataset_inputs.map((i) => i.dataset)).toEqual([{ ...dataset, digest: "" }]);
  });
});
