import { connect } from "node:net";
import Fastify, { type FastifyInstance, type InjectOptions } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { installWireConventions } from "./app.js";
import { installSecurityMiddleware } from "./securityMiddleware.js";

/**
 * Every expectation below is what `mlflow server` 3.17.2 answered (uvicorn, sqlite backend) to the same
 * request, captured with curl -sv; "default" is a server started without the security options.
 */
const EXPERIMENTS_CREATE = "/api/2.0/mlflow/experiments/create";
const EXPERIMENTS_SEARCH = "/api/2.0/mlflow/experiments/search";
const apps: FastifyInstance[] = [];

async function serverWith(env: NodeJS.ProcessEnv = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  installWireConventions(app);
  installSecurityMiddleware(app, env);
  app.get("/health", async (_request, reply) => reply.type("text/plain; charset=utf-8").send("OK"));
  app.get("/api/2.0/mlflow/experiments/get", async () => ({ experiment: {} }));
  app.post(EXPERIMENTS_CREATE, async () => ({ experiment_id: "1" }));
  app.route({ method: ["GET", "POST"], url: EXPERIMENTS_SEARCH, handler: async () => ({}) });
  app.get("/api/2.0/mlflow-artifacts/artifacts/*", async () => "file");
  app.get("/", async () => "ui");
  apps.push(app);
  return app;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const create = (headers: Record<string, string>): InjectOptions => ({
  method: "POST",
  url: EXPERIMENTS_CREATE,
  headers: { "content-type": "application/json", ...headers },
  payload: "{}",
});

describe("the Host check (DNS rebinding)", () => {
  it.each([
    "localhost",
    "localhost:5761",
    "127.0.0.1:99",
    "0.0.0.0:5761",
    "[::1]",
    "[::1]:5761",
    "192.168.1.5:80",
    "10.0.0.1",
    "172.16.0.1",
    "fd00::1",
  ])("accepts %s by default", async (host) => {
    const app = await serverWith();
    expect((await app.inject({ url: "/api/2.0/mlflow/experiments/get", headers: { host } })).statusCode).toBe(
      200,
    );
  });

  it.each(["evil.com", "evil.com:5761", "172.32.0.1", "LOCALHOST:5761"])(
    "refuses %j by default with mlflow's 403 and no other header",
    async (host) => {
      const app = await serverWith();
      const answer = await app.inject({ url: "/api/2.0/mlflow/experiments/get", headers: { host } });
      expect(answer.statusCode).toBe(403);
      expect(answer.body).toBe("Invalid Host header - possible DNS rebinding attack detected");
      expect(answer.headers["content-type"]).toBe("text/plain");
      expect(answer.headers["x-content-type-options"]).toBeUndefined();
      expect(answer.headers.vary).toBeUndefined();
    },
  );

  it("refuses an empty Host", async () => {
    const app = await serverWith();
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    // Node's client puts its own Host in place of an empty one, so the request is written by hand.
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end("GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n");
      });
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    const status = Number(head.split(" ")[1]);
    expect(status).toBe(403);
  });

  it("leaves /health open to any Host but guards the UI and preflights", async () => {
    const app = await serverWith();
    const host = "evil.com";
    expect((await app.inject({ url: "/health", headers: { host } })).statusCode).toBe(200);
    expect((await app.inject({ url: "/", headers: { host } })).statusCode).toBe(403);
    const preflight = await app.inject({
      method: "OPTIONS",
      url: EXPERIMENTS_SEARCH,
      headers: { host, origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBe(403);
  });

  it("takes MLFLOW_SERVER_ALLOWED_HOSTS instead of the defaults, fnmatch where a pattern has *", async () => {
    const app = await serverWith({ MLFLOW_SERVER_ALLOWED_HOSTS: "mlflow.example.com, app-*.internal:5761" });
    const status = async (host: string) =>
      (await app.inject({ url: "/api/2.0/mlflow/experiments/get", headers: { host } })).statusCode;
    expect(await status("mlflow.example.com")).toBe(200);
    expect(await status("app-x.internal:5761")).toBe(200);
    expect(await status("mlflow.example.com:5761")).toBe(403);
    expect(await status("app-x.internal")).toBe(403);
    expect(await status("other.example.com")).toBe(403);
    // FlowOps keeps loopback names for its own loops (mlflow would refuse them here).
    expect(await status("localhost:5761")).toBe(200);
    expect(await status("127.0.0.1:5761")).toBe(200);
  });

  it("accepts any Host with *", async () => {
    const app = await serverWith({ MLFLOW_SERVER_ALLOWED_HOSTS: "*" });
    expect((await app.inject({ url: "/", headers: { host: "evil.com" } })).statusCode).toBe(200);
  });
});

describe("CORS", () => {
  it("answers a preflight from a localhost origin with 200 OK and Starlette's headers, nothing else", async () => {
    const app = await serverWith();
    const answer = await app.inject({
      method: "OPTIONS",
      url: EXPERIMENTS_SEARCH,
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe("OK");
    expect(answer.headers).toMatchObject({
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
      "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS, PATCH",
      "access-control-max-age": "600",
      "access-control-allow-credentials": "true",
      "access-control-allow-origin": "http://localhost:3000",
      "access-control-allow-headers": "content-type",
      "content-type": "text/plain; charset=utf-8",
    });
    expect(answer.headers["x-content-type-options"]).toBeUndefined();
  });

  it("refuses a preflight from another origin, or for another method, with 400 and the reasons", async () => {
    const app = await serverWith();
    const preflight = async (headers: Record<string, string>) =>
      app.inject({ method: "OPTIONS", url: EXPERIMENTS_SEARCH, headers });
    const evil = await preflight({ origin: "http://evil.com", "access-control-request-method": "POST" });
    expect([evil.statusCode, evil.body]).toEqual([400, "Disallowed CORS origin"]);
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    const all = await preflight({
      origin: "http://evil.com",
      "access-control-request-method": "FOO",
      "access-control-request-private-network": "true",
    });
    expect([all.statusCode, all.body]).toEqual([400, "Disallowed CORS origin, method, private-network"]);
    // Starlette answers preflights on every path, not only the API's.
    const health = await app.inject({
      method: "OPTIONS",
      url: "/health",
      headers: { origin: "http://localhost", "access-control-request-method": "GET" },
    });
    expect([health.statusCode, health.body]).toEqual([200, "OK"]);
  });

  it("names an allowed origin back, and sends credentials and exposed headers to any origin", async () => {
    const app = await serverWith();
    const get = async (origin: string) =>
      (await app.inject({ url: "/api/2.0/mlflow/experiments/get", headers: { origin } })).headers;
    expect(await get("http://localhost:3000")).toMatchObject({
      "access-control-allow-origin": "http://localhost:3000",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "*",
      "x-content-type-options": "nosniff",
      "x-frame-options": "SAMEORIGIN",
    });
    const evil = await get("http://evil.com");
    expect(evil["access-control-allow-origin"]).toBeUndefined();
    expect(evil).toMatchObject({
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "*",
    });
    const plain = (await app.inject({ url: "/api/2.0/mlflow/experiments/get" })).headers;
    expect(plain["access-control-allow-credentials"]).toBeUndefined();
    expect(plain.vary).toBe("Origin");
  });

  it("blocks a cross-origin state-changing API call with 403, without the security headers", async () => {
    const app = await serverWith();
    const answer = await app.inject(create({ origin: "http://evil.com" }));
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toBe("Cross-origin request blocked");
    expect(answer.headers).toMatchObject({
      "content-type": "text/plain",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "*",
      vary: "Origin",
    });
    expect(answer.headers["x-content-type-options"]).toBeUndefined();
  });

  it.each(["http://localhost:3000", "https://localhost:3000", "http://[::1]:8080", "http://127.0.0.1"])(
    "lets %s change state: any scheme on a loopback host",
    async (origin) => {
      const app = await serverWith();
      expect((await app.inject(create({ origin }))).statusCode).toBe(200);
    },
  );

  it("lets configured origins through, wildcards by fnmatch, but names back only exact ones", async () => {
    const app = await serverWith({
      MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: "https://app.example.com,https://*.corp.com",
    });
    const exact = await app.inject(create({ origin: "https://app.example.com" }));
    expect(exact.statusCode).toBe(200);
    expect(exact.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    const pattern = await app.inject(create({ origin: "https://x.corp.com" }));
    expect(pattern.statusCode).toBe(200);
    expect(pattern.headers["access-control-allow-origin"]).toBeUndefined();
    expect((await app.inject(create({ origin: "https://evil.com" }))).statusCode).toBe(403);
    expect((await app.inject(create({ origin: "http://localhost:3000" }))).statusCode).toBe(200);
  });

  it("with * allows every origin, without credentials", async () => {
    const app = await serverWith({ MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: "*" });
    const answer = await app.inject(create({ origin: "https://evil.com" }));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    expect(answer.headers["access-control-allow-credentials"]).toBeUndefined();
    const preflight = await app.inject({
      method: "OPTIONS",
      url: EXPERIMENTS_SEARCH,
      headers: {
        origin: "https://evil.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "X-Foo, content-type",
      },
    });
    expect(preflight.statusCode).toBe(200);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY",
      "access-control-allow-headers": "X-Foo, content-type",
    });
  });
});

describe("OPTIONS without a preflight", () => {
  it("answers an API route with 204 and its methods in Allow", async () => {
    const app = await serverWith();
    const answer = await app.inject({ method: "OPTIONS", url: EXPERIMENTS_SEARCH });
    expect(answer.statusCode).toBe(204);
    expect(answer.body).toBe("");
    expect(answer.headers.allow).toBe("GET, HEAD, OPTIONS, POST");
    expect(answer.headers["x-frame-options"]).toBe("SAMEORIGIN");
    const artifact = await app.inject({
      method: "OPTIONS",
      url: "/api/2.0/mlflow-artifacts/artifacts/a/b.txt",
    });
    expect(artifact.statusCode).toBe(204);
  });

  it("answers other routes with 200, and unknown paths as not found", async () => {
    const app = await serverWith();
    const health = await app.inject({ method: "OPTIONS", url: "/health" });
    expect([health.statusCode, health.headers.allow]).toEqual([200, "GET, HEAD, OPTIONS"]);
    expect((await app.inject({ method: "OPTIONS", url: "/api/2.0/mlflow/nope" })).statusCode).toBe(404);
  });

  it("answers an API route with 200 and no CORS or security headers when the middleware is off", async () => {
    const app = await serverWith({ MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: "true" });
    const answer = await app.inject({ method: "OPTIONS", url: EXPERIMENTS_SEARCH });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers.vary).toBeUndefined();
    const evil = await app.inject(create({ origin: "https://evil.com", host: "evil.com" }));
    expect(evil.statusCode).toBe(200);
    expect(evil.headers["x-content-type-options"]).toBeUndefined();
    expect(evil.headers["access-control-allow-credentials"]).toBeUndefined();
  });
});

describe("the security headers", () => {
  it("upper-cases MLFLOW_SERVER_X_FRAME_OPTIONS and sends none for NONE", async () => {
    const deny = await serverWith({ MLFLOW_SERVER_X_FRAME_OPTIONS: "deny" });
    expect((await deny.inject({ url: "/health" })).headers["x-frame-options"]).toBe("DENY");
    const none = await serverWith({ MLFLOW_SERVER_X_FRAME_OPTIONS: "none" });
    const headers = (await none.inject({ url: "/health" })).headers;
    expect(headers["x-frame-options"]).toBeUndefined();
    expect(headers["x-content-type-options"]).toBe("nosniff");
  });
});
