/**
 * Regressions the tracking-server fuzz test found at the wire level: requests refused before any route runs
 * (bad percent-encoding, a URL over Node's header limit) and bodies the JSON parser mishandled. Each answer
 * must be a 4xx in MLflow's shape (`{"error_code", "message", "sqlstate", "error_class"}`, or Werkzeug's HTML 404
 * page for a path no route takes), and the server must keep serving.
 */
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw } from "../../test/support/rawHttp.js";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { NOT_FOUND_PAGE } from "./werkzeugErrorPages.js";

let server: TestServer;
let runId: string;
const MLFLOW = "/api/2.0/mlflow";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function send(method: string, path: string, body?: Buffer, agent?: Agent): Promise<Answer> {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  const answer = await sendRaw(new URL(server.url), { method, path, headers, body }, agent ? { agent } : {});
  return { status: answer.status, headers: answer.headers, text: answer.body.toString("utf8") };
}

const json = (text: string) => Buffer.from(text, "utf8");

async function metricHistory(key: string): Promise<unknown[]> {
  const answer = await send("GET", `${MLFLOW}/metrics/get-history?run_id=${runId}&metric_key=${key}`);
  return (JSON.parse(answer.text) as { metrics?: { value: unknown }[] }).metrics?.map((m) => m.value) ?? [];
}

beforeAll(async () => {
  server = await startTestServer();
  const experiment = await send("POST", `${MLFLOW}/experiments/create`, json('{"name":"wire"}'));
  const experimentId = (JSON.parse(experiment.text) as { experiment_id: string }).experiment_id;
  const run = await send("POST", `${MLFLOW}/runs/create`, json(`{"experiment_id":"${experimentId}"}`));
  runId = (JSON.parse(run.text) as { run: { info: { run_id: string } } }).run.info.run_id;
});
afterAll(async () => {
  await server.close();
});

describe("requests refused before any route", () => {
  it("answers a path with broken percent-encoding with MLflow's 404, not Fastify's error shape", async () => {
    const answer = await send("GET", `${MLFLOW}/runs/%ZZ?run_id=x`);
    expect(answer.status).toBe(404);
    // Werkzeug finds no route for the undecoded path: MLflow answers its HTML 404 page.
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.text).toBe(NOT_FOUND_PAGE);
  });

  it("answers a URL over 16 KiB with an MLflow-shaped 431 and closes that connection only", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const long = await send("GET", `${MLFLOW}/runs/get?run_id=${"x".repeat(20_000)}`, undefined, agent);
      expect(long.status).toBe(431);
      expect(long.headers.connection).toBe("close");
      expect(JSON.parse(long.text)).toMatchObject({ error_code: "REQUEST_LIMIT_EXCEEDED" });
      // The pooled socket must not be reused after the server closed it.
      const next = await send("GET", `${MLFLOW}/runs/get?run_id=${runId}`, undefined, agent);
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it("answers a HEAD over the limit without a body, which a client would read as a next response", async () => {
    const answer = await send("HEAD", `${MLFLOW}/runs/get?run_id=${"x".repeat(20_000)}`);
    expect(answer.status).toBe(431);
    expect(answer.text).toBe("");
  });
});

describe("JSON bodies", () => {
  it("refuses a body that is not UTF-8 rather than storing U+FFFD in its place", async () => {
    const body = Buffer.concat([
      json(`{"run_id":"${runId}","key":"bad`),
      Buffer.from([0xff]),
      json('","value":"v"}'),
    ]);
    const answer = await send("POST", `${MLFLOW}/runs/set-tag`, body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Request body is not valid UTF-8.",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
    });
    const run = await send("GET", `${MLFLOW}/runs/get?run_id=${runId}`);
    expect(run.text).not.toContain("\ufffd");
  });

  it("refuses a lone surrogate, which SQLite would store as U+FFFD and MLflow as an empty string", async () => {
    const body = json(`{"run_id":"${runId}","key":"lone","value":"a\\ud800b"}`);
    const answer = await send("POST", `${MLFLOW}/runs/set-tag`, body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: 'Request body has a string with a lone UTF-16 surrogate, which cannot be stored: "a\\ud800b".',
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
    });
  });

  it("reads a body that starts with a UTF-8 byte order mark, as MLflow does", async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json('{"name":"bom"}')]);
    const answer = await send("POST", `${MLFLOW}/experiments/create`, body);
    expect(answer.status).toBe(200);
  });

  it("logs Python's bare NaN and -Infinity, and 1e999, as the non-finite metric values they name", async () => {
    for (const value of ["NaN", "-Infinity", "1e999"]) {
      const body = json(`{"run_id":"${runId}","key":"nf","value":${value},"timestamp":1,"step":0}`);
      expect((await send("POST", `${MLFLOW}/runs/log-metric`, body)).status).toBe(200);
    }
    // The store keeps infinities as the largest doubles, as MLflow's SQL store does.
    const values = await metricHistory("nf");
    expect(values).toHaveLength(3);
    expect(values).toEqual(expect.arrayContaining(["NaN", Number.MAX_VALUE, -Number.MAX_VALUE]));
  });

  it("answers a value nested 5000 deep with a 400 that names the field", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const answer = await send(
      "POST",
      `${MLFLOW}/runs/set-tag`,
      json(`{"run_id":${deep},"key":"k","value":"v"}`),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("'run_id'") as unknown,
    });
  });
});
