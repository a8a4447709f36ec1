/**
 * Why a revision's pipeline did not load, as dvc words it in the views that go on past such a revision
 * (`params diff`, `metrics show|diff`, `plots show|diff`): their warnings and `--json` errors. When the cause
 * is a params file read while loading (params.yaml, or a `vars` file) that dvc cannot read, dvc says
 * `unable to read: '<file>', ...` naming the file relative to the cwd, with the exception type its loader
 * raises, not FlowOps' `file:line: reason`.
 */
import { isAbsolute, join, relative, sep } from "node:path";
import type { FlowOpsError } from "../errors.js";
import { dvcExceptionType } from "./gitIgnoredPipelineFiles.js";
import { ParamsFileReadError } from "./paramsFileReadError.js";
import { pipelineResolveErrorOf } from "./pipelineResolveError.js";
import type { Revision } from "./revisionFiles.js";

/** dvc's `encode_exception`: the exception's class name and its message. */
export interface PipelineLoadFailure {
  type: string;
  msg: string;
}

/** `error` and the errors it was made from, outermost first. */
function causeChain(error: Error): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}

/**
 * The repo path of `unreadable`, a file of the temporary copy that a revision's pipeline is read from: the
 * copy's error names it by that path, and revisionPipelines.ts's rewrite of the error (a cause of which it is)
 * names it `<rev>:<repo path>` instead, the rest of the message unchanged.
 */
function pathInRevision(
  chain: readonly Error[],
  unreadable: ParamsFileReadError,
  rev: string,
): string | undefined {
  if (!unreadable.message.startsWith(unreadable.path)) return undefined;
  const rest = unreadable.message.slice(unreadable.path.length);
  const prefix = `${rev}:`;
  const renamed = chain.find(
    (e) =>
      e.message.startsWith(prefix) &&
      e.message.endsWith(rest) &&
      e.message.length > prefix.length + rest.length,
  );
  return renamed?.message.slice(prefix.length, renamed.message.length - rest.length);
}

/** What dvc reports for `error`, `rev`'s pipeline failing to load; FlowOps' own message when dvc's is not known. */
export function pipelineLoadFailure(
  error: FlowOpsError,
  root: string,
  rev: Revision,
  cwd: string,
): PipelineLoadFailure {
  const own = { type: dvcExceptionType(error), msg: error.message };
  const unresolved = pipelineResolveErrorOf(error);
  if (unresolved !== undefined) return { type: "ResolveError", msg: unresolved.dvcMessage(root, cwd) };
  const chain = causeChain(error);
  const unreadable = chain.find((e): e is ParamsFileReadError => e instanceof ParamsFileReadError);
  if (unreadable === undefined || !isAbsolute(unreadable.path)) return own;
  const abs = rev === undefined ? unreadable.path : join(root, pathInRevision(chain, unreadable, rev) ?? "");
  if (abs === root) return own;
  const named = relative(cwd, abs).split(sep).join("/");
  return { type: unreadable.dvcType(), msg: unreadable.dvcMessage(named) };
}

/** The message of `pipelineLoadFailure`. */
export function paramsLoadFailureReason(
  error: FlowOpsError,
  root: string,
  rev: Revision,
  cwd: string,
): string {
  return pipelineLoadFailure(error, root, rev, cwd).msg;
}

/**
 * dvc's error for a command that stops on a workspace pipeline that does not load (`repro`), when the cause is
 * an unreadable params file (`unable to read: '<file>', ...: <detail>`) or a dvc.yaml that does not resolve
 * (`failed to parse ... in '<dvc.yaml>': ...`), the files relative to `cwd`. Undefined for any other error,
 * which keeps FlowOps' own message.
 */
export function pipelineLoadMessage(error: unknown, cwd: string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const unresolved = pipelineResolveErrorOf(error);
  if (unresolved !== undefined) return unresolved.dvcMessage(unresolved.repoRoot, cwd);
  const unreadable = causeChain(error).find(
    (e): e is ParamsFileReadError => e instanceof ParamsFileReadError,
  );
  if (unreadable === undefined || !isAbsolute(unreadable.path)) return undefined;
  return unreadable.dvcMessageWithDetail(relative(cwd, unreadable.path).split(sep).join("/"));
}
