/**
 * The tracking server's error answers, byte for byte as MLflow 3.17's (checked with curl against
 * `mlflow server`): `serialize_as_json`'s fields, order and json.dumps layout under `application/json`, and
 * Werkzeug's HTML pages for paths no route takes.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw } from "../../test/support/rawHttp.js";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { FlowOpsError } from "../errors.js";
import { installWireConventions } from "./app.js";
import { pythonJsonDumps } from "../pythonJson.js";
import { METHOD_NOT_ALLOWED_PAGE, NOT_FOUND_PAGE } from "./werkzeugErrorPages.js";

let server: TestServer;
const MLFLOW = "/api/2.0/mlflow";

async function send(method: string, path: string, body?: string) {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  const answer = await sendRaw(new URL(server.url), {
    method,
    path,
    headers,
    body: body === undefined ? undefined : Buffer.from(body, "utf8"),
  });
  return { status: answer.status, headers: answer.headers, text: answer.body.toString("utf8") };
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("MLflow error bodies", () => {
  it("answers a missing run with MLflow's bytes", async () => {
    const answer = await send("GET", `${MLFLOW}/runs/get?run_id=nope`);
    expect(answer.status).toBe(404);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.text).toBe(
      '{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=nope not found", "sqlstate": "KAM00", ' +
        '"error_class": "RESOURCE_NOT_FOUND"}',
    );
  });

  it("classifies a taken experiment name and a missing required field", async () => {
    await send("POST", `${MLFLOW}/experiments/create`, '{"name":"taken"}');
    const taken = JSON.parse((await send("POST", `${MLFLOW}/experiments/create`, '{"name":"taken"}')).text);
    expect(Object.keys(taken)).toEqual(["error_code", "message", "sqlstate", "error_class"]);
    expect(taken).toMatchObject({ sqlstate: "KAM00", error_class: "RESOURCE_ALREADY_EXISTS" });
    const missing = await send("POST", `${MLFLOW}/experiments/create`, "{}");
    expect(missing.status).toBe(400);
    expect(missing.text).toBe(
      '{"error_code": "INVALID_PARAMETER_VALUE", "message": "Missing value for required parameter \'name\'. ' +
        'See the API docs for more information about request parameters.", "sqlstate": "KAM00", ' +
        '"error_class": "INVALID_PARAMETER_VALUE"}',
    );
  });

  it("escapes text outside printable ASCII as json.dumps does", async () => {
    const answer = await send("GET", `${MLFLOW}/registered-models/get?name=${encodeURIComponent("été ✓")}`);
    expect(answer.text).toContain(
      '"message": "Registered Model with name=\\u00e9t\\u00e9 \\u2713 not found"',
    );
    expect(pythonJsonDumps({ a: "😀\u007f\n", b: [1, true, null] })).toBe(
      '{"a": "\\ud83d\\ude00\\u007f\\n", "b": [1, true, null]}',
    );
  });
});

describe("paths no route takes", () => {
  it("answers Werkzeug's 404 page wherever MLflow has no route", async () => {
    for (const path of [`${MLFLOW}/nope`, "/ajax-api/2.0/mlflow/nope", "/api/3.0/mlflow/nope", "/nope"]) {
      const answer = await send("GET", path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(answer.text, path).toBe(NOT_FOUND_PAGE);
    }
    expect(Buffer.byteLength(NOT_FOUND_PAGE)).toBe(207);
    expect((await send("POST", `${MLFLOW}/nope`, "{}")).text).toBe(NOT_FOUND_PAGE);
  });

  it("answers a path whose percent-encoding does not decode with the 404 page", async () => {
    const answer = await send("GET", `${MLFLOW}/runs/%ZZ?run_id=x`);
    expect(answer.status).toBe(404);
    expect(answer.text).toBe(NOT_FOUND_PAGE);
  });

  it("answers Werkzeug's 405 page, with Allow, for a known path under another method", async () => {
    const answer = await send("DELETE", `${MLFLOW}/runs/get`);
    expect(answer.status).toBe(405);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.text).toBe(METHOD_NOT_ALLOWED_PAGE);
    expect(Buffer.byteLength(METHOD_NOT_ALLOWED_PAGE)).toBe(153);
    expect(String(answer.headers.allow).split(", ").sort()).toEqual(["GET", "HEAD", "OPTIONS"]);
    const post = await send("GET", `${MLFLOW}/experiments/create`);
    expect(post.status).toBe(405);
    expect(String(post.headers.allow).split(", ").sort()).toEqual(["OPTIONS", "POST"]);
  });
});

describe("unexpected errors", () => {
  it("hides the cause behind MLflow's INTERNAL_ERROR body with its system-error classification", async () => {
    const app = Fastify({ logger: false });
    installWireConventions(app);
    app.get("/boom", async () => {
      throw new Error("secret detail");
    });
    app.get("/known", async () => {
      throw new FlowOpsError("NOT_IMPLEMENTED", "not here");
    });
    try {
      const boom = await app.inject({ method: "GET", url: "/boom" });
      expect(boom.statusCode).toBe(500);
      expect(boom.body).toBe(
        '{"error_code": "INTERNAL_ERROR", "message": "Internal server error; see the server log.", ' +
          '"sqlstate": "XXM00", "error_class": "CLIENT_INTERNAL_ERROR"}',
      );
      // MLflow's classification tables leave NOT_IMPLEMENTED out, and so its body has neither field.
      const known = await app.inject({ method: "GET", url: "/known" });
      expect(known.statusCode).toBe(501);
      expect(known.body).toBe('{"error_code": "NOT_IMPLEMENTED", "message": "not here"}');
    } finally {
      await app.close();
    }
  });
});
