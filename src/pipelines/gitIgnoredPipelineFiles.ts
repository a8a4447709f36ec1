/**
 * dvc's refusal of a dvc.yaml or dvc.lock that Git ignores (`FileIsGitIgnored`, `check_dvcfile_path` in
 * dvc/dvcfile.py): a pipeline whose lock file never reaches Git cannot be reproduced elsewhere, so dvc stops
 * instead of running stages and writing a lock nobody will commit. The index's own check (every dvc.yaml's
 * dvc.lock, made during the one walk) lives in pipelineFiles.ts; this file holds the error and the check of
 * the files a command's targets load directly, which dvc makes before it builds the index. It reads only.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { cwdRelative, parseDvcTarget } from "../data/dvcTarget.js";
import { FlowOpsError } from "../errors.js";
import { LOCK_FILE } from "./dvcLock.js";
import { PIPELINE_FILE } from "./dvcYaml.js";
import { GitIgnoreMatcher } from "./gitIgnoreMatcher.js";

/** dvc's FileIsGitIgnored: `shown` as dvc names the file; a dvc.yaml (or `.dvc`) is a "bad DVC file name". */
export function fileIsGitIgnored(shown: string, pipelineFile = false): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${pipelineFile ? "bad DVC file name " : ""}'${shown}' is git-ignored.`,
  );
}

/** The repository as the checks need it: only a repository in Git (`repo.scm`) has anything ignored. */
export interface GitRepoRoot {
  root: string;
  scm: boolean;
}

/**
 * The dvc.yaml files that `targets` name (the cwd's for none, or for a bare stage name), checked as dvc's
 * `load_file` checks each before anything runs: the dvc.yaml itself, then its dvc.lock, whether that exists
 * or not. dvc names the lock by the path it loaded the dvc.yaml by: `dvc.lock` for a bare stage name,
 * absolute for a path. A target whose file does not exist is left to the target's own resolution.
 */
export function checkTargetPipelineFiles(repo: GitRepoRoot, cwd: string, targets: readonly string[]): void {
  if (!repo.scm) return;
  let git: GitIgnoreMatcher | undefined;
  const ignores = (abs: string): boolean => {
    git ??= new GitIgnoreMatcher(repo.root);
    return git.ignoresFile(relative(repo.root, abs).split(sep).join("/"));
  };
  for (const target of targets.length === 0 ? [""] : targets) {
    const { path } = parseDvcTarget(target);
    const file = resolve(cwd, path ?? PIPELINE_FILE);
    if (basename(file) !== PIPELINE_FILE || !existsSync(file)) continue;
    if (ignores(file)) throw fileIsGitIgnored(cwdRelative(cwd, file), true);
    const lock = join(dirname(file), LOCK_FILE);
    if (ignores(lock)) throw fileIsGitIgnored(path === undefined && target !== "" ? LOCK_FILE : lock);
  }
}
