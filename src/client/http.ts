/**
 * The client's transport: MLflow's wire conventions from the caller's side. GET fields travel as query
 * parameters (repeated keys for lists), other methods as JSON bodies with non-finite doubles spelled
 * "NaN"/"Infinity"; a non-2xx answer becomes a FlowOpsError carrying MLflow's error code; idempotent calls
 * are retried with exponential back-off on 408/429/5xx and network failures, as MLflow's client does.
 * It knows nothing about resources: the resource modules (experiments.ts, runs.ts, ...) build on `call`.
 */
import { FlowOpsError, isErrorCode, type ErrorCode } from "../errors.js";
import { fromWireJson, isInt64, toWireJson } from "../wireJson.js";

export interface ClientOptions {
  /** Server base URL; defaults to $MLFLOW_TRACKING_URI, then http://127.0.0.1:5000. */
  trackingUri?: string;
  /** Sent as `Authorization: Bearer`; defaults to $MLFLOW_TRACKING_TOKEN. */
  token?: string;
  /** With `password`, sent as `Authorization: Basic`; default $MLFLOW_TRACKING_USERNAME / _PASSWORD. */
  username?: string;
  password?: string;
  /** Injected fetch (tests, proxies); the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Extra attempts for retryable failures of idempotent calls; 5 by default, as MLflow's client. */
  retries?: number;
  /** First back-off delay in ms, doubled per attempt; 500 by default. */
  retryBackoffMs?: number;
  /** Environment to read defaults from; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
export type WireFields = Readonly<Record<string, unknown>>;

export interface RequestOptions {
  /** Retried on transient failures; GET always is. */
  idempotent?: boolean;
}

export interface RawRequest {
  method: HttpMethod;
  /** Path below the tracking URI, starting with `/`, query string included. */
  path: string;
  headers?: Record<string, string>;
  /** A fresh body per attempt, so a streamed upload can be retried. */
  body?: () => RequestInit["body"] | undefined;
  idempotent?: boolean;
}

const MLFLOW_API = "/api/2.0/mlflow";
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 60_000;

/** MLflow's `HTTP_STATUS_TO_ERROR_CODE` for answers that carry no JSON error. */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "ENDPOINT_NOT_FOUND",
  408: "DEADLINE_EXCEEDED",
  429: "REQUEST_LIMIT_EXCEEDED",
  500: "INTERNAL_ERROR",
  501: "NOT_IMPLEMENTED",
  503: "TEMPORARILY_UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export class HttpTransport {
  readonly trackingUri: string;
  private readonly fetchImpl: typeof fetch;
  private readonly authorization: string | undefined;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(options: ClientOptions = {}) {
    const env = options.env ?? process.env;
    const uri = options.trackingUri ?? env.MLFLOW_TRACKING_URI ?? "http://127.0.0.1:5000";
    this.trackingUri = uri.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.retries = options.retries ?? 5;
    this.backoffMs = options.retryBackoffMs ?? 500;
    const token = options.token ?? env.MLFLOW_TRACKING_TOKEN;
    const username = options.username ?? env.MLFLOW_TRACKING_USERNAME;
    const password = options.password ?? env.MLFLOW_TRACKING_PASSWORD;
    if (username !== undefined && password !== undefined) {
      this.authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
    } else if (token !== undefined) {
      this.authorization = `Bearer ${token}`;
    }
  }

  /** Calls an MLflow RPC below `/api/2.0/mlflow/` and returns its JSON object. */
  async call<T>(
    method: HttpMethod,
    endpoint: string,
    fields: WireFields = {},
    options: RequestOptions = {},
  ): Promise<T> {
    const isGet = method === "GET";
    const query = isGet ? encodeQuery(fields) : "";
    const body = isGet ? undefined : encodeWireJson(fields);
    const response = await this.send({
      method,
      path: `${MLFLOW_API}/${endpoint}${query === "" ? "" : `?${query}`}`,
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: () => body }),
      idempotent: isGet || options.idempotent === true,
    });
    const text = await response.text();
    // int64 fields (metric steps and timestamps, run times) past 2^53 come back exact, as BigInts.
    return (text.trim() === "" ? {} : fromWireJson(text)) as T;
  }

  /** Sends a request and returns a 2xx response; anything else is thrown as a FlowOpsError. */
  async send(request: RawRequest): Promise<Response> {
    const attempts = request.idempotent === true || request.method === "GET" ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        const body = request.body?.();
        response = await this.fetchImpl(`${this.trackingUri}${request.path}`, {
          method: request.method,
          headers: { ...this.authHeaders(), ...request.headers },
          ...(body === undefined ? {} : { body, duplex: "half" }),
        } as RequestInit);
      } catch (error) {
        if (attempt < attempts) {
          await sleep(this.delay(attempt));
          continue;
        }
        throw new FlowOpsError(
          "TEMPORARILY_UNAVAILABLE",
          `Could not reach the tracking server at ${this.trackingUri}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      if (response.ok) return response;
      if (RETRYABLE_STATUSES.has(response.status) && attempt < attempts) {
        await response.body?.cancel();
        await sleep(this.delay(attempt, response.headers.get("retry-after")));
        continue;
      }
      throw await errorFromResponse(response);
    }
  }

  private authHeaders(): Record<string, string> {
    return this.authorization === undefined ? {} : { Authorization: this.authorization };
  }

  private delay(attempt: number, retryAfter?: string | null): number {
    const seconds = retryAfter == null ? Number.NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_BACKOFF_MS);
    return Math.min(this.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  }
}

/** Reads MLflow's `{error_code, message}`; other bodies map the status back to a code, as MLflow does. */
export async function errorFromResponse(response: Response): Promise<FlowOpsError> {
  const text = await response.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (parsed !== null && typeof parsed === "object" && isErrorCode(parsed.error_code)) {
      return new FlowOpsError(parsed.error_code, typeof parsed.message === "string" ? parsed.message : text);
    }
  } catch {
    // Not JSON: fall through to the status mapping.
  }
  const code = STATUS_CODES[response.status] ?? (response.status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST");
  const detail = text.trim() === "" ? response.statusText : text.trim().slice(0, 1000);
  return new FlowOpsError(code, `HTTP ${response.status}: ${detail}`);
}

/** Query string with MLflow's conventions: repeated keys for lists, lower-case booleans, unset fields omitted. */
export function encodeQuery(fields: WireFields): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      params.append(key, typeof item === "number" ? wireNumber(item) : String(item));
    }
  }
  return params.toString();
}

/**
 * JSON with protobuf's spelling of non-finite doubles and int64 values (BigInts, and whole doubles past 2^53)
 * with all their digits; undefined fields are dropped as JSON.stringify does.
 */
export function encodeWireJson(fields: WireFields): string {
  return toWireJson(fields);
}

/**
 * A double as it came over the wire: a number, one of protobuf's non-finite spellings, or a BigInt where the
 * server wrote a whole double past 2^53 with all its digits (see fromWireJson).
 */
export function decodeDouble(value: number | string | bigint): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number(value);
}

function wireNumber(value: number): string {
  // String(2 ** 62) is 4611686018427388000, another int64 to the server.
  if (!Number.isSafeInteger(value) && isInt64(value)) return BigInt(value).toString();
  return Number.isFinite(value)
    ? String(value)
    : Number.isNaN(value)
      ? "NaN"
      : value > 0
        ? "Infinity"
        : "-Infinity";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Prefix of FlowOps' own API (not part of MLflow's wire). */
export const FLOWOPS_API = "/api/v1";

/**
 * One JSON call on FlowOps' own API: fields as the JSON body, an empty answer read as `{}`. `idempotent`
 * says whether the transport may retry it after a connection failure (an action sent twice must not be).
 */
export async function sendFlowOpsJson<T>(
  http: HttpTransport,
  method: HttpMethod,
  path: string,
  fields: object | undefined,
  idempotent: boolean,
): Promise<T> {
  const body = fields === undefined ? undefined : JSON.stringify(fields);
  const response = await http.send({
    method,
    path: `${FLOWOPS_API}${path}`,
    ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: () => body }),
    idempotent,
  });
  const text = await response.text();
  // Kept on JSON.parse: FlowOps' own answers hold no int64 past 2^53, and a whole double there (a drift score
  // of 2^60, written with all its digits) must stay a number.
  return (text.trim() === "" ? {} : JSON.parse(text)) as T;
}
