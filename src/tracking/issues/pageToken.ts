/**
 * SearchIssues' offset page tokens read as mlflow reads them (`SearchUtils.parse_start_offset_from_page_token`):
 * Python's lenient base64 (characters outside the alphabet skipped), then JSON, then a truthy `offset` read
 * with `int()`, each failure with mlflow's message, values printed as Python prints them. Where mlflow's reading
 * raises an error it does not catch (a JSON list, `{"offset": [1]}`, non-ASCII text) and so answers a 500,
 * the same kind of message comes back as a 400. Tokens are written with Python's spacing, so both servers
 * hand out the same text.
 */
import { invalidParameter } from "../../errors.js";
import { pythonFloatRepr, pythonStrRepr } from "../../pythonRepr.js";
import { nonNegativeOffset } from "../search/pageToken.js";

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function encodeIssuePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}

/** The offset a token names; no token starts at 0. A negative offset reads as 0, as SQLite's OFFSET does. */
export function decodeIssuePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  const decoded = pythonBase64Decode(token);
  if (decoded === undefined) throw invalidParameter("Invalid page token, could not base64-decode");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(decoded));
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${pythonBytesRepr(decoded)}`);
  }
  const offset = isRecord(parsed) ? parsed.offset : undefined;
  if (!isRecord(parsed) || !pythonTruthy(offset)) {
    throw invalidParameter(`Invalid page token, parsed value=${pythonRepr(parsed)}`);
  }
  const read = pythonInt(offset);
  if (read === undefined) {
    const text = typeof offset === "string" ? offset : pythonRepr(offset);
    throw invalidParameter(`Invalid page token, not stringable ${text}`);
  }
  return nonNegativeOffset(read);
}

/** CPython's `binascii.a2b_base64` without strict mode; undefined where it raises. */
function pythonBase64Decode(token: string): Uint8Array | undefined {
  // b64decode refuses non-ASCII text before decoding (a ValueError mlflow does not catch).
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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function pythonTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  return !isRecord(value) || Object.keys(value).length > 0;
}

/** Python's `int()` of a JSON value: numbers truncate, text must spell an integer, true is 1. */
function pythonInt(value: unknown): number | undefined {
  if (value === true) return 1;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return /^[+-]?\d+(_\d+)*$/.test(text) ? Number(text.replaceAll("_", "")) : undefined;
}

/** `repr()` of what `json.loads` returns; a whole JSON number reads as an int, as Python mostly does. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === "string") return pythonStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonStrRepr(k)}: ${pythonRepr(v)}`).join(", ")}}`;
}

/** `repr(bytes)`: b'...' with Python's escapes, double quotes when only single quotes are inside. */
function pythonBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (char === quote || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return `b${quote}${out}${quote}`;
}
