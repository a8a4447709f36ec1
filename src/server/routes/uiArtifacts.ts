/**
 * The UI's own artifact routes (mlflow/server/__init__.py, outside the /api prefixes): a model version's
 * file, a logged model's file, a trace's data or attachment, and the UI's small-file upload to a run. Files
 * go out with the same attachment headers and streaming as `/get-artifact` (artifacts.ts); every path from a
 * query is checked with assertSafeRelativePath before any lookup, so traversal is refused as MLflow refuses it.
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { createArtifactLocator } from "../../artifacts/location.js";
import { assertSafeRelativePath } from "../../artifacts/pathSafety.js";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { loggedModelArtifactRoot, modelVersionArtifactRoot } from "../../tracking/modelArtifactRoots.js";
import { getRun } from "../../tracking/runStore.js";
import {
  TRACE_DATA_FILE_NAME,
  traceAttachmentSource,
  traceDataSource,
} from "../../tracking/traces/traceDataFile.js";
import type { ServerContext } from "../context.js";
import { assertQueryIsUtf8 } from "../wire.js";
import { sendBufferAttachment } from "./artifactDownload.js";
import { sendArtifact, singleQueryValue } from "./artifacts.js";

const API_DOCS_HINT = "See the API docs for more information about request parameters.";
/** MLflow's cap on one UI upload (`upload_artifact_handler`). */
export const UI_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const TOO_LARGE = "Artifact size is too large. Max size is 10MB.";

export async function uiArtifactRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const locator = createArtifactLocator(ctx.config);
  // The upload's body is raw bytes of any type, read by its handler under MLflow's 10 MB cap.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));

  app.get("/model-versions/get-artifact", async (request, reply) => {
    const query = queryOf(request);
    const path = filePath(query, "path", "INVALID_PARAMETER_VALUE", requiredParameter("path"));
    const root = await modelVersionArtifactRoot(ctx.meta.db, query("name"), query("version"));
    return sendArtifact(reply, locator.open(root), path);
  });

  app.get("/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files", async (request, reply) => {
    const query = queryOf(request);
    const path = filePath(
      query,
      "artifact_file_path",
      "BAD_REQUEST",
      'Request must include the "artifact_file_path" query parameter.',
    );
    const { model_id: modelId } = request.params as { model_id: string };
    const root = await loggedModelArtifactRoot(ctx.meta, modelId);
    return sendArtifact(reply, locator.open(root), path);
  });

  for (const version of ["2.0", "3.0"]) {
    app.get(`/ajax-api/${version}/mlflow/get-trace-artifact`, async (request, reply) => {
      const query = queryOf(request);
      const traceId = query("request_id");
      if (traceId === undefined || traceId === "") {
        throw new FlowOpsError("BAD_REQUEST", 'Request must include the "request_id" query parameter.');
      }
      const attachment = query("path");
      if (attachment !== undefined && attachment !== "") {
        const source = await traceAttachmentSource(ctx.meta, traceId, assertSafeRelativePath(attachment));
        return sendArtifact(reply, locator.open(source.artifactLocation), source.path);
      }
      const source = await traceDataSource(ctx.meta, traceId);
      if ("json" in source) {
        return sendBufferAttachment(reply, TRACE_DATA_FILE_NAME, Buffer.from(source.json, "utf8"));
      }
      return sendArtifact(reply, locator.open(source.artifactLocation), source.path);
    });
  }

  app.post("/ajax-api/2.0/mlflow/upload-artifact", async (request, reply) => {
    const query = queryOf(request);
    const runId = query("run_uuid");
    if (runId === undefined || runId === "") throw invalidParameter("Request must specify run_uuid.");
    const rawPath = query("path");
    if (rawPath === undefined || rawPath === "") throw invalidParameter("Request must specify path.");
    const path = requiredFile(assertSafeRelativePath(rawPath));
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > UI_UPLOAD_MAX_BYTES) throw invalidParameter(TOO_LARGE);
    const data = await readCapped(request);
    if (data.length === 0) throw invalidParameter("Request must specify data.");
    const run = await getRun(ctx.meta.db, runId);
    await locator.open(run.info.artifact_uri).write(path, Readable.from([data]));
    return reply.code(200).type("application/json").send("");
  });
}

type Query = (field: string) => string | undefined;

function queryOf(request: FastifyRequest): Query {
  assertQueryIsUtf8(request.url);
  const query = request.query as Record<string, unknown>;
  return (field) => singleQueryValue(query[field], field);
}

function requiredParameter(field: string): string {
  return `Missing value for required parameter '${field}'. ${API_DOCS_HINT}`;
}

/** A file path from the query: refused with `missing` when absent or empty, then checked for traversal. */
function filePath(
  query: Query,
  field: string,
  code: "INVALID_PARAMETER_VALUE" | "BAD_REQUEST",
  missing: string,
): string {
  const raw = query(field);
  if (raw === undefined || raw === "") throw new FlowOpsError(code, missing);
  return requiredFile(assertSafeRelativePath(raw, field));
}

/** A path that normalises to the root (`.`, `/`-only) names no file. */
function requiredFile(path: string): string {
  if (path === "") throw invalidParameter(`An artifact path is required. ${API_DOCS_HINT}`);
  return path;
}

/** The request body, refused once it passes MLflow's upload cap (a chunked body declares no length). */
async function readCapped(request: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > UI_UPLOAD_MAX_BYTES) throw invalidParameter(TOO_LARGE);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
