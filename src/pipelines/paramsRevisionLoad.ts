/**
 * A revision whose pipeline does not load, as dvc's `params diff` reports it: a warning ("failed to load params
 * in revision 'HEAD', <why>"), then no params at all for that revision. When the cause is a params file read
 * while loading (params.yaml, or a `vars` file) that dvc cannot read, <why> is dvc's own `unable to read: '<file>',
 * ...` naming the file relative to the cwd, not FlowOps' `file:line: reason`.
 */
import { isAbsolute, join, relative, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { Pipeline } from "./dvcYaml.js";
import { ParamsFileReadError } from "./paramsFileReadError.js";
import { revisionLabel, type Revision } from "./revisionFiles.js";
import { readPipelinesAt } from "./revisionPipelines.js";

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

/** Why dvc says `rev`'s pipeline did not load, for `error`; FlowOps' own message when dvc's is not known. */
export function paramsLoadFailureReason(
  error: FlowOpsError,
  root: string,
  rev: Revision,
  cwd: string,
): string {
  const chain = causeChain(error);
  const unreadable = chain.find((e): e is ParamsFileReadError => e instanceof ParamsFileReadError);
  if (unreadable === undefined || !isAbsolute(unreadable.path)) return error.message;
  const abs = rev === undefined ? unreadable.path : join(root, pathInRevision(chain, unreadable, rev) ?? "");
  if (abs === root) return error.message;
  return unreadable.dvcMessage(relative(cwd, abs).split(sep).join("/"));
}

/**
 * The pipeline `rev` defines, undefined when none; null (after `onWarning`, told the revision's label too)
 * when it does not load, as dvc's `params show` goes on past such a revision.
 */
export async function readParamsPipelineOrWarn(
  root: string,
  rev: Revision,
  cwd: string,
  onWarning: (message: string, revision: string) => void,
): Promise<Pipeline | undefined | null> {
  try {
    return await readPipelinesAt(root, rev);
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    const label = revisionLabel(rev);
    onWarning(
      `failed to load params in revision '${label}', ${paramsLoadFailureReason(error, root, rev, cwd)}`,
      label,
    );
    return null;
  }
}
