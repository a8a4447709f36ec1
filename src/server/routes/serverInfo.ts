/**
 * MLflow 3's capability endpoint, `GET /api/3.0/mlflow/server-info` (and its `/ajax-api` twin for the UI),
 * shaped as mlflow 3.17.2's `build_server_info_payload`. Clients read it before they authenticate and act on
 * each field, so every value states what this server really does; serverInfo.test.ts holds each one to the
 * routes that would have to exist for it to be true.
 */
import type { FastifyInstance } from "fastify";
import { resolveArtifactStore } from "../../artifacts/resolveStore.js";
import {
  supportsMultipartUpload,
  supportsPresignedDownload,
  type ArtifactStore,
} from "../../artifacts/store.js";
import type { SqlDialectName } from "../../db/dialect.js";
import { FLOWOPS_VERSION } from "../../version.js";
import type { ServerContext } from "../context.js";
import { sendWire } from "../rpc.js";

/**
 * What `GET /version` answers: the mlflow release whose tracking API this server speaks, with FlowOps' own
 * version as the PEP 440 local label. The 3.x client reads it (`packaging.version.Version`) to decide how to
 * log spans, and from 3.4 on sends them over OTLP (`POST /v1/traces`), which this server receives.
 */
export const TRACKING_SERVER_VERSION = `3.17.2+flowops.${FLOWOPS_VERSION}`;

export const SERVER_INFO_PATHS = ["/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info"] as const;

/** The wire object, field for field as mlflow names them (mlflow/utils/server_info.py). */
export interface ServerInfo {
  store_type: "SqlStore";
  workspaces_enabled: boolean;
  trace_archival_enabled: boolean;
  multipart_uploads_enabled: boolean;
  multipart_downloads_enabled: boolean;
  presigned_upload_run_id_supported: boolean;
  presigned_upload_model_id_supported: boolean;
  features_enabled: { gateway: boolean };
}

/**
 * Both engines keep every entity in SQL tables, as mlflow's SqlAlchemyStore does. mlflow's UI warns that views
 * such as the experiment overview need a SQL store when it reads "FileStore", and its telemetry reports the
 * scheme as "http-sql" for "SqlStore". Keyed by dialect so that a new engine has to say which store it is.
 */
const STORE_TYPE: Record<SqlDialectName, ServerInfo["store_type"]> = {
  sqlite: "SqlStore",
  postgres: "SqlStore",
};

export function serverInfo(ctx: ServerContext): ServerInfo {
  return {
    store_type: STORE_TYPE[ctx.meta.dialect],
    // FlowOps has no workspaces; a client sending a workspace must be told so, not have it ignored.
    workspaces_enabled: false,
    // Traces stay in the metadata store; nothing moves them to artifact storage.
    trace_archival_enabled: false,
    // The client starts multipart uploads of large files on true, so it is true only where the mpu routes
    // (routes/artifactsMultipart.ts) can complete one rather than answer 501.
    multipart_uploads_enabled: proxyStoreCan(ctx, supportsMultipartUpload),
    // On true the 3.x client fetches every proxied file through `{proxy}/presigned/<path>` and then straight
    // from the storage in ranges, raising rather than falling back when that fails, so it is true only
    // where that route signs URLs (routes/artifactsPresigned.ts) rather than answering 501.
    multipart_downloads_enabled: proxyStoreCan(ctx, supportsPresignedDownload),
    // Both describe the request contract of `artifacts/presigned-upload-url` (run_id, model_id), which the
    // route takes; as in mlflow, whether a run's storage can sign is checked per request.
    presigned_upload_run_id_supported: true,
    presigned_upload_model_id_supported: true,
    // The UI assumes the AI gateway when the key is missing; FlowOps serves none of its routes.
    features_enabled: { gateway: false },
  };
}

/** As mlflow: only a server that proxies artifacts, to a store with the capability (S3), says it has it. */
function proxyStoreCan(ctx: ServerContext, capability: (store: ArtifactStore) => boolean): boolean {
  if (!ctx.config.serveArtifacts) return false;
  try {
    return capability(resolveArtifactStore(ctx.config.artifactsDestination));
  } catch {
    // A destination no store can open serves nothing; mlflow answers false here too.
    return false;
  }
}

export async function serverInfoRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // The types are mlflow's: /health is a FastAPI PlainTextResponse, /version a Flask string (text/html).
  app.get("/health", async (_request, reply) => reply.type("text/plain; charset=utf-8").send("OK"));
  app.get("/version", async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(TRACKING_SERVER_VERSION),
  );
  for (const path of SERVER_INFO_PATHS) {
    app.get(path, async (_request, reply) => sendWire(reply, serverInfo(ctx)));
  }
}
