/**
 * The older, stricter reader of MLflow's offset page tokens (base64 of JSON `{"offset": N}`): it refuses
 * offsets mlflow's `int()` reads (`1.5`, `"3"`, `true`) and answers with its own messages. No search reads
 * tokens with it any more; every one reads and writes them as mlflow does (mlflowPageToken.ts). What stays is
 * what other files still import: `nonNegativeOffset`, the offset searches fetch from, and `decodePageToken`, for tests that
 * read back the tokens searches hand out.
 */
import { invalidParameter } from "../../errors.js";

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
