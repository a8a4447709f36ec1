/**
 * DVC's directory manifest (the `.dir` object): the exact bytes Python's `json.dumps(entries, sort_keys=True)`
 * writes for `[{"md5": .., "relpath": ..}]` sorted by relpath, because the manifest's md5 is the directory's
 * identity and must match what DVC computes for the same tree (dvc-data `hashfile/tree.py` `as_bytes`).
 * This module only converts between entries and bytes; it never touches the filesystem.
 */
import { createHash } from "node:crypto";
import { FlowOpsError } from "../errors.js";
import { isOid, type DirEntry, type Oid } from "./hashInfo.js";

/** Python's `json` short escapes; every other character outside printable ASCII becomes `\uXXXX`. */
const SHORT_ESCAPES: Record<number, string> = {
  0x5c: "\\\\",
  0x22: '\\"',
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
};

/**
 * A JSON string literal as Python writes it with `ensure_ascii=True`: printable ASCII stays, the rest is
 * escaped with lower-case hex. Escaping UTF-16 code units one by one yields Python's surrogate pairs for
 * astral characters, and Python's escape for a lone surrogate too.
 */
export function pythonJsonString(value: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c) continue;
    out += value.slice(plainFrom, i);
    out += SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, "0")}`;
    plainFrom = i + 1;
  }
  return `${out}${value.slice(plainFrom)}"`;
}

/**
 * Orders strings by Unicode code point as Python does. JS compares UTF-16 code units, which differs only when
 * a surrogate (an astral character) meets a unit in U+E000..U+FFFF: the astral character is the larger.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate && (x >= 0xe000 || y >= 0xe000)) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const SURROGATE = /[\ud800-\udfff]/;

/**
 * Sorts `items` in place by `key` in code point order. Without astral characters UTF-16 order is code point
 * order, and V8's own string comparison is several times faster than comparing unit by unit in JavaScript
 * (a 10,000-file tree sorts in ~1 ms instead of ~4 ms, measured in an unchanged `data status`).
 */
export function sortByCodePoints<T>(items: T[], key: (item: T) => string): T[] {
  if (items.some((item) => SURROGATE.test(key(item))))
    return items.sort((a, b) => compareCodePoints(key(a), key(b)));
  return items.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The manifest bytes DVC writes for these entries (any order in, sorted out; only md5 and relpath kept). */
export function serializeDirManifest(entries: readonly DirEntry[]): Buffer {
  const sorted = sortByCodePoints([...entries], (entry) => entry.relpath);
  const parts: string[] = [];
  let previous: string | undefined;
  for (const entry of sorted) {
    if (entry.relpath === previous) {
      throw new FlowOpsError("INTERNAL_ERROR", `directory manifest lists '${entry.relpath}' twice`);
    }
    previous = entry.relpath;
    parts.push(`{"md5": ${pythonJsonString(entry.md5)}, "relpath": ${pythonJsonString(entry.relpath)}}`);
  }
  // Every character is ASCII after escaping, so latin1 and UTF-8 encode identically; latin1 is faster.
  return Buffer.from(`[${parts.join(", ")}]`, "latin1");
}

/** The object id of a manifest: plain md5 of its bytes plus `.dir`. */
export function dirManifestOid(bytes: Buffer): Oid {
  return `${createHash("md5").update(bytes).digest("hex")}.dir`;
}

/**
 * Reads a manifest back. `name` (the oid or the object's path) goes into every error, because a malformed
 * manifest means a corrupt object that the user must be able to find. Relative paths that could leave the
 * directory (`..`, absolute, empty segments) are rejected: materializing them would write outside the out.
 */
export function parseDirManifest(bytes: Buffer, name: string): DirEntry[] {
  const corrupt = (why: string) =>
    new FlowOpsError("DATA_LOSS", `directory manifest ${name} is corrupted: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw corrupt(`not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw)) throw corrupt("expected a JSON list of {md5, relpath}");
  return raw.map((item: unknown, index) => {
    if (typeof item !== "object" || item === null) throw corrupt(`entry ${index} is not an object`);
    const { md5, relpath, size, isexec } = item as Record<string, unknown>;
    if (typeof relpath !== "string" || !isSafeRelpath(relpath)) {
      throw corrupt(`entry ${index} has an invalid relpath ${JSON.stringify(relpath)}`);
    }
    if (typeof md5 !== "string" || !isOid(md5)) {
      throw corrupt(`entry ${index} ('${relpath}') has an invalid md5 ${JSON.stringify(md5)}`);
    }
    return {
      relpath,
      md5,
      ...(typeof size === "number" ? { size } : {}),
      ...(isexec === true ? { isexec } : {}),
    };
  });
}

function isSafeRelpath(relpath: string): boolean {
  if (relpath === "" || relpath.startsWith("/") || relpath.includes("\0")) {
    return false;
  }
  return relpath.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}
