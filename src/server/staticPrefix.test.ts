import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { OUTSIDE_STATIC_PREFIX, urlInsideStaticPrefix, validateStaticPrefix } from "./staticPrefix.js";

describe("validateStaticPrefix", () => {
  it("keeps a prefix mlflow's CLI accepts and reads empty as none", () => {
    expect(validateStaticPrefix("/mlflow", "--static-prefix")).toBe("/mlflow");
    expect(validateStaticPrefix("/a/b", "--static-prefix")).toBe("/a/b");
    expect(validateStaticPrefix("", "MLFLOW_STATIC_PREFIX")).toBeUndefined();
    expect(validateStaticPrefix(undefined, "--static-prefix")).toBeUndefined();
  });

  it.each([
    ["mlflow", "--static-prefix must begin with a '/': 'mlflow'"],
    ["/mlflow/", "--static-prefix should not end with a '/': '/mlflow/'"],
    ["/", "--static-prefix should not end with a '/': '/'"],
    ["/a{b}", "--static-prefix must not contain '{' or '}': '/a{b}'"],
    ["/a?b", "--static-prefix must be a plain path, without '?', '#' or spaces: '/a?b'"],
  ])("refuses %j as mlflow does, naming the option", (value, message) => {
    expect(() => validateStaticPrefix(value, "--static-prefix")).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER_VALUE", message }),
    );
  });
});

describe("urlInsideStaticPrefix", () => {
  it("takes the prefix off paths inside it, query kept", () => {
    expect(urlInsideStaticPrefix("/mlf", "/mlf/api/2.0/mlflow/runs/get?run_id=1")).toBe(
      "/api/2.0/mlflow/runs/get?run_id=1",
    );
    expect(urlInsideStaticPrefix("/mlf", "/mlf/")).toBe("/");
    expect(urlInsideStaticPrefix("/mlf", "/mlf")).toBe("/");
    expect(urlInsideStaticPrefix("/mlf", "/mlf?x=1")).toBe("/?x=1");
    expect(urlInsideStaticPrefix("/a/b", "/a/b/health")).toBe("/health");
  });

  it("sends paths outside it, or only sharing its first letters, where no route is", () => {
    expect(urlInsideStaticPrefix("/mlf", "/health")).toBe(OUTSIDE_STATIC_PREFIX);
    expect(urlInsideStaticPrefix("/mlf", "/mlfx/health")).toBe(OUTSIDE_STATIC_PREFIX);
    expect(urlInsideStaticPrefix("/mlf", "/api/2.0/mlflow/experiments/search?max_results=1")).toBe(
      `${OUTSIDE_STATIC_PREFIX}?max_results=1`,
    );
    expect(urlInsideStaticPrefix("/a/b", "/a/health")).toBe(OUTSIDE_STATIC_PREFIX);
  });
});

describe("a server with a static prefix", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { staticPrefix: "/mlf/tracking" } });
  });
  afterAll(async () => server?.close());

  it("answers every route under the prefix, artifacts proxy included", async () => {
    const base = `${server.url}/mlf/tracking`;
    expect(await (await fetch(`${base}/health`)).text()).toBe("OK");
    const created = await fetch(`${base}/api/2.0/mlflow/runs/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment_id: "0" }),
    });
    const run = ((await created.json()) as { run: { info: { run_id: string; artifact_uri: string } } }).run;
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\/*/, "");
    const file = `${base}/api/2.0/mlflow-artifacts/artifacts/${root}/a.txt`;
    expect((await fetch(file, { method: "PUT", body: "hello" })).status).toBe(200);
    expect(await (await fetch(file)).text()).toBe("hello");
    const listed = await fetch(`${base}/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}`);
    expect(await listed.json()).toMatchObject({ files: [{ path: "a.txt", is_dir: false, file_size: 5 }] });
  });

  it("answers Flask's 404 page outside the prefix", async () => {
    for (const path of ["/health", "/api/2.0/mlflow/experiments/get?experiment_id=0", "/mlf/health"]) {
      const answer = await fetch(`${server.url}${path}`);
      expect([answer.status, answer.headers.get("content-type")], path).toEqual([
        404,
        "text/html; charset=utf-8",
      ]);
      expect(await answer.text()).toContain("<title>404 Not Found</title>");
    }
  });
});
