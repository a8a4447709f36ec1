/**
 * Why a target names nothing in a past git revision, in the words dvc uses there. dvc reads a revision
 * through its Git filesystem, rooted at "/", so where the workspace's error (unmatchedTarget.ts) shows a real
 * path, a revision's shows "/<path in the repository>", and a named file that is there is shown relative to
 * the process's cwd from that root ("../../../dvc.yaml"), as dvc's relpath does.
 */
import { posix, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import { PIPELINE_FILE } from "../pipelines/dvcYaml.js";
import { isValidDvcFileName, parseDvcTarget } from "./dvcTarget.js";

/**
 * The error for `target` (resolved from `cwd`) in a revision whose files `has` answers for, by path
 * relative to the repository root.
 */
export function revisionUnmatchedTarget(
  root: string,
  cwd: string,
  target: string,
  has: (path: string) => boolean,
): FlowOpsError {
  const inRepo = (path: string): string => relative(root, resolve(cwd, path)).split(sep).join("/");
  const { path, name } = parseDvcTarget(target);
  if (path !== undefined) {
    const rel = inRepo(path);
    const shown = `/${rel}`;
    if (!has(rel)) {
      // As in the workspace: a file not named like a DVC file was tried as an out path first.
      return isValidDvcFileName(path)
        ? notFound(`'${shown}' does not exist`)
        : noOutputOrStage(target, shown, `'${shown}' does not exist`);
    }
    const file = relative(cwd, shown).split(sep).join("/");
    return notFound(`Stage '${name ?? ""}' not found inside '${file}' file`);
  }
  const cause = has(posix.normalize(inRepo(PIPELINE_FILE)))
    ? `Stage '${name ?? target}' not found inside '${PIPELINE_FILE}' file`
    : `'${PIPELINE_FILE}' does not exist`;
  return noOutputOrStage(target, PIPELINE_FILE, cause);
}

function noOutputOrStage(target: string, file: string, cause: string): FlowOpsError {
  return notFound(`'${target}' does not exist as an output or a stage name in '${file}': ${cause}`);
}

function notFound(message: string): FlowOpsError {
  return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message);
}
