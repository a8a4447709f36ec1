import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

/** Answers recorded from `mlflow server` 3.17.2 (gateway_proxy_handler) for the same requests. */
describe("/ajax-api/2.0/mlflow/gateway-proxy", () => {
  let server: TestServer;
  let target: Server;
  let targetUrl = "";
  const seen: { method: string; url: string; body: string }[] = [];
  const saved = process.env.MLFLOW_DEPLOYMENTS_TARGET;
  const url = () => `${server.url}/ajax-api/2.0/mlflow/gateway-proxy`;

  beforeAll(async () => {
    server = await startTestServer();
    target = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", body });
        if (req.url === "/gateway/broken/invocations") return res.writeHead(503).end("down");
        res.writeHead(200, { "content-type": "application/json" }).end('{"endpoints": [{"name": "chat"}]}');
      });
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => target.close(resolve));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.MLFLOW_DEPLOYMENTS_TARGET;
    else process.env.MLFLOW_DEPLOYMENTS_TARGET = saved;
  });

  it("pretends an empty gateway is running when no target is configured, whatever is sent", async () => {
    delete process.env.MLFLOW_DEPLOYMENTS_TARGET;
    const answers = [
      await fetch(`${url()}?gateway_path=api/2.0/endpoints`),
      await fetch(url(), { method: "POST", body: "zz", headers: { "content-type": "text/plain" } }),
      await fetch(url(), { method: "POST" }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toBe("application/json");
      expect(await answer.text()).toBe('{"endpoints":[]}\n');
    }
  });

  it("forwards to the configured target and checks gateway_path as MLflow does", async () => {
    process.env.MLFLOW_DEPLOYMENTS_TARGET = targetUrl;
    const listed = await fetch(`${url()}?gateway_path=api/2.0/endpoints/`);
    expect(await listed.json()).toEqual({ endpoints: [{ name: "chat" }] });
    const invoked = await fetch(url(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ gateway_path: "gateway/chat/invocations", json_data: { prompt: "hi" } }),
    });
    expect(invoked.status).toBe(200);
    expect(seen.at(-1)).toEqual({
      method: "POST",
      url: "/gateway/chat/invocations",
      body: '{"prompt":"hi"}',
    });

    const refused = await fetch(`${url()}?gateway_path=gateway/chat/invocations`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Invalid gateway_path: gateway/chat/invocations for method: GET",
    });
    const missing = await fetch(url());
    expect(await missing.json()).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Deployments proxy request must specify a gateway_path.",
    });
    const failed = await fetch(url(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ gateway_path: "gateway/broken/invocations" }),
    });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      error_code: "INTERNAL_ERROR",
      sqlstate: "XXM00",
      error_class: "CLIENT_INTERNAL_ERROR",
      message: "Deployments proxy request failed with error code 503. Error message: down",
    });
  });
});

describe("security headers on every answer", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("sends MLflow's nosniff, SAMEORIGIN, Vary and bare application/json on errors and successes", async () => {
    const answers = [
      await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=nope`),
      await fetch(`${server.url}/api/2.0/mlflow/nope`),
      await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`),
      await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"name": 5}',
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 200, 400]);
    for (const [at, answer] of answers.entries()) {
      // A path no route takes gets Werkzeug's HTML page, as from MLflow's Flask app.
      expect(answer.headers.get("content-type")).toBe(
        at === 1 ? "text/html; charset=utf-8" : "application/json",
      );
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(answer.headers.get("vary")).toBe("Origin");
    }
  });
});
