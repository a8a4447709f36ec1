/**
 * Starts a real FlowOps server on a free port over a fresh database of the given backend, with artifacts
 * in a temp dir, for route and end-to-end tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../../src/server/app.js";
import type { ServerConfig, ServerContext } from "../../src/server/context.js";
import { sqliteBackend, type TestBackend } from "./backends.js";

export interface TestServer {
  url: string;
  app: FastifyInstance;
  ctx: ServerContext;
  artifactsDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: { backend?: TestBackend; config?: Partial<ServerConfig> } = {},
): Promise<TestServer> {
  const backend = options.backend ?? sqliteBackend;
  const opened = await backend.open();
  const artifactsDir = mkdtempSync(join(tmpdir(), "flowops-artifacts-"));
  const config: ServerConfig = {
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: opened.uri,
    defaultArtifactRoot: "mlflow-artifacts:/",
    artifactsDestination: artifactsDir,
    serveArtifacts: true,
    bodyLimit: 16 * 1024 * 1024,
    ...options.config,
  };
  const ctx: ServerContext = { config, meta: opened.meta, now: () => Date.now() };
  const app = await buildServer(ctx, { logger: false });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    app,
    ctx,
    artifactsDir,
    async close() {
      await app.close();
      await opened.close();
      rmSync(artifactsDir, { recursive: true, force: true });
    },
  };
}

/**
 * One MLflow REST call to a test server: `GET` (and `DELETE` when `queryForDelete`) send `body` as the query
 * string, a list value as a repeated key; anything else sends it as JSON. Answers the status and the JSON body.
 */
export async function callMlflowApi<Body>(
  server: Pick<TestServer, "url">,
  method: string,
  path: string,
  body?: object,
  options: { queryForDelete?: boolean } = {},
): Promise<{ status: number; json: Body }> {
  const url = `${server.url}/api/2.0/mlflow/${path}`;
  const inQuery = method === "GET" || (method === "DELETE" && options.queryForDelete === true);
  const response = inQuery
    ? await fetch(body ? `${url}?${queryString(body)}` : url, { method })
    : await fetch(url, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body ?? {}),
      });
  return { status: response.status, json: (await response.json()) as Body };
}

function queryString(body: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value])
      params.append(key, String(item));
  }
  return params.toString();
}

/** A parsed JSON answer, read loosely: route tests check MLflow's wire fields by name. */
export type WireBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Sends `body` as JSON (none when undefined) to the server and answers its status and parsed JSON. */
export function jsonCaller(
  server: () => { url: string },
): (method: string, path: string, body?: unknown) => Promise<{ status: number; body: WireBody }> {
  return async (method, path, body) => {
    const response = await fetch(`${server().url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as WireBody };
  };
}
