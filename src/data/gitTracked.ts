/**
 * The Git index as dvc consults and changes it. dvc refuses to take over an output that Git already tracks
 * (`OutputAlreadyTrackedError`): both would then version it, and the `.gitignore` entry dvc adds would not stop
 * Git from committing its changes. `dvc init` stages the files it creates.
 */
import { relative, sep } from "node:path";
import { execFileText } from "../childProcess.js";
import { FlowOpsError } from "../errors.js";

/** `git <args>`; child_process loads on the first call, not when a command that never makes one starts. */
function git(args: string[], options: { cwd: string; maxBuffer?: number }): Promise<{ stdout: string }> {
  return execFileText("git", args, options);
}

/**
 * Whether Git's index holds `abs` (a file, or any file below a directory), as dvc's `scm.is_tracked` asks.
 * False without a usable `git`: repos are found by their `.git` directory, and the check is a safeguard.
 */
export async function trackedByGit(root: string, abs: string): Promise<boolean> {
  const rel = relative(root, abs).split(sep).join("/");
  try {
    const { stdout } = await git(["--literal-pathspecs", "ls-files", "-z", "--", rel === "" ? "." : rel], {
      cwd: root,
      maxBuffer: 1 << 20,
    });
    return stdout.length > 0;
  } catch (error) {
    // A long listing means tracked files: ls-files only lists what the index holds.
    if ((error as { code?: unknown }).code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") return true;
    return false;
  }
}

/**
 * Which of `abses` Git's index holds (a file, or any file below a directory), asked in one `git ls-files`:
 * `data add` of thousands of files would otherwise start a git process for each. Undefined when that one
 * listing fails or is too long to hold, so the caller asks per path.
 */
export async function trackedByGitAmong(
  root: string,
  abses: readonly string[],
): Promise<((abs: string) => boolean) | undefined> {
  const rels = abses.map((abs) => relative(root, abs).split(sep).join("/"));
  let stdout: string;
  try {
    // Literal: a path is a name here, never a glob that would match its neighbours.
    ({ stdout } = await git(
      ["--literal-pathspecs", "ls-files", "-z", "--", ...rels.map((rel) => (rel === "" ? "." : rel))],
      { cwd: root, maxBuffer: 64 << 20 },
    ));
  } catch {
    return undefined;
  }
  const files = stdout.split("\0").filter((file) => file !== "");
  const held = new Set<string>();
  for (const file of files) {
    held.add(file);
    for (let slash = file.indexOf("/"); slash !== -1; slash = file.indexOf("/", slash + 1))
      held.add(file.slice(0, slash));
  }
  return (abs) => {
    const rel = relative(root, abs).split(sep).join("/");
    return rel === "" ? files.length > 0 : held.has(rel);
  };
}

/**
 * Fails as dvc does when `repo` is under Git and Git tracks the out at `abs` (shown as `display`); `tracked`
 * is trackedByGitAmong's answer when the caller asked for many paths at once.
 */
export async function refuseGitTrackedOut(
  repo: { root: string; scm: boolean },
  abs: string,
  display: string,
  tracked?: (abs: string) => boolean,
): Promise<void> {
  if (!repo.scm || !(tracked !== undefined ? tracked(abs) : await trackedByGit(repo.root, abs))) return;
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `output '${display}' is already tracked by SCM (e.g. Git).\n` +
      "    You can remove it from Git, then add to DVC.\n" +
      "        To stop tracking from Git:\n" +
      `            git rm -r --cached '${display}'\n` +
      `            git commit -m "stop tracking ${display}"`,
  );
}

/**
 * `git add` of `paths` (relative to `root`), as `dvc init` stages its files. Best effort: without a usable
 * `git` or a real repository the files are simply left for the user to add, as the init message says.
 */
export async function stageInGit(root: string, paths: readonly string[]): Promise<void> {
  await git(["add", "--", ...paths], { cwd: root }).catch(() => undefined);
}
