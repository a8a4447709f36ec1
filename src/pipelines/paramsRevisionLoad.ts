/**
 * A revision whose pipeline does not load, as dvc's `params diff` reports it: a warning ("failed to load params
 * in revision 'HEAD', <why>", <why> in dvc's words: pipelineLoadFailure.ts), then no params at all for that
 * revision.
 */
import type { Pipeline } from "./dvcYaml.js";
import type { Revision } from "./revisionFiles.js";
import { readPipelinesOrWarn } from "./revisionPipelines.js";

export { paramsLoadFailureReason } from "./pipelineLoadFailure.js";

/**
 * The pipeline `rev` defines, undefined when none; null (after `onWarning`, told the revision's label too)
 * when it does not load, as dvc's `params show` goes on past such a revision.
 */
export function readParamsPipelineOrWarn(
  root: string,
  rev: Revision,
  cwd: string,
  onWarning: (message: string, revision: string) => void,
): Promise<Pipeline | undefined | null> {
  return readPipelinesOrWarn(root, rev, "params", cwd, onWarning);
}
