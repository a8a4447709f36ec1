/**
 * dvc's refusal of a dvc.yaml or dvc.lock that Git ignores (`FileIsGitIgnored`, `check_dvcfile_path` in
 * dvc/dvcfile.py): a pipeline whose lock file never reaches Git cannot be reproduced elsewhere, so dvc stops
 * instead of running stages and writing a lock nobody will commit. dvc makes the check wherever it loads a
 * pipeline file; FlowOps loads them in two kinds of place, and both check here: the workspace walks
 * (`lockBesideIsGitIgnored` on each dvc.yaml met, in pipelineFiles.ts and in usedObjects.ts's walk for the
 * outs of every lock) and the files a command's targets name (`checkTargetPipelineFiles`, which dvc loads
 * before its index). A command that checks its targets and then walks passes one GitIgnoreMatcher
 * (`gitIgnoreOf`, carried as `gitIgnore`) to both, so each `.gitignore` is read once. It reads only.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { WalkedRepo } from "../data/dvcFile.js";
import { cwdRelative, parseDvcTarget } from "../data/dvcTarget.js";
import { dvcFileErrorType, type DvcFileErrorType } from "../data/dvcFileErrors.js";
import { FlowOpsError } from "../errors.js";
import { LOCK_FILE } from "./dvcLock.js";
import { PIPELINE_FILE } from "./dvcYaml.js";
import { GitIgnoreMatcher } from "./gitIgnoreMatcher.js";

/**
 * dvc's FileIsGitIgnored, a class of its own because the views that report a revision's failure instead of
 * failing (`metrics show`, `plots show`) name it by dvc's class name.
 */
export class FileIsGitIgnoredError extends FlowOpsError {
  constructor(shown: string, pipelineFile: boolean) {
    super("INVALID_PARAMETER_VALUE", `${pipelineFile ? "bad DVC file name " : ""}'${shown}' is git-ignored.`);
  }
}

/** dvc's FileIsGitIgnored: `shown` as dvc names the file; a dvc.yaml (or `.dvc`) is a "bad DVC file name". */
export function fileIsGitIgnored(shown: string, pipelineFile = false): FileIsGitIgnoredError {
  return new FileIsGitIgnoredError(shown, pipelineFile);
}

/**
 * The exception class dvc would name for `error` in a JSON report: FileIsGitIgnored, the YAML error of a dvc
 * file that does not load (data/dvcFileErrors.ts), else dvc's base class.
 */
export function dvcExceptionType(
  error: FlowOpsError,
): "FileIsGitIgnored" | DvcFileErrorType | "DvcException" {
  if (error instanceof FileIsGitIgnoredError) return "FileIsGitIgnored";
  return dvcFileErrorType(error) ?? "DvcException";
}

/** The repository as the checks need it: only a repository in Git (`repo.scm`) has anything ignored. */
export interface GitRepoRoot {
  root: string;
  scm?: boolean;
  gitIgnore?: GitIgnoreMatcher | undefined;
}

/**
 * Git's rules for the repository: those the caller holds (`repo.gitIgnore`), else new ones, or undefined
 * when DVC does not use Git there (`repo.scm`: in Git and not `core.no_scm`; a bare root without it is judged
 * by a `.git` of its own). A matcher reads each `.gitignore` lazily, when first asked, and keeps it.
 */
export function gitIgnoreOf(repo: GitRepoRoot): GitIgnoreMatcher | undefined {
  if (repo.scm === false) return undefined;
  if (repo.gitIgnore !== undefined) return repo.gitIgnore;
  return (repo.scm ?? existsSync(join(repo.root, ".git"))) ? new GitIgnoreMatcher(repo.root) : undefined;
}

const posixFrom = (git: GitIgnoreMatcher, abs: string): string =>
  relative(git.root, abs).split(sep).join("/");

/** The walk DVC's `collect_files` makes: .dvcignore's rules, then Git's, skip a file or directory. */
export function gitAwareWalk(repo: WalkedRepo, git: GitIgnoreMatcher | undefined): WalkedRepo {
  if (git === undefined) return repo;
  const dvc = repo.ignore;
  return {
    root: repo.root,
    ignore: { ignores: (rel, isDir) => (dvc?.ignores(rel, isDir) ?? false) || git.ignores(rel, isDir) },
  };
}

/**
 * The dvc.lock beside a dvc.yaml a workspace walk met, when Git ignores it (whether it exists or not, as dvc's
 * `Lockfile._load`). The walk entered the directory, so only the lock's own name can be ignored.
 */
export function lockBesideIsGitIgnored(
  git: GitIgnoreMatcher | undefined,
  pipelineFile: string,
): string | undefined {
  const lock = join(dirname(pipelineFile), LOCK_FILE);
  return git?.ignores(posixFrom(git, lock), false) === true ? lock : undefined;
}

/** dvc's `check_dvcfile_path` for a `.dvc` file or dvc.yaml about to be written; `shown` as dvc names it. */
export function refuseGitIgnoredDvcFile(repo: GitRepoRoot, abs: string, shown: string): void {
  const git = gitIgnoreOf(repo);
  if (git?.ignoresFile(posixFrom(git, abs)) === true) throw fileIsGitIgnored(shown, true);
}

/**
 * The dvc.yaml files that `targets` name (the cwd's for none, or for a bare stage name), checked as dvc's
 * `load_file` checks each before anything runs: the dvc.yaml itself, then its dvc.lock, whether that exists
 * or not. dvc names the lock by the path it loaded the dvc.yaml by: `dvc.lock` for a bare stage name,
 * absolute for a path. A target whose file does not exist is left to the target's own resolution. It judges
 * by `repo.gitIgnore` when given (the matcher the index walk that follows will use); nothing is checked
 * outside Git.
 */
export function checkTargetPipelineFiles(repo: GitRepoRoot, cwd: string, targets: readonly string[]): void {
  const git = gitIgnoreOf(repo);
  if (git === undefined) return;
  const ignores = (abs: string): boolean => git.ignoresFile(posixFrom(git, abs));
  for (const target of targets.length === 0 ? [""] : targets) {
    const { path } = parseDvcTarget(target);
    const file = resolve(cwd, path ?? PIPELINE_FILE);
    if (basename(file) !== PIPELINE_FILE || !existsSync(file)) continue;
    if (ignores(file)) throw fileIsGitIgnored(cwdRelative(cwd, file), true);
    const lock = join(dirname(file), LOCK_FILE);
    if (ignores(lock)) throw fileIsGitIgnored(path === undefined && target !== "" ? LOCK_FILE : lock);
  }
}
