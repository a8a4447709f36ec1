/**
 * MLflow's presigned artifact URLs (mlflow/server/handlers.py, mlflow 3.17.2):
 * - `GET {proxy}/presigned/<path>` signs a GET for a file under the proxy's destination. The 3.x client asks
 *   for it on every proxied download once server-info says `multipart_downloads_enabled`, then fetches the
 *   file from the storage in parallel ranges; a store that cannot sign answers 501.
 * - `POST /api/2.0/mlflow/artifacts/presigned-{upload,download}-url` sign a PUT or GET for a file of a run
 *   (or, for uploads, a logged model) whose artifact URI names the storage directly. Proxied URIs are
 *   refused (the client reaches those through this server), and a store that cannot sign answers 501.
 * Checks run in MLflow's order: request fields, path, expiration, the entity, its URI, the store.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { assertSafeRelativePath } from "../../artifacts/pathSafety.js";
import { resolveArtifactStore, uriScheme } from "../../artifacts/resolveStore.js";
import {
  DOWNLOAD_URL_TTL_SECONDS,
  MAX_URL_TTL_SECONDS,
  UPLOAD_URL_TTL_SECONDS,
} from "../../artifacts/s3Presigned.js";
import {
  multipartDownloadUnsupported,
  presignedDownloadUnsupported,
  presignedUploadUnsupported,
  supportsPresignedDownload,
  supportsPresignedUpload,
  type PresignedDownload,
} from "../../artifacts/store.js";
import { invalidParameter } from "../../errors.js";
import { LoggedModelStore } from "../../tracking/loggedModels/store.js";
import { getRun } from "../../tracking/runStore.js";
import type { ServerContext } from "../context.js";
import { registerRpc, sendWire } from "../rpc.js";
import { int64 } from "../wire.js";
import type { MultipartRouteOptions } from "./artifactsMultipart.js";

/** URI schemes that go through this server's proxy, which the run-level URLs cannot sign for. */
const PROXIED_SCHEMES = new Set(["http", "https", "mlflow-artifacts"]);

/**
 * `GET {prefix}/presigned/<path>` on the proxy; registered with the other proxy routes, behind the same
 * serve-artifacts gate. The TTL is the server's MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS, as in MLflow.
 */
export function registerProxyPresignedRoute(app: FastifyInstance, options: MultipartRouteOptions): void {
  const { prefix, store, whenServing, rawWildcard } = options;
  const url = `${prefix}/presigned`;
  app.get(
    `${url}/*`,
    whenServing(async (request, reply) => {
      const path = assertSafeRelativePath(rawWildcard(request, `${url}/`), "path");
      if (!supportsPresignedDownload(store)) throw multipartDownloadUnsupported();
      const signed = await store.presignDownload(path, downloadTtlFromEnv(process.env));
      return sendWire(reply, presignedDownloadBody(signed));
    }),
  );
}

/** MLflow's `PresignedDownloadUrlResponse.to_dict`: headers always, file_size when known. */
function presignedDownloadBody(signed: PresignedDownload): object {
  return {
    url: signed.url,
    headers: signed.headers,
    ...(signed.file_size === undefined ? {} : { file_size: signed.file_size }),
  };
}

/** MLflow reads the variable as an int and fails the request on anything else; so does this. */
export function downloadTtlFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS;
  if (raw === undefined || raw.trim() === "") return DOWNLOAD_URL_TTL_SECONDS;
  const seconds = Number(raw.trim());
  if (!Number.isInteger(seconds)) {
    throw invalidParameter(`MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS is not an integer: '${raw}'.`);
  }
  return seconds;
}

const uploadRequest = z.object({
  run_id: z.string().optional(),
  model_id: z.string().optional(),
  path: z.string(),
  expiration: int64().optional(),
});

const downloadRequest = z.object({
  run_id: z.string(),
  path: z.string(),
  expiration: int64().optional(),
});

export async function presignedArtifactRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const models = new LoggedModelStore(ctx.meta, () => ctx.now());
  // As mlflow's get_run and get_logged_model: a deleted run still signs, a deleted logged model is not found.
  const runArtifactUri = async (runId: string) => (await getRun(ctx.meta.db, runId)).info.artifact_uri;
  const modelArtifactUri = async (modelId: string) => (await models.get(modelId)).info.artifact_uri;

  registerRpc(app, {
    method: "POST",
    path: "artifacts/presigned-upload-url",
    request: uploadRequest,
    async handle(input) {
      if (Boolean(input.run_id) === Boolean(input.model_id)) {
        throw invalidParameter("Exactly one of run_id and model_id must be provided.");
      }
      const path = assertSafeRelativePath(input.path);
      const expiration = input.expiration ?? UPLOAD_URL_TTL_SECONDS;
      const uri = input.run_id
        ? await runArtifactUri(input.run_id)
        : await modelArtifactUri(input.model_id ?? "");
      const scheme = proxiedScheme(uri);
      if (scheme !== undefined) {
        throw invalidParameter(
          `Presigned upload is not supported for proxied artifact storage (artifact URI scheme: ${scheme}). ` +
            "This endpoint requires a direct cloud storage artifact URI.",
        );
      }
      const store = resolveArtifactStore(uri);
      if (!supportsPresignedUpload(store)) throw presignedUploadUnsupported();
      return store.presignUpload(path, expiration);
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "artifacts/presigned-download-url",
    request: downloadRequest,
    async handle(input) {
      const path = assertSafeRelativePath(input.path);
      const expiration = input.expiration ?? downloadTtlFromEnv(process.env);
      // Clouds refuse a URL that lives too long only when it is used; one that could never work is refused now.
      if (expiration < 1 || expiration > MAX_URL_TTL_SECONDS) {
        throw invalidParameter(
          `expiration must be between 1 and ${MAX_URL_TTL_SECONDS} seconds (got ${expiration}).`,
        );
      }
      const uri = await runArtifactUri(input.run_id);
      const scheme = proxiedScheme(uri);
      if (scheme !== undefined) {
        throw invalidParameter(
          "Presigned download is not supported for runs with proxied artifact storage " +
            `(artifact URI scheme: ${scheme}). This endpoint requires a run with a direct cloud storage artifact URI.`,
        );
      }
      const store = resolveArtifactStore(uri);
      if (!supportsPresignedDownload(store)) throw presignedDownloadUnsupported();
      const signed = await store.presignDownload(path, expiration);
      // CreatePresignedDownloadUrl.Response: proto JSON leaves out the empty headers map.
      return {
        presigned_url: signed.url,
        ...(Object.keys(signed.headers).length === 0 ? {} : { headers: signed.headers }),
        ...(signed.file_size === undefined ? {} : { file_size: signed.file_size }),
      };
    },
  });
}

function proxiedScheme(uri: string): string | undefined {
  const scheme = uriScheme(uri);
  return scheme !== undefined && PROXIED_SCHEMES.has(scheme) ? scheme : undefined;
}
