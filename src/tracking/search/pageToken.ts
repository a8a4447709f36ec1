/**
 * Offset page tokens in MLflow's format: base64 of JSON `{"offset": N}` (`SearchUtils.create_page_token`),
 * so tokens from either server read the same. A token is opaque to clients and untrusted here.
 *
 * This reader is stricter than mlflow's: it refuses offsets mlflow's `int()` reads (`1.5`, `"3"`, `true`), its
 * own messages stand where mlflow quotes the decoded value, and its tokens lack Python's spacing.
 * mlflowPageToken.ts reads and writes tokens exactly as mlflow does, and the experiment, run and registry
 * searches use it; the searches still here (traces, evaluation datasets, webhooks) have tests that pin these.
 */
import { invalidParameter } from "../../errors.js";

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64");
}

/** The offset a token names; no token (or an empty one, which the client may send) starts at 0. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token) || token.length > 1000) {
    throw invalidParameter("Invalid page token, could not base64-decode");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidParameter("Invalid page token, could not decode to JSON");
  }
  const offset =
    parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>).offset : undefined;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset)) {
    throw invalidParameter(`Invalid page token, offset must be an integer`);
  }
  return nonNegativeOffset(offset);
}

/**
 * A negative offset reads as 0: MLflow passes it to SQL's OFFSET, which SQLite (its default store) treats as
 * no offset, so such a token answers the first page there rather than an error.
 */
export function nonNegativeOffset(offset: number): number {
  return Math.max(offset, 0);
}
