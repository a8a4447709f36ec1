/**
 * Sends one webhook notice as mlflow's `_send_webhook_request` does: the URL checked again, the body
 * `{"entity", "action", "timestamp", "data"}` written as Python writes it, mlflow's headers, the HMAC
 * signature when the webhook has a secret, and urllib3's retry policy (3 retries on a network error or a
 * 429/500/502/503/504 answer; no wait before the first retry, then 2 s, 4 s... plus up to 1 s of jitter, or
 * the receiver's Retry-After). All attempts carry the same delivery id, so a receiver can drop repeats.
 * Answers of any status are returned; only a failure to get one throws.
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { FLOWOPS_VERSION } from "../../version.js";
import { pythonJsonDumps } from "../../pythonJson.js";
import type { WebhookNotice } from "./webhookPayloads.js";
import type { WebhookDeliverySettings } from "./webhookSettings.js";
import {
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignature,
} from "./webhookSignature.js";
import { publicOnlyLookup, validateWebhookUrl, type ResolveHost } from "./webhookUrlPolicy.js";

export interface WebhookRequestOptions {
  settings: Pick<WebhookDeliverySettings, "urlPolicy" | "timeoutMs" | "maxRetries" | "backoffMs">;
  /** Aborts waiting and the attempt in flight (server shutdown). */
  signal?: AbortSignal | undefined;
  /** Trusted CAs for https receivers in place of Node's (tests); deployments use NODE_EXTRA_CA_CERTS. */
  ca?: string | undefined;
  now?: (() => number) | undefined;
  resolveHost?: ResolveHost | undefined;
}

export interface WebhookResponse {
  status: number;
  /** The answer's text, cut at MAX_RESPONSE_BYTES: `test_webhook` reports it, nothing else reads it. */
  body: string;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
/** urllib3's `backoff_max` and `backoff_jitter`, in units of `backoffMs` (1 s in production). */
const BACKOFF_MAX_UNITS = 60;
const RETRY_AFTER_MAX_MS = 60_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

export async function sendWebhookRequest(
  target: { url: string; secret: string | null },
  notice: WebhookNotice,
  options: WebhookRequestOptions,
): Promise<WebhookResponse> {
  const { settings } = options;
  const url = await validateWebhookUrl(target.url, settings.urlPolicy, options.resolveHost);
  const now = (options.now ?? Date.now)();
  const body = pythonJsonDumps({
    entity: notice.event.entity,
    action: notice.event.action,
    timestamp: pythonUtcIsoformat(now),
    data: notice.data,
  });
  const deliveryId = randomUUID();
  const timestamp = String(Math.floor(now / 1000));
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": `FlowOps/${FLOWOPS_VERSION}`,
    [WEBHOOK_DELIVERY_ID_HEADER]: deliveryId,
    [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
  };
  if (target.secret)
    headers[WEBHOOK_SIGNATURE_HEADER] = webhookSignature(target.secret, deliveryId, timestamp, body);
  const post = () => postOnce(url, headers, body, options);

  for (let retry = 1; ; retry++) {
    let response: WebhookResponse & { retryAfterMs?: number };
    try {
      response = await post();
    } catch (error) {
      options.signal?.throwIfAborted();
      if (retry > settings.maxRetries) throw error;
      await sleep(backoffMs(retry, settings.backoffMs), options.signal);
      continue;
    }
    if (!RETRY_STATUSES.has(response.status) || retry > settings.maxRetries) {
      return { status: response.status, body: response.body };
    }
    // A zero Retry-After falls back to the back-off, as urllib3 only honours a positive one.
    await sleep(response.retryAfterMs || backoffMs(retry, settings.backoffMs), options.signal);
  }
}

/** urllib3's `get_backoff_time` after `errors` failures in a row: 0, then 2, 4, 8... units plus jitter. */
function backoffMs(errors: number, unitMs: number): number {
  if (errors <= 1) return 0;
  return Math.min(BACKOFF_MAX_UNITS * unitMs, unitMs * 2 ** (errors - 1) + Math.random() * unitMs);
}

async function postOnce(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: WebhookRequestOptions,
): Promise<WebhookResponse & { retryAfterMs?: number }> {
  const timeout = AbortSignal.timeout(options.settings.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const send = url.protocol === "https:" ? httpsRequest : url.protocol === "http:" ? httpRequest : undefined;
  if (send === undefined)
    throw new Error(`Cannot deliver to a ${url.protocol} URL; only http and https are supported.`);
  const payload = Buffer.from(body, "utf8");
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(payload.length) },
        signal,
        // Each connection's address is checked as it is made, unless private addresses are allowed.
        ...(options.settings.urlPolicy.allowPrivateIps ? {} : { lookup: publicOnlyLookup }),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (response) => {
        readText(response).then((text) => {
          const status = response.statusCode ?? 0;
          const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
          resolve({ status, body: text, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
        }, reject);
      },
    );
    request.on("error", (error) => {
      reject(timeout.aborted ? new Error(`No answer within ${options.settings.timeoutMs} ms`) : error);
    });
    request.end(payload);
  });
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    if (size < MAX_RESPONSE_BYTES) chunks.push(buffer.subarray(0, MAX_RESPONSE_BYTES - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Seconds or an HTTP date, as urllib3 reads Retry-After; capped, so a receiver cannot park a delivery. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS);
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return;
  signal?.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    }
    signal?.addEventListener("abort", aborted, { once: true });
  });
}

/**
 * `datetime.now(timezone.utc).isoformat()`: microseconds (here whole milliseconds) and `+00:00`; Python
 * leaves the fraction out when it is zero.
 */
export function pythonUtcIsoformat(ms: number): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(0, 19);
  const millis = ms % 1000;
  return millis === 0 ? `${seconds}+00:00` : `${seconds}.${String(millis).padStart(3, "0")}000+00:00`;
}
