/**
 * Decides whether a model version's `source` names artifacts this server knows, and where they are
 * stored. This is the guard against MLflow's model-version advisories (CVE-2023-1177, -2356, -6977,
 * 2024-1483 and their bypasses): a source may not be another host's URL or anything with traversal, unless it
 * lies under an artifact root the server itself manages, and a local path or `file:` URI must also lie in the
 * artifact directory of the run (or logged model) the request names, as MLflow 3.17 requires. It reads runs,
 * model versions and logged models; it writes nothing.
 */
import { posix, resolve } from "node:path";
import type { Kysely } from "kysely";
import { assertSafeArtifactUri, assertSafeRelativePath, fullyDecode } from "../artifacts/pathSafety.js";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import { isLocalSource, requireLocalSourceOwner } from "./localPathSource.js";
import { parseModelsUri, resolveRegistryLineage } from "./modelsUriSource.js";
import { notOwnedBy } from "./sourceRefusals.js";

const FIELD = "source";

export interface ResolvedSource {
  /** Where the artifacts are read from: get-download-uri answers with it. */
  storageLocation: string;
  /** The source as registered, when not as sent: a registry URI pinned to the version it names. */
  source?: string;
  /** A run the source implies when the request names none (a logged model's, or a pinned version's). */
  impliedRunId?: string;
  /** A logged model the source implies when the request names none (a pinned version's). */
  impliedModelId?: string;
}

export interface SourceContext {
  /** Roots the server manages: its default artifact root and its artifacts destination. */
  artifactRoots: readonly string[];
  /** The request's run_id; undefined when the field is left out, "" when it is sent empty. */
  runId?: string | undefined;
  /** The request's model_id: when given, an mlflow-artifacts source must lie under that logged model. */
  modelId?: string | undefined;
  /** A prompt version (MLflow 3's prompt registry): its source is a placeholder, never artifacts. */
  isPrompt?: boolean;
}

/** The placeholders MLflow's own senders use for a prompt version's source (mlflow/prompt/constants.py). */
const PROMPT_SOURCE_PLACEHOLDERS: ReadonlySet<string> = new Set(["dummy-source", "prompt-template"]);

export async function resolveModelVersionSource(
  db: Kysely<Database>,
  requested: string,
  context: SourceContext,
): Promise<ResolvedSource> {
  if (requested === "") throw invalidParameter(`Missing value for required parameter '${FIELD}'.`);
  // MLflow 3.17's `_validate_prompt_source`: a prompt names no artifacts, so only a placeholder is accepted
  // and no run or logged model is looked for.
  if (context.isPrompt === true) {
    if (PROMPT_SOURCE_PLACEHOLDERS.has(requested)) return { storageLocation: requested };
    throw invalidParameter(
      `Invalid prompt source: '${requested}'. Prompt sources must use an MLflow placeholder.`,
    );
  }
  assertSafeArtifactUri(requested, FIELD);
  const lineage = await resolveRegistryLineage(db, requested, context.runId, context.modelId);
  const checked = await checkSource(db, lineage.source, {
    ...context,
    runId: lineage.runId,
    modelId: lineage.modelId,
  });
  const location = lineage.storageLocation ?? checked.storageLocation;
  return {
    ...checked,
    storageLocation: location,
    ...(lineage.source !== requested ? { source: lineage.source } : {}),
    ...(context.runId === undefined && lineage.runId !== undefined ? { impliedRunId: lineage.runId } : {}),
    ...(context.modelId === undefined && lineage.modelId !== undefined
      ? { impliedModelId: lineage.modelId }
      : {}),
  };
}

/** MLflow 3.17's `_validate_source_model` (when a model_id is known) or `_validate_source_run`. */
async function checkSource(
  db: Kysely<Database>,
  source: string,
  context: SourceContext,
): Promise<ResolvedSource> {
  const decoded = fullyDecode(source, FIELD);
  if (isLocalSource(source)) {
    // Beyond MLflow: a path under an artifact root this server manages needs no run to vouch for it.
    const normalised = normaliseLocation(decoded);
    const underRoot =
      normalised !== undefined && context.artifactRoots.some((root) => isUnder(normalised, root));
    if (!underRoot) await requireLocalSourceOwner(db, source, context);
    return { storageLocation: source };
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(decoded)?.[1]?.toLowerCase();
  switch (scheme) {
    case "runs":
      requireSourceRun(source, decoded, context);
      return { storageLocation: checkRunsUri(source, decoded) };
    case "models":
      return loggedModelSource(db, source, context);
    case "mlflow-artifacts":
      // Naming another host would make the server's own artifact routes fetch from it (SSRF), so a host
      // must be one of the configured roots.
      if (/^mlflow-artifacts:\/\/[^/]/i.test(decoded)) {
        return { storageLocation: await requireKnownRoot(db, source, decoded, context) };
      }
      await requireOwningResource(db, source, context);
      return { storageLocation: source };
    default:
      return { storageLocation: await requireKnownRoot(db, source, decoded, context) };
  }
}

/** Accepts a location under a configured root or under the artifact directory of the given run. */
async function requireKnownRoot(
  db: Kysely<Database>,
  source: string,
  decoded: string,
  context: SourceContext,
): Promise<string> {
  const roots = [...context.artifactRoots];
  if (context.runId !== undefined && context.runId !== "") {
    const run = await db
      .selectFrom("runs")
      .select("artifact_uri")
      .where("run_uuid", "=", context.runId)
      .executeTakeFirst();
    if (run !== undefined) roots.push(run.artifact_uri);
  }
  const normalised = normaliseLocation(decoded);
  if (normalised !== undefined && roots.some((root) => isUnder(normalised, root))) return source;
  throw refused(source);
}

/**
 * A host-less mlflow-artifacts source must lie under the artifact location of the logged model named by
 * model_id or, without one, of the run named by run_id, as MLflow 3.17's `_validate_source_run` and
 * `_validate_source_model` require: otherwise any version could point at any run's artifacts.
 */
async function requireOwningResource(
  db: Kysely<Database>,
  source: string,
  context: SourceContext,
): Promise<void> {
  if (context.modelId !== undefined && context.modelId !== "") {
    const model = await db
      .selectFrom("logged_models")
      .select("artifact_location")
      .where("model_id", "=", context.modelId)
      .executeTakeFirst();
    if (model === undefined || !isUriWithinRoot(source, model.artifact_location)) {
      throw notOwnedBy(source, "model_id");
    }
    return;
  }
  if (context.runId === undefined || context.runId === "") throw notOwnedBy(source, "run_id");
  const run = await db
    .selectFrom("runs")
    .select("artifact_uri")
    .where("run_uuid", "=", context.runId)
    .executeTakeFirst();
  if (run === undefined || !isUriWithinRoot(source, run.artifact_uri)) throw notOwnedBy(source, "run_id");
}

/**
 * MLflow 3.17's `_validate_source_run` for `runs:/<run_id>/...`: the request's run_id must be that run, and a
 * request naming a model_id may not use a runs:/ source at all; otherwise a version could claim one run while
 * its artifacts come from another. MLflow compares the id as sent; the id this server reads the artifacts of is
 * the decoded one, so both must be the run_id. A host (`runs://h/...`) names no run. A source with no run id
 * at all is left to checkRunsUri, which says what a runs:/ URI looks like.
 */
function requireSourceRun(source: string, decoded: string, context: SourceContext): void {
  if (context.modelId !== undefined && context.modelId !== "") throw notOwnedBy(source, "model_id");
  if (/^runs:\/\/[^/]/i.test(source)) throw notOwnedBy(source, "run_id");
  const sentRunId = /^runs:\/([^/]+)/i.exec(source)?.[1];
  const readRunId = /^runs:\/([^/]+)/i.exec(decoded)?.[1];
  if (sentRunId === undefined || readRunId === undefined) return;
  if (context.runId !== sentRunId || context.runId !== readRunId) throw notOwnedBy(source, "run_id");
}

/**
 * MLflow's `_is_uri_within_root`: same scheme and authority (either case), and the root's non-empty path
 * segments, each percent-decoded until stable, begin the source's.
 */
export function isUriWithinRoot(source: string, root: string): boolean {
  const a = uriParts(source);
  const b = uriParts(root);
  return (
    a.scheme === b.scheme &&
    a.authority === b.authority &&
    b.segments.length > 0 &&
    b.segments.every((segment, at) => a.segments[at] === segment)
  );
}

function uriParts(uri: string): { scheme: string; authority: string; segments: string[] } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1] ?? "";
  let rest = uri.slice(scheme === "" ? 0 : scheme.length + 1).replace(/[?#].*$/s, "");
  let authority = "";
  if (rest.startsWith("//")) {
    const end = rest.indexOf("/", 2);
    authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? "" : rest.slice(end);
  }
  const segments = rest
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodedUntilStable);
  return { scheme: scheme.toLowerCase(), authority: authority.toLowerCase(), segments };
}

function decodedUntilStable(segment: string): string {
  let current = segment;
  for (;;) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
}

function refused(source: string, why?: string): Error {
  return invalidParameter(
    `Invalid value ${JSON.stringify(source)} for parameter '${FIELD}': ` +
      (why ??
        "a model version source must be a runs:/, models:/ or mlflow-artifacts:/ URI, or lie under the " +
          "server's artifact root or the artifact directory of the run given by run_id") +
      ".",
  );
}

/**
 * A `runs:/<run_id>/<path>` source is its own storage location: MLflow 3.17's store keeps it as registered
 * and get-download-uri answers with it, leaving the client to resolve the run (in MLflow 3 the path may name
 * a logged model of the run rather than a run artifact, which only the client's resolution knows). The run
 * need not exist here: MLflow checks only that run_id names the runs:/ id.
 */
function checkRunsUri(source: string, decoded: string): string {
  const match = /^runs:\/([^/]+)(?:\/(.*))?$/i.exec(decoded);
  if (match === null) throw refused(source, "expected runs:/<run_id>/<artifact path>");
  assertSafeRelativePath(match[2] ?? "", FIELD);
  return source;
}

/**
 * A source still naming a model after lineage resolution names a logged model (`models:/<model_id>`): the
 * request's model_id must be that model, whose location and source run the version then takes. A source
 * naming a registered model version was pinned and located by `resolveRegistryLineage` already.
 */
async function loggedModelSource(
  db: Kysely<Database>,
  source: string,
  context: SourceContext,
): Promise<ResolvedSource> {
  const parsed = parseModelsUri(source);
  if (!("modelId" in parsed)) return { storageLocation: source };
  if (context.modelId === undefined || context.modelId !== parsed.modelId)
    throw notOwnedBy(source, "model_id");
  const model = await db
    .selectFrom("logged_models")
    .select(["artifact_location", "source_run_id"])
    .where("model_id", "=", parsed.modelId)
    .executeTakeFirst();
  if (model === undefined) {
    // MLflow's store answers this as a 500 INTERNAL_ERROR; the request is what is wrong, so this answers 400.
    throw invalidParameter(
      `Unable to fetch model from model URI source artifact location '${source}'.` +
        `Error: Logged model with ID '${parsed.modelId}' not found.`,
    );
  }
  return {
    storageLocation: model.artifact_location,
    ...(model.source_run_id !== null ? { impliedRunId: model.source_run_id } : {}),
  };
}

/**
 * One spelling per location so prefixes compare: local paths and `file:` URIs become `file:<absolute
 * path>`, other URIs `<scheme>://<authority><path>` with scheme and authority lower-case, `.` segments
 * and trailing slashes dropped. A `file:` URI naming another host
 * has no local meaning and normalises to nothing.
 */
export function normaliseLocation(location: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location)?.[1];
  if (scheme === undefined || scheme.length === 1) return `file:${resolve(location).replace(/\/+$/, "")}`;
  const rest = location.slice(scheme.length + 1);
  if (scheme.toLowerCase() === "file") {
    const authority = rest.startsWith("//") ? (/^\/\/([^/]*)/.exec(rest)?.[1] ?? "") : "";
    if (authority !== "" && authority.toLowerCase() !== "localhost") return undefined;
    const path = rest.startsWith("//") ? rest.slice(2 + authority.length) : rest;
    if (!path.startsWith("/")) return undefined;
    return `file:${posix.normalize(path).replace(/\/+$/, "")}`;
  }
  // The authority is kept apart from the path, so a root without one (`mlflow-artifacts:/`) never
  // contains a location naming a host (`mlflow-artifacts://elsewhere/...`).
  const authority = rest.startsWith("//") ? (/^\/\/([^/]*)/.exec(rest)?.[1] ?? "") : "";
  const path = rest.startsWith("//") ? rest.slice(2 + authority.length) : rest;
  const cleaned = path.replace(/\/\.(?=\/|$)/g, "").replace(/\/+$/, "");
  return `${scheme.toLowerCase()}://${authority.toLowerCase()}${cleaned.startsWith("/") || cleaned === "" ? "" : "/"}${cleaned}`;
}

/** True when `location` is `root` or below it, on a path-segment boundary. */
export function isUnder(location: string, root: string): boolean {
  const base = normaliseLocation(fullyDecode(root, "artifact root"));
  if (base === undefined) return false;
  return location === base || location.startsWith(`${base}/`);
}
