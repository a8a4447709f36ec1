/**
 * The Git revisions `dvc metrics show -a / -T / -A` walks (dvc's `brancher` over scmrepo): every branch,
 * every tag, or every commit reachable from HEAD, branches, remotes and tags. Names that point at the same
 * commit are one revision, labelled by its names joined with "," as dvc labels it (a commit by its full
 * SHA). Commits whose tree has no `.dvc` directory are left out, as dvc skips them.
 */
import { childProcess, execFileText } from "../childProcess.js";
import { usesGit } from "../data/dataRepo.js";
import { isGitRepoWithoutCommits } from "./revisionFiles.js";

// child_process loads on the first git call, not at the start of every quick command.
const run = execFileText;

export interface RevisionScope {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
}

export interface NamedRevision {
  /** What dvc prints in its Revision column and uses as the JSON key. */
  label: string;
  sha: string;
}

export function wantsRevisions(scope: RevisionScope): boolean {
  return scope.allBranches === true || scope.allTags === true || scope.allCommits === true;
}

export async function revisionsIn(root: string, scope: RevisionScope): Promise<NamedRevision[]> {
  const git = async (...args: string[]): Promise<string[]> => {
    const { stdout } = await run("git", ["-C", root, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.split("\n").filter((line) => line !== "");
  };
  // Outside Git (or with core.no_scm) dvc's NoSCM lists no branch, tag or commit: the workspace alone.
  if (!(await usesGit(root))) return [];
  // A repository without commits has no revision to walk; dvc shows the workspace alone.
  if (await isGitRepoWithoutCommits(root)) return [];
  const names: string[] = [];
  if (scope.allCommits === true) {
    // As scmrepo's list_all_commits: from HEAD, branches, remotes and tags, newest first.
    names.push(...(await git("rev-list", "--topo-order", "HEAD", "--branches", "--remotes", "--tags")));
  } else {
    // refs are listed sorted by name, as scmrepo's list_branches and list_tags sort them.
    if (scope.allBranches === true)
      names.push(...(await git("for-each-ref", "--format=%(refname:short)", "refs/heads")));
    if (scope.allTags === true)
      names.push(...(await git("for-each-ref", "--format=%(refname:short)", "refs/tags")));
  }
  if (names.length === 0) return [];
  // One git call each for every name's commit and for which commits hold a .dvc directory: -A names many.
  const shas = await git("rev-parse", ...names.map((name) => `${name}^{commit}`));
  const bySha = new Map<string, string[]>();
  names.forEach((name, index) => {
    const sha = shas[index];
    if (sha === undefined) return;
    const labels = bySha.get(sha) ?? [];
    if (!labels.includes(name)) labels.push(name);
    bySha.set(sha, labels);
  });
  const withDvc = await commitsWithDvcDirectory(root, [...bySha.keys()]);
  return [...bySha]
    .filter(([sha]) => withDvc.has(sha))
    .map(([sha, labels]) => ({ label: labels.join(","), sha }));
}

/** The branch HEAD is on, undefined when detached or outside Git. */
export async function activeBranch(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", root, "symbolic-ref", "--quiet", "--short", "HEAD"]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Which of the commits hold `.dvc` beside the repo root (`git cat-file --batch-check`, one process). */
async function commitsWithDvcDirectory(root: string, shas: readonly string[]): Promise<Set<string>> {
  const { stdout: prefix } = await run("git", ["-C", root, "rev-parse", "--show-prefix"]);
  const input = shas.map((sha) => `${sha}:${prefix.trim()}.dvc\n`).join("");
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = childProcess().execFile(
      "git",
      ["-C", root, "cat-file", "--batch-check"],
      { maxBuffer: 64 * 1024 * 1024 },
      (error: Error | null, out: string) => (error === null ? resolve(out) : reject(error)),
    );
    child.stdin?.end(input);
  });
  const lines = stdout.split("\n");
  return new Set(shas.filter((_sha, index) => lines[index]?.endsWith(" missing") === false));
}
