/**
 * MLflow's proxied multipart upload routes, `POST {prefix}/mpu/{create,complete,abort}/<dir>`
 * (mlflow/server/handlers.py `_create_multipart_upload_artifact` and its two siblings). The URL names the
 * directory and the body's `path` is the client's local file, of which only the name is used, as MLflow's
 * S3 repository does. The artifact scope parses no bodies (uploads are streamed), so these handlers read
 * their small JSON bodies themselves, after the serve-artifacts check, in MLflow's order: URL path, request
 * fields, then whether the store can take parts at all (501 with the message the client falls back on).
 */
import { isUtf8 } from "node:buffer";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { assertSafeRelativePath } from "../../artifacts/pathSafety.js";
import { MAX_MULTIPART_PARTS } from "../../artifacts/s3Multipart.js";
import {
  joinArtifactPath,
  multipartUnsupported,
  supportsMultipartUpload,
  type ArtifactStore,
  type MultipartUploadCreated,
  type MultipartUploadStore,
} from "../../artifacts/store.js";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { sendWire } from "../rpc.js";
import { registerProxyPresignedRoute } from "./artifactsPresigned.js";
import { int64, parseJsonBody, parseRequest } from "../wire.js";

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

const API_DOCS_HINT = "See the API docs for more information about request parameters.";
const JSON_ONLY = `Bad Request. Content-Type must be one of [application/json]. ${API_DOCS_HINT}`;

const createRequest = z.object({
  path: z.string(),
  num_parts: int64()
    .refine((n) => n >= 0 && n <= MAX_MULTIPART_PARTS, {
      message: `S3 takes at most ${MAX_MULTIPART_PARTS} parts`,
    })
    .optional(),
});

const completeRequest = z.object({
  path: z.string(),
  upload_id: z.string(),
  parts: z.array(z.object({ part_number: int64(), etag: z.string().min(1), url: z.string().optional() })),
});

const abortRequest = z.object({ path: z.string(), upload_id: z.string() });

export interface MultipartRouteOptions {
  /** `/api/2.0/mlflow-artifacts` or its `/ajax-api` twin. */
  prefix: string;
  store: ArtifactStore;
  bodyLimit: number;
  /** The proxy's serve-artifacts gate, applied before anything else as MLflow's decorator does. */
  whenServing(handler: Handler): Handler;
  /** The wildcard part of the URL as sent, still percent-encoded. */
  rawWildcard(request: FastifyRequest, routePrefix: string): string;
}

export function registerMultipartRoutes(app: FastifyInstance, options: MultipartRouteOptions): void {
  const { prefix, store, bodyLimit, whenServing, rawWildcard } = options;
  const route = <S extends z.ZodType>(
    action: "create" | "complete" | "abort",
    schema: S,
    run: (store: MultipartUploadStore, filePath: string, input: z.output<S>) => Promise<object>,
  ) => {
    const url = `${prefix}/mpu/${action}`;
    app.post(
      `${url}/*`,
      whenServing(async (request, reply) => {
        const dir = assertSafeRelativePath(rawWildcard(request, `${url}/`), "path");
        if (dir === "") throw invalidParameter(`An artifact path is required. ${API_DOCS_HINT}`);
        const input = parseRequest(schema, await readJsonBody(request, bodyLimit));
        if (!supportsMultipartUpload(store)) throw multipartUnsupported();
        const filePath = joinArtifactPath(dir, fileNameOf((input as { path: string }).path));
        return sendWire(reply, await run(store, filePath, input));
      }),
    );
  };

  route("create", createRequest, async (multipart, filePath, input) =>
    createdResponse(await multipart.createMultipartUpload(filePath, input.num_parts ?? 0)),
  );
  route("complete", completeRequest, async (multipart, filePath, input) => {
    const parts = input.parts.map((part) => ({ part_number: part.part_number, etag: part.etag }));
    await multipart.completeMultipartUpload(filePath, input.upload_id, parts);
    return {};
  });
  route("abort", abortRequest, async (multipart, filePath, input) => {
    await multipart.abortMultipartUpload(filePath, input.upload_id);
    return {};
  });
  // The client's ranged download, the other half of proxied multipart transfers.
  registerProxyPresignedRoute(app, options);
}

/**
 * The name of the client's local file. MLflow takes `os.path.basename` on the server, which on Linux keeps
 * a Windows client's `C:\dir\big.bin` whole; both separators are cut here, so the object gets the name the
 * client's single-PUT path would have given it.
 */
function fileNameOf(localPath: string): string {
  const name = localPath.slice(Math.max(localPath.lastIndexOf("/"), localPath.lastIndexOf("\\")) + 1);
  if (name === "" || name === "." || name === "..") {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `Invalid value ${JSON.stringify(localPath)} for parameter 'path' supplied: it names no file. ${API_DOCS_HINT}`,
    );
  }
  return name;
}

/** Proto JSON leaves out an empty repeated field and an empty map, and so does MLflow's answer. */
function createdResponse(created: MultipartUploadCreated): object {
  const credentials = created.credentials.map((credential) => ({
    url: credential.url,
    part_number: credential.part_number,
    ...(Object.keys(credential.headers).length === 0 ? {} : { headers: credential.headers }),
  }));
  return { upload_id: created.upload_id, ...(credentials.length === 0 ? {} : { credentials }) };
}

/**
 * The request's JSON object, read as the server's own JSON parser reads bodies elsewhere: an empty body is
 * {}, a byte order mark is skipped, bytes that are not UTF-8 and other content types are refused.
 */
async function readJsonBody(request: FastifyRequest, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even past the limit: leaving the loop early destroys the socket the answer goes out on.
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit)
    throw new FlowOpsError("PAYLOAD_TOO_LARGE", `Request body is larger than ${limit} bytes.`);
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) return {};
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw new FlowOpsError("INVALID_PARAMETER_VALUE", JSON_ONLY);
  if (!isUtf8(bytes)) throw new FlowOpsError("INVALID_PARAMETER_VALUE", "Request body is not valid UTF-8.");
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") return {};
  try {
    const parsed = parseJsonBody(text);
    // Old clients send the JSON object encoded as a JSON string; MLflow decodes it twice.
    return typeof parsed === "string" ? parseJsonBody(parsed) : parsed;
  } catch {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", "Malformed JSON in request body.");
  }
}
