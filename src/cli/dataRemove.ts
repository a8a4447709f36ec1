/** `flowops data remove` and `data unprotect` (dvc's `remove` and `unprotect`); the work is in src/data. */
import { Command } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { printJson } from "./output.js";

interface RemoveCliOptions {
  outs?: boolean;
  json?: boolean;
}

export function removeCommand(): Command {
  return new Command("remove")
    .alias("rm")
    .description(
      "Stop tracking files or directories (.dvc files) and remove stages from dvc.yaml and dvc.lock; " +
        "the data stays in the workspace unless --outs.",
    )
    .argument(
      "<targets...>",
      ".dvc files, or stages of dvc.yaml (name, dvc.yaml:name, or a dvc.yaml for all)",
    )
    .option("--outs", "delete the outputs from the workspace as well")
    .option("--json", "print what was removed as JSON")
    .action(async (targets: string[], opts: RemoveCliOptions) => {
      const cwd = process.cwd();
      const result = await withDataRepo(cwd, async (repo) =>
        (await import("../data/removeTargets.js")).removeTargets(repo, targets, {
          cwd,
          ...(opts.outs === true ? { outs: true } : {}),
          warn: (message) => process.stderr.write(`WARNING: ${message}\n`),
        }),
      );
      // dvc prints nothing when it succeeds.
      if (opts.json === true) printJson(result);
    });
}

export function unprotectCommand(): Command {
  return new Command("unprotect")
    .description(
      "Make tracked files or directories editable: hard links and symlinks into the cache become copies " +
        "(for cache.type hardlink or symlink).",
    )
    .argument("<targets...>", "data files or directories")
    .action(async (targets: string[]) => {
      const cwd = process.cwd();
      await withDataRepo(cwd, async () =>
        (await import("../data/unprotectOut.js")).unprotectTargets(cwd, targets),
      );
    });
}
