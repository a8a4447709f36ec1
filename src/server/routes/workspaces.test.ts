import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

/**
 * What `mlflow server` 3.17.2 (sqlite backend, no --enable-workspaces) answered for each workspace route:
 * 503, text/html, the Flask rule with the prefix the request used. A trailing slash or an encoded slash in the
 * name matches no rule there (404), as here.
 */
describe("workspace routes on a server without workspaces", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const call = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
    });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      text: await response.text(),
    };
  };

  it.each([
    ["GET", "/api/3.0/mlflow/workspaces", "/api/3.0/mlflow/workspaces"],
    ["POST", "/api/3.0/mlflow/workspaces", "/api/3.0/mlflow/workspaces"],
    ["GET", "/ajax-api/3.0/mlflow/workspaces", "/ajax-api/3.0/mlflow/workspaces"],
    ["GET", "/api/3.0/mlflow/workspaces/default", "/api/3.0/mlflow/workspaces/<workspace_name>"],
    ["PATCH", "/ajax-api/3.0/mlflow/workspaces/team-a", "/ajax-api/3.0/mlflow/workspaces/<workspace_name>"],
    ["DELETE", "/api/3.0/mlflow/workspaces/x", "/api/3.0/mlflow/workspaces/<workspace_name>"],
  ])("%s %s is mlflow's 503 naming %s", async (method, path, rule) => {
    const body = method === "POST" || method === "PATCH" ? '{"name": "team-a"}' : undefined;
    const { status, type, text } = await call(method, path, body);
    expect(status).toBe(503);
    expect(type).toBe("text/html; charset=utf-8");
    expect(text).toBe(
      `Endpoint: ${rule} disabled because the server is running without workspaces support. ` +
        "To enable workspace, run `mlflow server` with `--enable-workspaces`",
    );
  });

  it("answers 503 before reading a body mlflow would not read either", async () => {
    const { status } = await call("POST", "/api/3.0/mlflow/workspaces", "not json");
    expect(status).toBe(503);
  });

  it.each(["/api/3.0/mlflow/workspaces/", "/api/3.0/mlflow/workspaces/a%2Fb"])(
    "%s matches no route",
    async (path) => {
      expect((await call("GET", path)).status).toBe(404);
    },
  );
});
