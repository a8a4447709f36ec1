import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { decodeDouble, HttpTransport } from "./http.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A tiny server that records requests and answers from a script of responses, the last one repeating. */
function scriptedServer(script: Array<(res: ServerResponse) => void>) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const answer = script[Math.min(seen.length - 1, script.length - 1)];
      answer?.(res);
    });
  });
  return { server, seen };
}

const json = (status: number, body: unknown) => (res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("client transport", () => {
  let server: Server | undefined;
  let url: string;

  async function serve(script: Array<(res: ServerResponse) => void>) {
    const scripted = scriptedServer(script);
    server = scripted.server;
    await new Promise<void>((resolve) => scripted.server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(scripted.server.address() as AddressInfo).port}`;
    return scripted.seen;
  }

  beforeEach(() => {
    server = undefined;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("sends GET fields as query parameters with repeated keys for lists", async () => {
    const seen = await serve([json(200, { ok: true })]);
    const http = new HttpTransport({ trackingUri: `${url}/`, env: {} });
    await http.call("GET", "runs/search", { ids: ["a", "b"], flag: true, n: 5, skipped: undefined });
    expect(seen[0]?.url).toBe("/api/2.0/mlflow/runs/search?ids=a&ids=b&flag=true&n=5");
  });

  it("sends other methods as JSON with NaN and infinities spelled as protobuf does", async () => {
    const seen = await serve([json(200, {})]);
    const http = new HttpTransport({ trackingUri: url, env: {} });
    await http.call("POST", "runs/log-metric", {
      value: Number.NaN,
      big: Number.POSITIVE_INFINITY,
      small: -Infinity,
      ok: 1.5,
    });
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({
      value: "NaN",
      big: "Infinity",
      small: "-Infinity",
      ok: 1.5,
    });
    expect(decodeDouble("NaN")).toBeNaN();
    expect(decodeDouble("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
  });

  it("reads int64 values past 2^53 exactly, as BigInts, and every other number as a double", async () => {
    // As MLflow 3.17.2's server writes a metric logged with step 9223372036854775807; the value of 1e20 as
    // FlowOps' toWireJson writes it (JSON.stringify's digits), which no int64 field can hold.
    const text =
      '{"metrics": [{"key": "m", "value": 1.5, "timestamp": 9223372036854775807, "step": -9223372036854775808},' +
      ' {"key": "n", "value": 100000000000000000000, "timestamp": 9007199254740993, "step": 9007199254740991}],' +
      ' "tag": "9223372036854775807"}';
    await serve([(res) => res.end(text)]);
    const http = new HttpTransport({ trackingUri: url, env: {} });
    expect(await http.call("GET", "metrics/get-history")).toEqual({
      metrics: [
        { key: "m", value: 1.5, timestamp: 2n ** 63n - 1n, step: -(2n ** 63n) },
        { key: "n", value: 1e20, timestamp: 2n ** 53n + 1n, step: Number.MAX_SAFE_INTEGER },
      ],
      tag: "9223372036854775807",
    });
    expect(decodeDouble(2n ** 60n)).toBe(2 ** 60);
  });

  it("sends int64 values past 2^53 with all their digits, in bodies and queries", async () => {
    const seen = await serve([json(200, {})]);
    const http = new HttpTransport({ trackingUri: url, env: {} });
    await http.call("POST", "runs/log-metric", { step: 2n ** 63n - 1n, timestamp: 2 ** 62, value: 0.5 });
    expect(seen[0]?.body).toBe('{"step":9223372036854775807,"timestamp":4611686018427387904,"value":0.5}');
    await http.call("GET", "metrics/get-history", { step: 2 ** 62, id: 2n ** 63n - 1n });
    expect(seen[1]?.url).toBe(
      "/api/2.0/mlflow/metrics/get-history?step=4611686018427387904&id=9223372036854775807",
    );
  });

  it("turns MLflow's JSON error into a FlowOpsError with the same code", async () => {
    await serve([
      json(400, { error_code: "RESOURCE_ALREADY_EXISTS", message: "Experiment 'x' already exists." }),
    ]);
    const http = new HttpTransport({ trackingUri: url, env: {} });
    const error = await http.call("POST", "experiments/create", { name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect(error).toMatchObject({
      code: "RESOURCE_ALREADY_EXISTS",
      message: "Experiment 'x' already exists.",
    });
  });

  it("maps a non-JSON error body back to a code from the status", async () => {
    await serve([
      (res) => {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("nope");
      },
    ]);
    const http = new HttpTransport({ trackingUri: url, env: {} });
    await expect(http.call("GET", "missing")).rejects.toMatchObject({ code: "ENDPOINT_NOT_FOUND" });
  });

  it("retries idempotent calls on 503 with back-off and then succeeds", async () => {
    const seen = await serve([
      json(503, { error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" }),
      json(200, { x: 1 }),
    ]);
    const http = new HttpTransport({ trackingUri: url, env: {}, retries: 2, retryBackoffMs: 1 });
    expect(await http.call("GET", "experiments/get", { experiment_id: "1" })).toEqual({ x: 1 });
    expect(await http.call("POST", "runs/log-batch", { run_id: "r" }, { idempotent: true })).toEqual({
      x: 1,
    });
    expect(seen).toHaveLength(3);
  });

  it("does not retry a non-idempotent POST", async () => {
    const seen = await serve([json(500, { error_code: "INTERNAL_ERROR", message: "boom" })]);
    const http = new HttpTransport({ trackingUri: url, env: {}, retries: 3, retryBackoffMs: 1 });
    await expect(http.call("POST", "runs/create", {})).rejects.toMatchObject({ code: "INTERNAL_ERROR" });
    expect(seen).toHaveLength(1);
  });

  it("reports an unreachable server as TEMPORARILY_UNAVAILABLE", async () => {
    await serve([json(200, {})]);
    const deadUrl = url;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const http = new HttpTransport({ trackingUri: deadUrl, env: {}, retries: 1, retryBackoffMs: 1 });
    await expect(http.call("GET", "experiments/get")).rejects.toMatchObject({
      code: "TEMPORARILY_UNAVAILABLE",
    });
  });

  it("authenticates with basic credentials or a bearer token, from options or the environment", async () => {
    const seen = await serve([json(200, {})]);
    await new HttpTransport({ trackingUri: url, env: {}, username: "u", password: "p" }).call("GET", "x");
    await new HttpTransport({ env: { MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_TOKEN: "t" } }).call(
      "GET",
      "x",
    );
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(seen[1]?.headers.authorization).toBe("Bearer t");
  });
});
