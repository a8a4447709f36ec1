import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { AnalysisMetric } from "./analysisTemplate.js";
import { parseSampleValue, PrometheusMetricProvider } from "./prometheusProvider.js";

interface Reply {
  status?: number;
  body?: unknown;
  /** Never answer: the request hangs until the client gives up. */
  hang?: boolean;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A local Prometheus look-alike that answers `reply` and remembers the URLs it was asked. */
async function prometheus(reply: Reply): Promise<{ address: string; requests: URL[] }> {
  const requests: URL[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    requests.push(new URL(request.url ?? "/", "http://prometheus.local"));
    if (reply.hang === true) return;
    response.writeHead(reply.status ?? 200, { "content-type": "application/json" });
    response.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function metric(address: string, query = "sum(rate(errors[1m]))", timeout?: number): AnalysisMetric {
  return {
    name: "errors",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    provider: { prometheus: { address, query, ...(timeout === undefined ? {} : { timeout }) } },
  };
}

const NOW = 1_700_000_000_123;
const context = { args: {}, now: NOW };

describe("PrometheusMetricProvider", () => {
  it("sends an instant query at the measurement's time and reads a vector as one number per sample", async () => {
    const server = await prometheus({
      body: {
        status: "success",
        data: {
          resultType: "vector",
          result: [
            { metric: {}, value: [1700000000.1, "0.25"] },
            { metric: { pod: "b" }, value: [1700000000.1, "NaN"] },
            { metric: { pod: "c" }, value: [1700000000.1, "+Inf"] },
          ],
        },
      },
    });
    const query = 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';
    const measured = await new PrometheusMetricProvider().measure(
      metric(`${server.address}/`, query),
      context,
    );
    expect(measured).toEqual({ phase: "Successful", value: [0.25, NaN, Infinity] });
    const [asked] = server.requests;
    expect(asked?.pathname).toBe("/api/v1/query");
    expect(asked?.searchParams.get("query")).toBe(query);
    expect(asked?.searchParams.get("time")).toBe("1700000000.123");
  });

  it("reads a scalar result as a number", async () => {
    const server = await prometheus({
      body: { status: "success", data: { resultType: "scalar", result: [1700000000.1, "1"] } },
    });
    expect(await new PrometheusMetricProvider().measure(metric(server.address), context)).toEqual({
      phase: "Successful",
      value: 1,
    });
  });

  it("reads an empty vector as an empty list", async () => {
    const server = await prometheus({
      body: { status: "success", data: { resultType: "vector", result: [] } },
    });
    expect((await new PrometheusMetricProvider().measure(metric(server.address), context)).value).toEqual([]);
  });

  it("reports Prometheus' own error type and message", async () => {
    const server = await prometheus({
      status: 400,
      body: { status: "error", errorType: "bad_data", error: 'parse error at char 5: unexpected "}"' },
    });
    expect(await new PrometheusMetricProvider().measure(metric(server.address), context)).toEqual({
      phase: "Error",
      message: `prometheus at ${server.address}: bad_data: parse error at char 5: unexpected "}"`,
    });
  });

  it("refuses a matrix result", async () => {
    const server = await prometheus({
      body: { status: "success", data: { resultType: "matrix", result: [] } },
    });
    const measured = await new PrometheusMetricProvider().measure(metric(server.address), context);
    expect(measured.phase).toBe("Error");
    expect(measured.message).toContain('result type "matrix" is not supported');
  });

  it("names the address and status of an HTTP failure without a Prometheus body", async () => {
    const server = await prometheus({ status: 502, body: "Bad Gateway" });
    expect(await new PrometheusMetricProvider().measure(metric(server.address), context)).toEqual({
      phase: "Error",
      message: `prometheus at ${server.address}: HTTP 502: Bad Gateway`,
    });
  });

  it("gives up after the template's timeout", async () => {
    const server = await prometheus({ hang: true });
    expect(await new PrometheusMetricProvider().measure(metric(server.address, "up", 1), context)).toEqual({
      phase: "Error",
      message: `prometheus at ${server.address}: query timed out after 1 s`,
    });
  });

  it("reports a refused connection as an error naming the address", async () => {
    const server = await prometheus({ body: {} });
    const closed = servers.pop() as Server;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const measured = await new PrometheusMetricProvider().measure(metric(server.address), context);
    expect(measured.phase).toBe("Error");
    expect(measured.message).toContain(`prometheus at ${server.address}`);
    expect(measured.message).toContain("ECONNREFUSED");
  });
});

describe("parseSampleValue", () => {
  it("reads Prometheus' spellings of special values", () => {
    expect(parseSampleValue("NaN")).toBeNaN();
    expect(parseSampleValue("+Inf")).toBe(Infinity);
    expect(parseSampleValue("-Inf")).toBe(-Infinity);
    expect(parseSampleValue("1e-3")).toBe(0.001);
    expect(parseSampleValue("")).toBeNaN();
    expect(parseSampleValue(3)).toBeNaN();
  });
});
