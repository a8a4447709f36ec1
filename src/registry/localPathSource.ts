/**
 * Local model version sources (a path or a `file:` URI), checked as MLflow 3.17's `_validate_source_run` and
 * `_validate_source_model` check them: the request must name a run (or logged model) whose artifact
 * directory is local and contains the resolved path. Reads runs and logged models; writes nothing.
 */
import { resolve } from "node:path";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import { localPathRefused, notOwnedBy } from "./sourceRefusals.js";

export interface SourceOwner {
  runId?: string | undefined;
  modelId?: string | undefined;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * MLflow's `is_local_uri` on a POSIX server: no scheme, or `file:` without a remote host. A `file:` URI
 * naming another host is refused outright, with MLflow's words (MLflow answers them as a 500; the request is
 * what is wrong, so this answers 400).
 */
export function isLocalSource(source: string): boolean {
  const scheme = SCHEME.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined) return true;
  if (scheme !== "file") return false;
  if (isRemoteHost(source.slice(scheme.length + 1))) {
    throw invalidParameter(
      `${source} is not a valid remote uri. For remote access on windows, please consider using a ` +
        "different scheme such as SMB (e.g. smb://<hostname>/<path>).",
    );
  }
  return true;
}

function isRemoteHost(rest: string): boolean {
  if (!rest.startsWith("//")) return false;
  const authority = /^\/\/([^/]*)/.exec(rest)?.[1] ?? "";
  const host = authority
    .replace(/^.*@/, "")
    .replace(/:[^\]]*$/, "")
    .toLowerCase();
  return host !== "" && host !== "." && !host.startsWith("localhost") && !host.startsWith("127.0.0.1");
}

/** Refuses a local source unless the run or logged model the request names holds it in a local directory. */
export async function requireLocalSourceOwner(
  db: Kysely<Database>,
  source: string,
  owner: SourceOwner,
): Promise<void> {
  const byModel = owner.modelId !== undefined && owner.modelId !== "";
  const idField = byModel ? "model_id" : "run_id";
  const id = byModel ? owner.modelId : owner.runId;
  if (id === undefined || id === "") throw localPathRefused(source, idField);
  const root = byModel ? await modelLocation(db, id) : await runLocation(db, id);
  if (root === undefined) throw notOwnedBy(source, idField);
  const path = resolvedLocalPath(source);
  if (isLocalSource(root)) {
    const rootPath = resolvedLocalPath(root);
    if (path === rootPath || path.startsWith(rootPath === "/" ? "/" : `${rootPath}/`)) return;
  }
  throw localPathRefused(path, idField);
}

async function runLocation(db: Kysely<Database>, runId: string): Promise<string | undefined> {
  const run = await db
    .selectFrom("runs")
    .select("artifact_uri")
    .where("run_uuid", "=", runId)
    .executeTakeFirst();
  return run?.artifact_uri;
}

async function modelLocation(db: Kysely<Database>, modelId: string): Promise<string | undefined> {
  const model = await db
    .selectFrom("logged_models")
    .select("artifact_location")
    .where("model_id", "=", modelId)
    .executeTakeFirst();
  return model?.artifact_location;
}

/**
 * MLflow's `Path(local_file_uri_to_path(uri)).resolve()`: a `file:` URI's path, percent-decoded once, made
 * absolute against the server's working directory with `.` and `..` segments folded.
 */
export function resolvedLocalPath(uri: string): string {
  let path = uri;
  if (/^file:/i.test(uri)) {
    const rest = uri.slice("file:".length);
    path = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
  }
  return resolve(unquoteOnce(path));
}

/** Python's `unquote`: each run of escapes is decoded, and one that is not valid UTF-8 is left as written. */
function unquoteOnce(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
}
