/**
 * dvc's error for a data target (push, pull, fetch, status -c, commit, checkout) that names no out and no
 * declared stage, worded as dvc's `collect_granular` (dvc/repo/stage.py) fails: a `file:name` target is
 * loaded from its file, so its error is the file's or "Stage not found"; a bare name (or a path that is no
 * out) is tried as a stage of the cwd's dvc.yaml, and its error is NoOutputOrStageError with that cause
 * appended, as dvc's logger appends an exception's cause.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { PIPELINE_FILE } from "../pipelines/dvcYaml.js";
import { cwdRelative, isValidDvcFileName, parseDvcTarget, targetFile } from "./dvcTarget.js";

export interface UnmatchedTarget {
  error: FlowOpsError;
  /**
   * Whether `dvc checkout` wraps it in "Did you mean `git checkout <target>`?": it does for a file that does
   * not exist and for NoOutputOrStageError, not for a stage missing from a named file or a bad file name.
   */
  suggestsGit: boolean;
}

/** Why `target`, resolved from `cwd`, names nothing; the caller has found no out or stage for it. */
export function unmatchedTarget(cwd: string, target: string): UnmatchedTarget {
  const { path, name } = parseDvcTarget(target);
  if (path !== undefined) {
    const abs = resolve(cwd, path);
    // `file:name` with a file not named like a DVC file: dvc tried it as an out path first, so a missing
    // file is NoOutputOrStageError; one that is there fails on its name when loaded.
    if (!isValidDvcFileName(path) && !existsSync(abs))
      return noOutputOrStage(target, abs, `'${abs}' does not exist`);
    let file: string;
    try {
      file = targetFile(cwd, path);
    } catch (error) {
      if (!(error instanceof FlowOpsError)) throw error;
      return { error, suggestsGit: error.code === "RESOURCE_DOES_NOT_EXIST" };
    }
    const message = `Stage '${name ?? ""}' not found inside '${cwdRelative(cwd, file)}' file`;
    return { error: new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message), suggestsGit: false };
  }
  const cause = existsSync(resolve(cwd, PIPELINE_FILE))
    ? `Stage '${name ?? target}' not found inside '${PIPELINE_FILE}' file`
    : `'${PIPELINE_FILE}' does not exist`;
  return noOutputOrStage(target, PIPELINE_FILE, cause);
}

function noOutputOrStage(target: string, file: string, cause: string): UnmatchedTarget {
  const message = `'${target}' does not exist as an output or a stage name in '${file}': ${cause}`;
  return { error: new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message), suggestsGit: true };
}
