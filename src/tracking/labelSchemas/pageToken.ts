/**
 * Listing page tokens read as mlflow's `SearchUtils.parse_start_offset_from_page_token` reads them, with its
 * messages, which quote the decoded bytes and the parsed JSON as Python prints them, and written as mlflow
 * writes them, byte for byte.
 */
import { invalidParameter } from "../../errors.js";
import { pythonFloatRepr, pythonStrRepr } from "../../pythonRepr.js";
import { nonNegativeOffset } from "../search/pageToken.js";

/**
 * Python's lenient `base64.b64decode`: characters outside the alphabet are skipped, data ends at the first
 * pad, and what is left must be whole groups of four once padded. Undefined where Python raises.
 */
function pythonBase64Decode(token: string): Buffer | undefined {
  const kept = token.replace(/[^A-Za-z0-9+/=]/g, "");
  const padAt = kept.indexOf("=");
  const data = padAt === -1 ? kept : kept.slice(0, padAt);
  const pads = padAt === -1 ? 0 : kept.length - padAt;
  const rest = data.length % 4;
  if (rest === 1 || (rest !== 0 && pads < 4 - rest)) return undefined;
  return Buffer.from(data, "base64");
}

/** `repr(bytes)`: printable ASCII as is, the rest escaped, quoted as Python quotes them. */
function pythonBytesRepr(bytes: Buffer): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** `repr()` of what `json.loads` returns; JSON cannot tell 1.0 from 1, so a whole number prints as an int. */
function pythonJsonRepr(value: unknown): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === "string") return pythonStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonRepr).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, v]) => `${pythonStrRepr(key)}: ${pythonJsonRepr(v)}`)
    .join(", ")}}`;
}

/** Python's `str()` of the offset, which the "not stringable" message prints. */
const pythonStr = (value: unknown): string => (typeof value === "string" ? value : pythonJsonRepr(value));

/** Python's `int(offset)`: a number truncated, true as 1, a decimal string read; undefined where it fails. */
function pythonInt(offset: unknown): number | undefined {
  if (typeof offset === "number") return Number.isFinite(offset) ? Math.trunc(offset) : undefined;
  if (offset === true) return 1;
  if (typeof offset !== "string") return undefined;
  const text = offset.trim();
  return /^[+-]?\d+(_\d+)*$/.test(text) ? Number(text.replaceAll("_", "")) : undefined;
}

/**
 * The offset a token names; none (or "") is 0. mlflow answers a token whose JSON is no object, or whose offset
 * is a list or an object, with a 500; here those are refused as invalid tokens. A negative offset reads as 0,
 * as SQLite's OFFSET reads it.
 */
export function offsetFromPageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  const decoded = pythonBase64Decode(token);
  if (decoded === undefined) throw invalidParameter("Invalid page token, could not base64-decode");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(decoded));
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${pythonBytesRepr(decoded)}`);
  }
  const offset =
    parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)["offset"]
      : undefined;
  // Python's `if not offset_str`: absent, null, 0, "", false, [] and {} are all refused.
  const falsy =
    offset === undefined ||
    offset === null ||
    offset === 0 ||
    offset === "" ||
    offset === false ||
    (Array.isArray(offset) && offset.length === 0) ||
    (typeof offset === "object" && offset !== null && Object.keys(offset).length === 0);
  if (falsy) throw invalidParameter(`Invalid page token, parsed value=${pythonJsonRepr(parsed)}`);
  const value = pythonInt(offset);
  if (value === undefined) throw invalidParameter(`Invalid page token, not stringable ${pythonStr(offset)}`);
  return nonNegativeOffset(value);
}

/** `SearchUtils.create_page_token`: base64 of `json.dumps({"offset": offset})`, with Python's space. */
export function pageTokenFor(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}
