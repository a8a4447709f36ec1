/**
 * `dvc install` (dvc/repo/install.py): Git hooks that keep the data in step with Git, each a two-line shell
 * script as scmrepo's `install_hook` writes it, calling `flowops data git-hook <hook>` where dvc's call
 * `dvc git-hook <hook>`: `data checkout` after a branch checkout, `data status` before a commit, `data push`
 * before a push. The hooks call `flowops` as dvc's call `dvc`, found on the PATH Git runs them with.
 *
 * As dvc: nothing happens outside Git (or with `core.no_scm`); no hook is written when any of the three
 * exists already; the hooks go to `<git root>/.git/hooks`, whatever `core.hooksPath` says. dvc also registers
 * its merge driver for `.dvc` files in `.git/config`; FlowOps has no merge driver, so it registers none.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { addPreCommitEntry } from "./preCommitConfig.js";

/** The hooks dvc installs, in dvc's order (the first one found existing is the one its error names). */
export const GIT_HOOKS = ["post-checkout", "pre-commit", "pre-push"] as const;
export type GitHookName = (typeof GIT_HOOKS)[number];

/** The script of one hook: scmrepo's `#!<which sh>` line and dvc's `exec` line, with flowops's command. */
export function gitHookScript(hook: GitHookName, shell: string): string {
  return `#!${shell}\nexec flowops data git-hook ${hook} $@\n`;
}

/** Python's `shutil.which("sh")` over `PATH`, or `/bin/sh` as scmrepo falls back. */
export function whichShell(path = process.env.PATH ?? ""): string {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "sh");
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; the next PATH entry.
    }
  }
  return "/bin/sh";
}

/** The Git worktree the repository lies in: the nearest directory at or above `dir` holding `.git`. */
export function gitRootOf(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export interface InstallResult {
  /** Hook files written (absolute), in dvc's order. */
  hooks: string[];
  /** With `usePreCommitTool`: the `.pre-commit-config.yaml` (absolute) and whether the entry was added. */
  preCommitConfig?: { path: string; added: boolean };
}

/**
 * `dvc install [--use-pre-commit-tool]` for `repo`: undefined when the repository is not in Git (dvc then
 * does nothing and succeeds). With `usePreCommitTool`, only the pre-commit tool's config changes.
 */
export async function installGitHooks(
  repo: Pick<DataRepo, "root" | "scm">,
  options: { usePreCommitTool?: boolean; shell?: string } = {},
): Promise<InstallResult | undefined> {
  const gitRoot = repo.scm ? gitRootOf(repo.root) : undefined;
  if (gitRoot === undefined) return undefined;
  if (options.usePreCommitTool === true) {
    return { hooks: [], preCommitConfig: await addPreCommitEntry(gitRoot) };
  }
  const hooksDir = join(gitRoot, ".git", "hooks");
  for (const hook of GIT_HOOKS) {
    if (existsSync(join(hooksDir, hook))) {
      throw new FlowOpsError(
        "RESOURCE_ALREADY_EXISTS",
        `failed to install DVC Git hooks - Hook '${hook}' already exists. ` +
          "Please refer to <https://man.dvc.org/install> for more info.",
      );
    }
  }
  await mkdir(hooksDir, { recursive: true });
  const shell = options.shell ?? whichShell();
  const hooks: string[] = [];
  for (const hook of GIT_HOOKS) {
    const file = join(hooksDir, hook);
    await writeFile(file, gitHookScript(hook, shell));
    // scmrepo chmods 0o777 after writing, so the umask does not apply.
    await chmod(file, 0o777);
    hooks.push(file);
  }
  return { hooks };
}

/**
 * dvc's `git-hook post-checkout`: check the data out only after a checkout of a branch or commit (Git's third
 * argument, or pre-commit's PRE_COMMIT_CHECKOUT_TYPE, is "1"), not of single files, and not in the middle of
 * a rebase, which a failing checkout could break. Git runs hooks at the worktree root, so `cwd` is it.
 */
export function postCheckoutWantsCheckout(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): boolean {
  const flag = env.PRE_COMMIT_CHECKOUT_TYPE ?? (args.length >= 3 ? args[2] : undefined);
  if (flag !== "1") return false;
  try {
    return !statSync(join(cwd, ".git", "rebase-merge")).isDirectory();
  } catch {
    return true;
  }
}
