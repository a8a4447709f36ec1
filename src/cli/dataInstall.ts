/**
 * `flowops data install [--use-pre-commit-tool]`: dvc's `dvc install` (data/gitHooks.ts). Silent, as dvc,
 * unless --json.
 */
import { Command } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { installGitHooks } from "../data/gitHooks.js";
import { requireDataRepoRoot } from "../data/repoRoot.js";
import { printJson } from "./output.js";

export function installCommand(): Command {
  return new Command("install")
    .description(
      "Install Git hooks that run `flowops data checkout` after a checkout, `data status` before a commit " +
        "and `data push` before a push.",
    )
    .option(
      "--use-pre-commit-tool",
      "add the hooks to .pre-commit-config.yaml for the pre-commit tool (https://pre-commit.com) instead",
      false,
    )
    .option("--json", "print what was written as JSON", false)
    .action(async (opts: { usePreCommitTool: boolean; json: boolean }) => {
      const cwd = process.cwd();
      await requireDataRepoRoot(cwd);
      const result = await withDataRepo(cwd, (repo) =>
        installGitHooks(repo, { usePreCommitTool: opts.usePreCommitTool }),
      );
      if (opts.json) printJson(result ?? { hooks: [] });
    });
}
