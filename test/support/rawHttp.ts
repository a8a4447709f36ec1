/**
 * One HTTP request sent exactly as given (method, path, headers and body bytes, none of them checked or
 * encoded), for tests that send broken requests on purpose: fetch() refuses or rewrites many of them.
 */
import { request as httpRequest, type Agent } from "node:http";

export interface RawHttpRequest {
  method: string;
  /** Path and query string, sent as written. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | undefined;
}

export interface RawHttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** From sending to the last byte of the answer. */
  ms: number;
}

/**
 * Sends `request` to `url`'s host and port; `timeoutMs` ends a request the server never answers (an error
 * naming the limit). `content-length` is set from the body.
 */
export function sendRaw(
  url: URL,
  request: RawHttpRequest,
  options: { agent?: Agent; timeoutMs?: number } = {},
): Promise<RawHttpAnswer> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) headers["content-length"] = String(request.body.length);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers,
        ...(options.agent === undefined ? {} : { agent: options.agent }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        response.on("error", reject);
      },
    );
    const { timeoutMs } = options;
    if (timeoutMs !== undefined) {
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    }
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}
