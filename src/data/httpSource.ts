/**
 * An `import-url` source behind http:// or https://, read as dvc reads it through fsspec's HTTPFileSystem:
 * a HEAD request (a GET when HEAD gives no size) answers the size and dvc's `checksum`, which is fsspec's
 * `int(tokenize(info), 16)`: the md5 of Python's `str((info,))`, the info dict holding the name, size, media
 * type, final URL and whichever of ETag, Content-MD5, Digest and Last-Modified the server sent. Recording the
 * same number as dvc lets either tool tell, by one request, whether the source changed.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { FlowOpsError } from "../errors.js";
import { pyRepr } from "../pipelines/pythonValues.js";

export { isHttpUrl } from "./importSource.js";

export interface HttpSourceInfo {
  size: number | undefined;
  /** dvc's `checksum` of the source, a decimal integer as text (its `.dvc` files quote it). */
  checksum: string;
}

/** fsspec's `_file_info` over one response's headers. */
function fileInfo(response: Response): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  const headers = response.headers;
  const length = headers.get("content-length");
  const encoding = headers.get("content-encoding");
  if (length !== null && (encoding === null || encoding === "identity" || encoding === "")) {
    info.size = Number(length);
  } else if (headers.get("content-range") !== null) {
    info.size = Number(headers.get("content-range")!.split("/")[1]);
  }
  const type = headers.get("content-type");
  if (type !== null) info.mimetype = type.split(";")[0];
  if (headers.get("accept-ranges") === "none") info.partial = false;
  info.url = response.url;
  for (const field of ["ETag", "Content-MD5", "Digest", "Last-Modified"]) {
    const value = headers.get(field);
    if (value) info[field] = value;
  }
  return info;
}

async function request(url: string, method: "HEAD" | "GET"): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { "Accept-Encoding": "identity" }, redirect: "follow" });
  } catch (error) {
    throw new FlowOpsError("TEMPORARILY_UNAVAILABLE", `${url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FlowOpsError(
      response.status === 404 ? "RESOURCE_DOES_NOT_EXIST" : "TEMPORARILY_UNAVAILABLE",
      `${url}: HTTP ${response.status} ${response.statusText}`,
    );
  }
  return response;
}

/** fsspec's `HTTPFileSystem._info` and `checksum`: what the server says of the URL now, without its body. */
export async function httpSourceInfo(url: string): Promise<HttpSourceInfo> {
  let info: Record<string, unknown> = {};
  for (const method of ["HEAD", "GET"] as const) {
    let response: Response;
    try {
      response = await request(url, method);
    } catch (error) {
      if (method === "GET") {
        throw error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST"
          ? new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `dependency '${url}' does not exist`, {
              cause: error,
            })
          : error;
      }
      continue;
    }
    await response.body?.cancel();
    info = { ...info, ...fileInfo(response) };
    if (info.size !== undefined) break;
  }
  const full = { name: url, size: null, ...info, type: "file" };
  // Python's str() of the one-element tuple fsspec's tokenize hashes.
  const digest = createHash("md5")
    .update(`(${pyRepr(full)},)`)
    .digest("hex");
  return {
    size: typeof info.size === "number" ? info.size : undefined,
    checksum: BigInt(`0x${digest}`).toString(10),
  };
}

/** Downloads `url` into `path` (a temporary file of the caller's); a short body is an error, not data. */
export async function downloadHttp(
  url: string,
  path: string,
  onProgress?: (bytes: number) => void,
): Promise<number> {
  const response = await request(url, "GET");
  let bytes = 0;
  const counted = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  counted.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    onProgress?.(chunk.length);
  });
  try {
    await pipeline(counted, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw new FlowOpsError(
      "TEMPORARILY_UNAVAILABLE",
      `${url}: download failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const expected = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(expected) && expected !== bytes) {
    await rm(path, { force: true });
    throw new FlowOpsError("DATA_LOSS", `${url}: received ${bytes} of ${expected} bytes`);
  }
  return bytes;
}
