/**
 * The model URIs `flowops serve` and `flowops predict` accept, parsed and validated once at the edge:
 * registry versions and aliases, MLflow 3 logged models, run artifacts, and local paths. It only reads the
 * string; resolving a URI to files is modelStore.ts's job.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FlowOpsError } from "../errors.js";

export type ModelUri =
  | { kind: "registryVersion"; name: string; version: string }
  | { kind: "registryAlias"; name: string; alias: string }
  | { kind: "loggedModel"; modelId: string }
  | { kind: "run"; runId: string; path: string }
  | { kind: "local"; path: string };

export const ACCEPTED_MODEL_URIS =
  "models:/<name>/<version>, models:/<name>@<alias>, models:/<model-id>, runs:/<run-id>/<path>, " +
  "a local directory or file, or file:///<absolute path>";

const RUN_ID = /^[A-Za-z0-9_-]+$/;
const VERSION = /^[1-9][0-9]*$/;
// MLflow's alias rule (`_validate_model_alias_name`): word characters and dashes.
const ALIAS = /^[\w-]+$/;
// MLflow 3 logged-model ids: `m-` and 32 hex digits.
const LOGGED_MODEL_ID = /^m-[0-9a-f]{32}$/;

/**
 * @example parseModelUri("models:/churn@champion") // { kind: "registryAlias", name: "churn", alias: "champion" }
 */
export function parseModelUri(uri: string, cwd: string = process.cwd()): ModelUri {
  if (uri.trim() === "") throw invalidUri(uri, "it is empty");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive (C:\models), so a path.
  if (scheme === undefined || scheme.length === 1) return { kind: "local", path: resolve(cwd, uri) };
  switch (scheme) {
    case "models":
      return parseModelsUri(uri);
    case "runs":
      return parseRunsUri(uri);
    case "file":
      return parseFileUri(uri);
    default:
      throw invalidUri(uri, `the scheme '${scheme}:' is not one FlowOps can load a model from`);
  }
}

/** The canonical spelling of a URI, for logs and the model store's index. */
export function formatModelUri(uri: ModelUri): string {
  switch (uri.kind) {
    case "registryVersion":
      return `models:/${uri.name}/${uri.version}`;
    case "registryAlias":
      return `models:/${uri.name}@${uri.alias}`;
    case "loggedModel":
      return `models:/${uri.modelId}`;
    case "run":
      return uri.path === "" ? `runs:/${uri.runId}` : `runs:/${uri.runId}/${uri.path}`;
    case "local":
      return uri.path;
  }
}

function parseModelsUri(uri: string): ModelUri {
  const rest = uri.slice("models:".length);
  if (rest.startsWith("//")) {
    throw invalidUri(uri, "a registry host (models://<host>/...) is not supported; use --tracking-uri");
  }
  // Split before decoding, so an escaped '/' or '@' stays part of the name (and is then refused).
  const raw = rest.replace(/^\/+/, "");
  if (raw === "") throw invalidUri(uri, "the model name is missing");
  const at = raw.lastIndexOf("@");
  if (at >= 0 && !raw.slice(at).includes("/")) {
    const name = decode(uri, raw.slice(0, at));
    const alias = decode(uri, raw.slice(at + 1));
    if (name === "" || name.includes("/")) throw invalidUri(uri, `'${name}' is not a model name`);
    if (!ALIAS.test(alias)) throw invalidUri(uri, `the alias '${alias}' must be letters, digits, '_' or '-'`);
    return { kind: "registryAlias", name, alias };
  }
  const parts = raw.split("/").map((part) => decode(uri, part));
  const [name = "", version] = parts;
  if (version === undefined) {
    if (LOGGED_MODEL_ID.test(name)) return { kind: "loggedModel", modelId: name };
    throw invalidUri(uri, "a version or an alias is missing after the model name");
  }
  if (parts.length > 2 || name === "" || name.includes("/")) {
    throw invalidUri(uri, "a model name may not contain '/'");
  }
  if (!VERSION.test(version)) {
    throw invalidUri(
      uri,
      `the version '${version}' is not a version number (stages and 'latest' are not supported: ` +
        "use a version number or an alias)",
    );
  }
  return { kind: "registryVersion", name, version };
}

function parseRunsUri(uri: string): ModelUri {
  const rest = uri.slice("runs:".length);
  if (!rest.startsWith("/") || rest.startsWith("//")) {
    throw invalidUri(uri, "expected runs:/<run-id>/<path> with a single slash after 'runs:'");
  }
  // Split before decoding, so an escaped '/' or '..' cannot change the path's shape.
  const [rawRunId = "", ...rawSegments] = rest.slice(1).replace(/\/+$/, "").split("/");
  const runId = decode(uri, rawRunId);
  if (!RUN_ID.test(runId)) throw invalidUri(uri, `'${runId}' is not a run id`);
  const segments = rawSegments.map((segment) => decode(uri, segment));
  const artifactPath = segments.join("/");
  if (segments.some((s) => s === "" || s === "." || s === ".." || /[/\\]/.test(s))) {
    throw invalidUri(uri, `the artifact path '${artifactPath}' must be relative, without '.' or '..'`);
  }
  return { kind: "run", runId, path: artifactPath };
}

function parseFileUri(uri: string): ModelUri {
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch (error) {
    throw invalidUri(uri, `it is not a local file URI (${(error as Error).message})`);
  }
  if (!isAbsolute(path)) throw invalidUri(uri, "a file URI must name an absolute path");
  return { kind: "local", path };
}

function decode(uri: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidUri(uri, "it holds a malformed %-escape");
  }
}

function invalidUri(uri: string, why: string): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Invalid model URI '${uri}': ${why}. Expected one of: ${ACCEPTED_MODEL_URIS}.`,
  );
}
