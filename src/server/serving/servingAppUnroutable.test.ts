/**
 * Regressions found by the request fuzz test (requestFuzz.test.ts): requests that no serving route takes were
 * answered by Fastify itself, in its own error shape and without a request id. A path that did not decode
 * (`%FF`) or held a segment over the router's length limit was a 400 or 414 `{"statusCode", "code", ...}`
 * with no `x-request-id`; a body sent to an unknown path was parsed by Fastify's default JSON parser, so
 * `POST /invocations/` with a malformed JSON body was a 400 of that shape rather than the 404 of the path.
 * A Content-Type header Fastify cannot parse (`a/b/c`) was a 415 before routing, so an unknown path sent one
 * answered 415 rather than its 404.
 */
import { describe, expect, it } from "vitest";
import { closeServingAppsAfterEach, rowSumModel, serve, UUID } from "./servingAppFixtures.js";

closeServingAppsAfterEach();

describe("requests no serving route takes", () => {
  it("answers a path whose percent-encoding does not decode with a 400 in KServe's shape and a request id", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    for (const url of ["/v2/models/%FF/ready", "/v2/models/sum/versions/%/infer", "/v1/models/%E9"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(400);
      expect(Object.keys(res.json()), url).toEqual(["error"]);
      expect(res.json().error).toContain("is not a valid url component");
      expect(res.headers["x-request-id"], url).toMatch(UUID);
    }
    const sent = await app.inject({ url: "/v2/models/%FF", headers: { "x-request-id": "mine" } });
    expect(sent.headers["x-request-id"]).toBe("mine");
  });

  it("answers a model name longer than the router takes as a model not served: 404 with a request id", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({
      method: "POST",
      url: `/v2/models/${"x".repeat(600)}/infer`,
      payload: { inputs: [] },
    });
    expect(res.statusCode).toBe(404);
    expect(Object.keys(res.json())).toEqual(["error"]);
    expect(res.headers["x-request-id"]).toMatch(UUID);
  });

  it("answers an unknown path with a 404 whatever body or media type it was sent with", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const cases = [
      { method: "POST", url: "/invocations/", type: "application/json", payload: '{"inputs": [' },
      { method: "DELETE", url: "/v1/models/sum:predict", type: "application/json", payload: "" },
      { method: "POST", url: "/invocations/extra", type: "application/xml", payload: "<inputs/>" },
      { method: "PUT", url: "/v2/models/sum/infer", type: "text/csv", payload: "a\n1\n" },
    ] as const;
    for (const { method, url, type, payload } of cases) {
      const res = await app.inject({ method, url, headers: { "content-type": type }, payload });
      expect([res.statusCode, Object.keys(res.json())], `${method} ${url}`).toEqual([404, ["error"]]);
      expect(res.headers["x-request-id"]).toMatch(UUID);
    }
  });

  it("answers a body over the limit on an unknown path with a 413 in KServe's shape", async () => {
    const { app } = await serve([rowSumModel("sum", "1")], { bodyLimit: 16 });
    const res = await app.inject({
      method: "POST",
      url: "/nowhere",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ inputs: [[1, 2, 3, 4, 5, 6]] }),
    });
    expect([res.statusCode, Object.keys(res.json())]).toEqual([413, ["error"]]);
  });

  it("regression: answers an unknown path sent a Content-Type that does not parse with its 404, not a 415", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    for (const type of ["a/b/c", ";;;", "json"]) {
      for (const [method, url] of [
        ["POST", "/nowhere"],
        ["PUT", "/v2/models/sum/infer"],
        ["POST", "/invocations/"],
        ["DELETE", "/v1/models/sum:predict"],
      ] as const) {
        const res = await app.inject({ method, url, headers: { "content-type": type }, payload: "{}" });
        expect([res.statusCode, res.json()], `${method} ${url} ${type}`).toEqual([
          404,
          { error: `no endpoint ${method} ${url}` },
        ]);
        expect(res.headers["x-request-id"]).toMatch(UUID);
      }
    }
  });

  it("keeps refusing a Content-Type that does not parse on a served route with a 415 that names it", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const send = (url: string) =>
      app.inject({ method: "POST", url, headers: { "content-type": "a/b/c" }, payload: "{}" });
    const message =
      'Content-Type "a/b/c" is not a valid media type; send type/subtype with optional ;name=value parameters, ' +
      "e.g. application/json";
    for (const url of ["/v2/models/sum/infer", "/v1/models/sum:predict"]) {
      const res = await send(url);
      expect([res.statusCode, res.json()], url).toEqual([415, { error: message }]);
      expect(res.headers["x-request-id"]).toMatch(UUID);
    }
    const mlflow = await send("/invocations");
    expect([mlflow.statusCode, mlflow.json()]).toEqual([
      415,
      { error_code: "UNSUPPORTED_MEDIA_TYPE", message },
    ]);
  });
});
