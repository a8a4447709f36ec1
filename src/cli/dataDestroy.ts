/**
 * `flowops data destroy [-f]`: dvc's `dvc destroy` (data/destroyRepo.ts): asks first, as dvc does, unless -f;
 * prints nothing when done.
 */
import { Command } from "commander";
import { FlowOpsError } from "../errors.js";
import { DESTROY_STATEMENT, destroyDataRepo } from "../data/destroyRepo.js";
import { requireDataRepoRoot } from "../data/repoRoot.js";
import { confirmLikeDvc } from "./dvcConfirm.js";

export function destroyCommand(): Command {
  return new Command("destroy")
    .description(
      "Remove .dvc files, dvc.yaml and dvc.lock files, .dvcignore and .dvc/ (its cache included); tracked data " +
        "stays in the workspace as plain files.",
    )
    .option("-f, --force", "do not ask for confirmation", false)
    .action(async (opts: { force: boolean }) => {
      const cwd = process.cwd();
      // dvc opens the repository before it asks: outside one it fails first (exit 253).
      await requireDataRepoRoot(cwd);
      if (!opts.force && !(await confirmLikeDvc(DESTROY_STATEMENT))) {
        throw new FlowOpsError(
          "ABORTED",
          "failed to destroy DVC - cannot destroy without a confirmation from the user. Use `-f` to force.",
        );
      }
      await destroyDataRepo(cwd);
    });
}
