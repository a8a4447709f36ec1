/**
 * `flowops data git-hook <hook> [args...]`: what the hooks `data install` writes run, as dvc's `dvc git-hook`
 * (dvc/commands/git_hook.py): nothing outside a DVC project (a branch without `.dvc/`); else `data status`
 * before a commit, `data push` before a push, and `data checkout` after a branch checkout
 * (postCheckoutWantsCheckout). The command runs in this process and its exit code is the hook's.
 */
import { Command } from "commander";
import { findDataRepoRoot } from "../data/dataRepo.js";
import { GIT_HOOKS, postCheckoutWantsCheckout, type GitHookName } from "../data/gitHooks.js";

const HOOK_COMMANDS: Record<GitHookName, string> = {
  "pre-commit": "status",
  "pre-push": "push",
  "post-checkout": "checkout",
};

async function runHook(hook: GitHookName, args: readonly string[]): Promise<void> {
  if ((await findDataRepoRoot(process.cwd())) === undefined) return;
  if (hook === "post-checkout" && !postCheckoutWantsCheckout(args)) return;
  const { runCommandLine } = await import("./program.js");
  const data = async (): Promise<Command> => (await import("./data.js")).dataCommand();
  process.exitCode = await runCommandLine(["node", "flowops", "data", HOOK_COMMANDS[hook]], [["data", data]]);
}

export function gitHookCommand(): Command {
  const command = new Command("git-hook").description(
    "Run a Git hook that `flowops data install` installed (as dvc git-hook).",
  );
  for (const hook of GIT_HOOKS) {
    command.addCommand(
      new Command(hook)
        .description(`Run the ${hook} Git hook.`)
        .argument("[args...]", "the arguments Git or the pre-commit tool passes")
        .allowUnknownOption()
        .action((args: string[]) => runHook(hook, args)),
    );
  }
  return command;
}
