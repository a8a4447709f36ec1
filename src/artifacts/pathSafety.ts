/**
 * The one guard for every path-like input (artifact paths, experiment artifact locations, model version
 * sources). It covers the input classes of MLflow's traversal, local-file-inclusion and SSRF advisories:
 * `..` segments, absolute and drive paths, backslashes, NUL and control characters, `#` fragments, `;`
 * parameters, and all of these hidden behind one or more rounds of URL encoding.
 */
import { FlowOpsError } from "../errors.js";

const MAX_DECODE_ROUNDS = 10;

/** Decodes %XX escapes until the string stops changing, so double encoding cannot hide `..`. */
export function fullyDecode(value: string, field: string): string {
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw unsafe(field, value, "malformed percent-encoding");
    }
    if (next === current) return current;
    current = next;
  }
  throw unsafe(field, value, "too many rounds of percent-encoding");
}

function unsafe(field: string, value: string, why: string): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${JSON.stringify(value)} for parameter '${field}': ${why}.`,
  );
}

/** Why a decoded relative path is unsafe, or undefined when it is safe. */
function relativePathProblem(decoded: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return "control characters are not allowed";
  if (decoded.includes("\\")) return "backslashes are not allowed";
  if (decoded.includes("#")) return "'#' is not allowed";
  if (decoded.includes(";")) return "';' is not allowed";
  if (decoded.startsWith("/")) return "absolute paths are not allowed";
  if (/^[a-zA-Z]:/.test(decoded)) return "drive paths are not allowed";
  if (decoded.split("/").some((segment) => segment === "..")) return "'..' is not allowed";
  return undefined;
}

/**
 * Checks a path relative to some artifact root and returns it normalised (no empty or `.` segments).
 * The empty string stands for the root itself.
 */
export function assertSafeRelativePath(path: string, field = "path"): string {
  const decoded = fullyDecode(path, field);
  const problem = relativePathProblem(decoded);
  if (problem !== undefined) throw unsafe(field, path, problem);
  return decoded
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

/**
 * Checks a URI that names artifact storage (an experiment's artifact_location, a model version's source).
 * Query strings, fragments and parameters are refused outright: MLflow inserts sub-paths before the query,
 * which is how `?a=../..` once escaped the root. `file:` URIs and bare paths must be absolute and clean.
 */
export function assertSafeArtifactUri(uri: string, field: string): string {
  const decoded = fullyDecode(uri, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded)) throw unsafe(field, uri, "control characters are not allowed");
  if (decoded.includes("\\")) throw unsafe(field, uri, "backslashes are not allowed");
  if (decoded.includes("#")) throw unsafe(field, uri, "fragments ('#') are not allowed");
  if (decoded.includes("?")) throw unsafe(field, uri, "query strings are not allowed");
  if (decoded.includes(";")) throw unsafe(field, uri, "';' is not allowed");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(decoded)?.[1];
  // A bare `//x/...` is a local path that dodges host checks (CVE-2023-6977's `//proc/self/root`).
  if (scheme === undefined && decoded.startsWith("//"))
    throw unsafe(field, uri, "'//' paths are not allowed");
  const rest = scheme !== undefined && scheme.length > 1 ? decoded.slice(scheme.length + 1) : decoded;
  const path = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
  if (path.split("/").some((segment) => segment === "..")) throw unsafe(field, uri, "'..' is not allowed");
  if (path.startsWith("//")) throw unsafe(field, uri, "empty path segments at the root are not allowed");
  return uri;
}
