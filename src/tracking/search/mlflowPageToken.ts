/**
 * Offset page tokens read as mlflow 3's `SearchUtils.parse_start_offset_from_page_token` reads them: Python's
 * lenient base64 (characters outside the alphabet skipped), `json.loads`, then a truthy `offset` read with
 * `int()`, each failure with mlflow's message, values printed as Python prints them. Where mlflow's reading
 * raises an error it does not catch (non-ASCII text, a JSON list, `{"offset": [1]}`, an infinite offset) and
 * so answers a 500, the same kind of message comes back as a 400. Tokens are written as
 * `SearchUtils.create_page_token` writes them, with Python's spacing, so both servers hand out the same text.
 */
import { invalidParameter } from "../../errors.js";
import {
  parsePythonJson,
  PythonFloat,
  pythonStr,
  pythonValueRepr,
  type PythonJsonValue,
} from "../../pythonJson.js";
import { pythonBytesRepr } from "../../pythonRepr.js";

/**
 * A negative offset reads as 0: MLflow passes it to SQL's OFFSET, which SQLite (its default store) treats as
 * no offset, so such a token answers the first page there rather than an error.
 */
export function nonNegativeOffset(offset: number): number {
  return Math.max(offset, 0);
}

/** base64 of `json.dumps({"offset": offset})`. */
export function pageTokenFor(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}

/**
 * One page of `rows` fetched with `LIMIT maxResults + 1 OFFSET offset`: the extra row only says that another
 * page exists, so it is dropped and the token for the next page handed out instead (none on the last page).
 */
export function pageOf<Row>(
  rows: readonly Row[],
  offset: number,
  maxResults: number,
): { page: Row[]; nextPageToken: string | undefined } {
  return {
    page: rows.slice(0, maxResults),
    nextPageToken: rows.length > maxResults ? pageTokenFor(offset + maxResults) : undefined,
  };
}

/** The offset a token names; none (or "") starts at 0. A negative offset reads as 0, as SQLite's OFFSET does. */
export function offsetFromPageToken(token: string | undefined): number {
  return nonNegativeOffset(startOffsetFromPageToken(token));
}

/**
 * The offset a token names as mlflow's reader returns it, a negative one kept: mlflow's SQL stores pass it to
 * OFFSET (which SQLite reads as none) and write the next token from it, so `{"offset": -1}` with a page of 1
 * answers the first row and the token `{"offset": 0}`, which mlflow then refuses. Searches that mirror that
 * fetch from `nonNegativeOffset` of this and page from the offset itself.
 */
export function startOffsetFromPageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  const decoded = pythonBase64Decode(token);
  if (decoded === undefined) throw invalidParameter("Invalid page token, could not base64-decode");
  let parsed: PythonJsonValue;
  try {
    // json.loads of bytes: UTF-8 (a BOM dropped, as TextDecoder drops it), then Python's JSON.
    parsed = parsePythonJson(new TextDecoder("utf-8", { fatal: true }).decode(decoded));
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${pythonBytesRepr(decoded)}`);
  }
  const offset = parsed instanceof Map ? (parsed.get("offset") as PythonJsonValue | undefined) : undefined;
  if (!(parsed instanceof Map) || !pythonTruthy(offset)) {
    throw invalidParameter(`Invalid page token, parsed value=${pythonValueRepr(parsed)}`);
  }
  const read = pythonInt(offset);
  if (read === undefined) throw invalidParameter(`Invalid page token, not stringable ${pythonStr(offset)}`);
  return read;
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** CPython's `base64.b64decode` of a str without validation (`binascii.a2b_base64`); undefined where it raises. */
export function pythonBase64Decode(token: string): Uint8Array | undefined {
  // b64decode refuses a str that is not ASCII before decoding (a ValueError mlflow does not catch).
  for (const char of token) if (char.charCodeAt(0) > 0x7f) return undefined;
  const bytes: number[] = [];
  let quadPos = 0;
  let pads = 0;
  let leftChar = 0;
  for (const char of token) {
    if (char === "=") {
      // Enough padding ends the input; anything after it is ignored.
      if (quadPos >= 2 && quadPos + ++pads >= 4) return new Uint8Array(bytes);
      continue;
    }
    const value = BASE64_ALPHABET.indexOf(char);
    if (value < 0) continue;
    pads = 0;
    if (quadPos === 0) leftChar = value;
    else if (quadPos === 1) {
      bytes.push(((leftChar << 2) | (value >> 4)) & 0xff);
      leftChar = value & 0x0f;
    } else if (quadPos === 2) {
      bytes.push(((leftChar << 4) | (value >> 2)) & 0xff);
      leftChar = value & 0x03;
    } else bytes.push(((leftChar << 6) | value) & 0xff);
    quadPos = (quadPos + 1) % 4;
  }
  return quadPos === 0 ? new Uint8Array(bytes) : undefined;
}

/** Python's `bool()` of a JSON value: None, False, 0, 0.0, "", [] and {} are false, NaN is true. */
function pythonTruthy(value: PythonJsonValue | undefined): boolean {
  if (value === undefined || value === null || value === false || value === "") return false;
  if (typeof value === "number" || typeof value === "bigint") return value !== 0 && value !== 0n;
  if (value instanceof PythonFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  return true;
}

/**
 * Python's `int()` of a JSON value: a float truncated (not NaN or infinity), true as 1, text that spells an
 * integer (spaces and underscores allowed); undefined where it raises.
 */
function pythonInt(value: PythonJsonValue | undefined): number | undefined {
  if (value === true) return 1;
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "bigint") return Number(value);
  if (value instanceof PythonFloat) return Number.isFinite(value.value) ? Math.trunc(value.value) : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return /^[+-]?\d+(_\d+)*$/.test(text) ? Number(text.replaceAll("_", "")) : undefined;
}
