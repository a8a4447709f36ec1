/**
 * Reads a file as it is in the workspace or at a Git revision (`git show <rev>:./<path>`), for params and
 * metrics diffs, and lists a directory's files the same two ways. A file absent at that revision is `undefined`; an unknown revision is an error naming it.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { promisify } from "node:util";
import { FlowOpsError } from "../errors.js";
import { childProcess, execFileText } from "../childProcess.js";

// child_process loads on the first git call, not at the start of every quick command.
const run = execFileText;

/** `undefined` rev means the workspace. */
export type Revision = string | undefined;

export function revisionLabel(rev: Revision): string {
  return rev ?? "workspace";
}

export async function assertRevision(root: string, rev: string): Promise<void> {
  try {
    await run("git", ["-C", root, "rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  } catch (error) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${rev}' in ${root}`, {
      cause: error,
    });
  }
}

/**
 * Whether `root` is in a Git repository that has no commit yet: dvc's `scm.no_commits`, where `params diff`
 * and `metrics diff` compare nothing and succeed, whatever revisions they are given.
 */
export async function isGitRepoWithoutCommits(root: string): Promise<boolean> {
  try {
    await run("git", ["-C", root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
    return false;
  } catch {
    // No HEAD commit: a repository without commits, or no repository at all (then revisions stay errors).
  }
  try {
    await run("git", ["-C", root, "rev-parse", "--git-dir"]);
    return true;
  } catch {
    return false;
  }
}

/** The text of `relPath` (POSIX, relative to root) at `rev`, or in the workspace when rev is undefined. */
export async function readAtRevision(
  root: string,
  relPath: string,
  rev: Revision,
): Promise<string | undefined> {
  return (await readBytesAtRevision(root, relPath, rev))?.toString("utf8");
}

/** The bytes of `relPath` at `rev` (the workspace when undefined), for files that need not be text. */
export async function readBytesAtRevision(
  root: string,
  relPath: string,
  rev: Revision,
): Promise<Buffer | undefined> {
  if (rev === undefined) {
    try {
      return await readFile(join(root, relPath));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
      throw error;
    }
  }
  try {
    const { stdout } = await promisify(childProcess().execFile)(
      "git",
      ["-C", root, "show", `${rev}:./${relPath}`],
      { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
    );
    return stdout;
  } catch {
    return undefined;
  }
}

/**
 * The files under `relPath` (POSIX, relative to root) at `rev`, sorted; undefined when it is no directory
 * there. The workspace lists what is on disk; a revision, what Git holds.
 */
export async function filesUnderAtRevision(
  root: string,
  relPath: string,
  rev: Revision,
): Promise<string[] | undefined> {
  if (rev === undefined) {
    const abs = join(root, relPath);
    const entries = await readdir(abs, { recursive: true, withFileTypes: true }).catch(() => undefined);
    if (entries === undefined) return undefined;
    return (
      entries
        .filter((entry) => entry.isFile())
        // parentPath is Node 20.12's name for what earlier releases call path.
        .map((entry) => join(entry.parentPath ?? (entry as { path?: string }).path ?? abs, entry.name))
        .map((file) => relative(root, file).split(sep).join("/"))
        .sort()
    );
  }
  try {
    const { stdout } = await run(
      "git",
      ["-C", root, "ls-tree", "-r", "--name-only", "-z", `${rev}:./${relPath}`],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const files = stdout.split("\0").filter((name) => name !== "");
    return files.map((name) => posix.join(relPath, name)).sort();
  } catch {
    return undefined;
  }
}
