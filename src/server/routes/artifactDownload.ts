/**
 * Artifact download answers, as MLflow 3.17's two servers give them. The Flask routes (`/get-artifact`, the
 * model version, logged model and trace attachment files) answer through werkzeug's send_file: ETag,
 * Last-Modified, `Cache-Control: no-cache`, one byte range, 304 and 412. The proxy's GET is a FastAPI route:
 * a local destination's file is Starlette's FileResponse (its own tag, ranges merged into multipart, no
 * 304), any other store's a plain stream; its HEAD falls through to Flask, so it is send_file's answer. A
 * directory asked for as a file is a 400 on both. Bodies stream; a remote file's range is read alone. A 416
 * carries uvicorn's reason phrase.
 * Bytes that MLflow builds in memory (a trace's data from the database) go out through the same send_file,
 * but without validators.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { lookUpArtifactFile, withSettledArtifact, type ArtifactFile } from "../../artifacts/artifactFile.js";
import { attachmentHeaders } from "../../artifacts/attachment.js";
import {
  decideConditional,
  type ConditionalAnswer,
  type ConditionalHeaders,
} from "../../artifacts/conditionalRequest.js";
import { httpDate, starletteEtagHeader, werkzeugEtag } from "../../artifacts/fileValidators.js";
import { proxiedArtifactPath } from "../../artifacts/location.js";
import { decideStarletteRange, type ByteRange } from "../../artifacts/starletteRanges.js";
import type { ArtifactStore } from "../../artifacts/store.js";
import { invalidParameter } from "../../errors.js";
import { sendWire } from "../rpc.js";

/**
 * uvicorn's status line for a 416 (Python 3.11's HTTPStatus phrase) on both servers; Node's own is the RFC
 * 9110 "Range Not Satisfiable", which clients matching MLflow's raw answer would not see.
 */
const RANGE_NOT_SATISFIABLE_REASON = "Requested Range Not Satisfiable";

/** werkzeug's RequestedRangeNotSatisfiable page, which Flask sends for a 416. */
const RANGE_NOT_SATISFIABLE_PAGE =
  "<!doctype html>\n<html lang=en>\n<title>416 Requested Range Not Satisfiable</title>\n" +
  "<h1>Requested Range Not Satisfiable</h1>\n<p>The server cannot provide the requested range.</p>\n";

/**
 * A file for the UI's Flask routes; `path` is relative to `store`. `requestedPath` is the path as the
 * client wrote it (a trailing `/` kept), which MLflow names in its refusal of a directory.
 */
export function sendArtifact(
  reply: FastifyReply,
  store: ArtifactStore,
  path: string,
  requestedPath = path,
): Promise<FastifyReply> {
  return withSettledArtifact(() => sendArtifactOnce(reply, store, path, requestedPath));
}

async function sendArtifactOnce(
  reply: FastifyReply,
  store: ArtifactStore,
  path: string,
  requestedPath: string,
): Promise<FastifyReply> {
  const found = await lookUpArtifactFile(store, path);
  if (found.kind === "directory") {
    throw invalidParameter(
      `Artifact path refers to a directory, not a file: '${mlflowArtifactName(store, requestedPath)}'`,
    );
  }
  const { file } = found;
  const etag = werkzeugEtag(file.mtime, file.size, file.identity);
  const headers: Record<string, string> = {
    ...attachmentHeaders(path),
    "last-modified": httpDate(file.mtime),
    "cache-control": "no-cache",
    etag: `"${etag}"`,
    "accept-ranges": "bytes",
  };
  const answer = decideConditional(conditionalHeaders(reply.request), {
    etag,
    lastModifiedSeconds: Math.floor(file.mtime),
    size: file.size,
  });
  return sendWerkzeugAnswer(reply, answer, file, headers);
}

/**
 * Bytes built in memory, sent as Flask's send_file sends an `io.BytesIO` (the trace data that
 * `get-trace-artifact` reads from the database): werkzeug knows no time or path to tag, so the answer has
 * no ETag and no Last-Modified; ranges are served, and no conditional header changes the answer.
 */
export async function sendBufferAttachment(
  reply: FastifyReply,
  fileName: string,
  data: Buffer,
): Promise<FastifyReply> {
  const headers: Record<string, string> = {
    ...attachmentHeaders(fileName),
    "cache-control": "no-cache",
    "accept-ranges": "bytes",
  };
  const body: RangedBody = {
    size: data.length,
    open: async (start, end) => Readable.from([data.subarray(start, end)]),
  };
  const answer = decideConditional(conditionalHeaders(reply.request), { size: data.length });
  return sendWerkzeugAnswer(reply, answer, body, headers);
}

/** What a ranged answer reads: the whole length, and the bytes in [start, end). */
type RangedBody = Pick<ArtifactFile, "size" | "open">;

/** make_conditional's outcome as Flask sends it; `headers` are the full answer's. */
async function sendWerkzeugAnswer(
  reply: FastifyReply,
  answer: ConditionalAnswer,
  body: RangedBody,
  headers: Record<string, string>,
): Promise<FastifyReply> {
  switch (answer.status) {
    case 416:
      return rangeNotSatisfiable(reply, body.size)
        .type("text/html; charset=utf-8")
        .header("x-content-type-options", "nosniff")
        .send(RANGE_NOT_SATISFIABLE_PAGE);
    case 304: {
      // werkzeug drops the entity headers from a 304; the tag and the disposition stay.
      const { "content-type": _type, "last-modified": _modified, ...kept } = headers;
      return reply.code(304).headers(kept).send();
    }
    case 206:
      return sendBytes(reply, 206, body, headers, { start: answer.start, end: answer.end });
    default:
      // A 412 still carries the file: werkzeug changes only the status.
      return sendBytes(reply, answer.status, body, headers, { start: 0, end: body.size });
  }
}

/**
 * A file for the proxy's GET (`/api/2.0/mlflow-artifacts/artifacts/<path>`); `path` is relative to `store`,
 * `requestedPath` as the client wrote it. A directory is refused as FastAPI's HTTPException, `{"detail"}`.
 */
export function sendProxiedArtifact(
  reply: FastifyReply,
  store: ArtifactStore,
  path: string,
  requestedPath = path,
): Promise<FastifyReply> {
  return withSettledArtifact(() => sendProxiedArtifactOnce(reply, store, path, requestedPath));
}

async function sendProxiedArtifactOnce(
  reply: FastifyReply,
  store: ArtifactStore,
  path: string,
  requestedPath: string,
): Promise<FastifyReply> {
  const found = await lookUpArtifactFile(store, path);
  if (found.kind === "directory") {
    return sendWire(
      reply,
      { detail: `Artifact path refers to a directory, not a file: '${requestedPath}'` },
      400,
    );
  }
  const { file } = found;
  if (!file.local)
    return reply
      .code(200)
      .headers(attachmentHeaders(path))
      .send(await file.open());
  const headers: Record<string, string> = {
    ...attachmentHeaders(path),
    "accept-ranges": "bytes",
    "last-modified": httpDate(file.mtime),
    etag: starletteEtagHeader(file.mtime, file.size),
  };
  const request = conditionalHeaders(reply.request);
  const answer = decideStarletteRange(request, {
    etagHeader: headers.etag as string,
    lastModifiedHeader: headers["last-modified"] as string,
    size: file.size,
  });
  switch (answer.kind) {
    case "whole":
      return sendBytes(reply, 200, file, headers, { start: 0, end: file.size });
    case "malformed":
      return plainText(reply.code(400), answer.reason);
    case "unsatisfiable":
      return plainText(rangeNotSatisfiable(reply, file.size), "");
    case "ranges": {
      const [only] = answer.ranges;
      if (answer.ranges.length === 1 && only !== undefined) return sendBytes(reply, 206, file, headers, only);
      return sendMultipartRanges(reply, file, headers, answer.ranges);
    }
  }
}

function rangeNotSatisfiable(reply: FastifyReply, size: number): FastifyReply {
  reply.raw.statusMessage = RANGE_NOT_SATISFIABLE_REASON;
  return reply.code(416).header("content-range", `bytes */${size}`);
}

async function sendBytes(
  reply: FastifyReply,
  status: number,
  file: RangedBody,
  headers: Record<string, string>,
  range: ByteRange,
): Promise<FastifyReply> {
  // A HEAD answer carries no body, so a remote file is not fetched at all (MLflow downloads it whole).
  // Opened before any header is set, so a failure to open is answered as an error with none of them.
  const body = reply.request.method === "HEAD" ? undefined : await file.open(range.start, range.end);
  reply
    .code(status)
    .headers(headers)
    .header("content-length", String(range.end - range.start));
  if (status === 206) reply.header("content-range", `bytes ${range.start}-${range.end - 1}/${file.size}`);
  return reply.send(body);
}

/** Starlette's multipart/byteranges: each part with its type and range, then the closing boundary. */
function sendMultipartRanges(
  reply: FastifyReply,
  file: ArtifactFile,
  headers: Record<string, string>,
  ranges: ByteRange[],
): FastifyReply {
  const boundary = randomBytes(13).toString("hex");
  const partType = headers["content-type"] as string;
  const partHeader = (range: ByteRange) =>
    Buffer.from(
      `--${boundary}\r\nContent-Type: ${partType}\r\nContent-Range: bytes ${range.start}-${range.end - 1}/${file.size}\r\n\r\n`,
      "latin1",
    );
  const closing = Buffer.from(`--${boundary}--`, "latin1");
  const length =
    ranges.reduce((sum, range) => sum + partHeader(range).length + (range.end - range.start) + 2, 0) +
    closing.length;
  async function* parts(): AsyncGenerator<Buffer> {
    for (const range of ranges) {
      yield partHeader(range);
      for await (const chunk of await file.open(range.start, range.end)) yield chunk as Buffer;
      yield Buffer.from("\r\n");
    }
    yield closing;
  }
  return reply
    .code(206)
    .headers(headers)
    .header("content-type", `multipart/byteranges; boundary=${boundary}`)
    .header("content-length", String(length))
    .send(Readable.from(parts()));
}

/** Starlette's PlainTextResponse, with the nosniff that MLflow's middleware puts on every answer. */
function plainText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type("text/plain; charset=utf-8").header("x-content-type-options", "nosniff").send(text);
}

/** The name MLflow puts in the directory refusal: the path under its proxy root when the root is proxied. */
function mlflowArtifactName(store: ArtifactStore, path: string): string {
  try {
    // posixpath.join: the requested path's trailing `/` (or its emptiness) shows after the root.
    const prefix = proxiedArtifactPath(store.rootUri);
    return prefix === undefined || prefix === "" ? path : `${prefix}/${path}`;
  } catch {
    return path;
  }
}

function conditionalHeaders(request: FastifyRequest): ConditionalHeaders {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  return {
    range: header("range"),
    ifRange: header("if-range"),
    ifModifiedSince: header("if-modified-since"),
    ifNoneMatch: header("if-none-match"),
    ifMatch: header("if-match"),
  };
}
