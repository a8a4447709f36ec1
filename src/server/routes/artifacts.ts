/**
 * Artifact routes: MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/...`, mlflow_artifacts.proto),
 * the tracking-side `artifacts/list` RPC and the UI's `/get-artifact` download. Bodies are streamed
 * between the socket and the store, never buffered. Every path taken from a URL goes through
 * assertSafeRelativePath on its raw, still-encoded form, so no decoding step of Fastify's can hide a `..`.
 * Storage itself lives in src/artifacts; this plugin only translates HTTP. The multipart upload routes are
 * in artifactsMultipart.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createArtifactLocator, type ArtifactLocator } from "../../artifacts/location.js";
import { assertSafeRelativePath } from "../../artifacts/pathSafety.js";
import { artifactBasename, type ArtifactStore } from "../../artifacts/store.js";
import { FlowOpsError, invalidParameter, notFound } from "../../errors.js";
import type { ServerContext } from "../context.js";
import { registerRpc, sendWire } from "../rpc.js";
import { sendArtifact, sendProxiedArtifact } from "./artifactDownload.js";
import { assertQueryIsUtf8 } from "../wire.js";
import { registerMultipartRoutes } from "./artifactsMultipart.js";

// The UI routes (uiArtifacts.ts) send their files through the same Flask-style answer.
export { sendArtifact };

const PROXY_PREFIXES = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"] as const;
const API_DOCS_HINT = "See the API docs for more information about request parameters.";

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export async function artifactRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const locator = createArtifactLocator(ctx.config);

  // Uploads are raw bytes of any type, piped to storage as they arrive; this scope parses no bodies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));

  for (const prefix of PROXY_PREFIXES) registerProxyRoutes(app, ctx, locator.destination, prefix);
  registerTrackingArtifactRoutes(app, ctx, locator);
}

function registerProxyRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  store: ArtifactStore,
  prefix: string,
): void {
  const files = `${prefix}/artifacts`;
  // Checked per request so that the answer follows the server's settings, as MLflow's decorator does.
  const whenServing =
    (handler: Handler): Handler =>
    async (request, reply) => {
      if (ctx.config.serveArtifacts) return handler(request, reply);
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send(
          `Endpoint: ${request.routeOptions.url ?? files} disabled due to the server running with ` +
            "`--no-serve-artifacts`. To enable artifacts server functionality, run the server with " +
            "`--serve-artifacts`",
        );
    };

  const list: Handler = async (request, reply) => {
    assertQueryIsUtf8(request.url);
    const query = request.query as Record<string, unknown>;
    const dir = safePath(singleQueryValue(query.path, "path") ?? "", "path");
    const entries = await store.list(dir);
    const body =
      entries.length === 0
        ? {}
        : {
            files: entries.map((entry) => ({
              path: artifactBasename(entry.path),
              is_dir: entry.is_dir,
              ...(entry.file_size === undefined ? {} : { file_size: entry.file_size }),
            })),
          };
    return sendWire(reply, body);
  };

  app.get(files, whenServing(list));
  const download =
    (send: typeof sendArtifact): Handler =>
    async (request, reply) => {
      const raw = rawWildcard(request, `${files}/`);
      const path = safePath(raw, "path");
      if (path === "") return list(request, reply);
      return send(reply, store, path, raw.endsWith("/") ? `${path}/` : path);
    };
  app.get(`${files}/*`, { exposeHeadRoute: false }, whenServing(download(sendProxiedArtifact)));
  // MLflow's FastAPI router has no HEAD, so its Flask fallback answers one: werkzeug's send_file answer.
  app.head(`${files}/*`, whenServing(download(sendArtifact)));
  app.put(
    `${files}/*`,
    whenServing(async (request, reply) => {
      const path = requiredFilePath(rawWildcard(request, `${files}/`));
      await store.write(path, request.raw);
      return sendWire(reply, {});
    }),
  );
  app.delete(
    `${files}/*`,
    whenServing(async (request, reply) => {
      await store.delete(requiredFilePath(rawWildcard(request, `${files}/`)));
      return sendWire(reply, {});
    }),
  );
  registerMultipartRoutes(app, { prefix, store, bodyLimit: ctx.config.bodyLimit, whenServing, rawWildcard });
}

const listArtifactsRequest = z.object({
  run_id: z.string().optional(),
  run_uuid: z.string().optional(),
  path: z.string().optional(),
  page_token: z.string().optional(),
});

function registerTrackingArtifactRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  locator: ArtifactLocator,
): void {
  const runArtifacts = async (input: { run_id?: string | undefined; run_uuid?: string | undefined }) => {
    const runId = input.run_id || input.run_uuid;
    if (!runId) {
      throw invalidParameter(`Missing value for required parameter 'run_id'. ${API_DOCS_HINT}`);
    }
    const run = await ctx.meta.db
      .selectFrom("runs")
      .select("artifact_uri")
      .where("run_uuid", "=", runId)
      .executeTakeFirst();
    if (run === undefined) throw notFound(`Run with id=${runId} not found`);
    return { rootUri: run.artifact_uri, store: locator.open(run.artifact_uri) };
  };

  registerRpc(app, {
    method: "GET",
    path: "artifacts/list",
    request: listArtifactsRequest,
    async handle(input) {
      const dir = input.path === undefined ? "" : safePath(input.path, "path");
      const { rootUri, store } = await runArtifacts(input);
      const files = await store.list(dir);
      return { root_uri: rootUri, ...(files.length === 0 ? {} : { files }) };
    },
  });

  // Flask-only route of the UI (mlflow/server/__init__.py), outside the /api prefixes.
  app.get("/get-artifact", async (request, reply) => {
    assertQueryIsUtf8(request.url);
    const query = request.query as Record<string, unknown>;
    const path = singleQueryValue(query.path, "path");
    if (path === undefined) {
      throw invalidParameter(`Missing value for required parameter 'path'. ${API_DOCS_HINT}`);
    }
    const { store } = await runArtifacts({
      run_id: singleQueryValue(query.run_id, "run_id"),
      run_uuid: singleQueryValue(query.run_uuid, "run_uuid"),
    });
    // An empty path is the run's root: MLflow refuses it as a directory, not as a missing parameter.
    return sendArtifact(reply, store, safePath(path, "path"), path);
  });
}

/**
 * The wildcard part of the URL exactly as sent (still percent-encoded): validation decodes it in full,
 * so `%252e%252e` and `..%2f` are judged by what they finally mean.
 */
function rawWildcard(request: FastifyRequest, routePrefix: string): string {
  const url = request.raw.url ?? "";
  const query = url.indexOf("?");
  const pathname = query === -1 ? url : url.slice(0, query);
  if (!pathname.startsWith(routePrefix)) {
    // Fastify matched the route, so only an unusual spelling of the prefix lands here; refuse it.
    throw invalidParameter(`Invalid artifact URL '${pathname}'.`);
  }
  return pathname.slice(routePrefix.length);
}

function safePath(path: string, field: string): string {
  return assertSafeRelativePath(path, field);
}

function requiredFilePath(raw: string): string {
  const path = safePath(raw, "path");
  if (path === "") throw invalidParameter(`An artifact path is required. ${API_DOCS_HINT}`);
  return path;
}

export function singleQueryValue(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied. ${API_DOCS_HINT}`,
  );
}
