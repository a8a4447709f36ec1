/** `flowops data freeze` and `data unfreeze` (dvc's `freeze` and `unfreeze`); the work is pipelines/freezeStages.ts. */
import { Command } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { DVC_EXIT } from "./dvcExitCodes.js";
import { printJson } from "./output.js";

export function freezeCommand(frozen: boolean): Command {
  const verb = frozen ? "freeze" : "unfreeze";
  return new Command(verb)
    .description(
      frozen
        ? "Freeze stages or .dvc files: repro skips a frozen stage and does not check its deps."
        : "Unfreeze stages or .dvc files.",
    )
    .argument("<targets...>", `stages (name or dvc.yaml:name) or .dvc files to ${verb}`)
    .option("--json", "print each target's outcome as JSON")
    .action(async (targets: string[], opts: { json?: boolean }) => {
      const cwd = process.cwd();
      const outcomes = await withDataRepo(cwd, async (repo) =>
        (await import("../pipelines/freezeStages.js")).setFrozen(targets, frozen, {
          cwd,
          root: repo.root,
          scm: repo.scm,
          ...(opts.json === true ? {} : { onModified: (line: string) => process.stdout.write(`${line}\n`) }),
          warn: (message) => process.stderr.write(`WARNING: ${message}\n`),
        }),
      );
      if (opts.json === true) printJson(outcomes);
      else {
        for (const { target, error } of outcomes) {
          if (error !== undefined) process.stderr.write(`ERROR: failed to ${verb} '${target}' - ${error}\n`);
        }
      }
      // dvc goes on after a bad target and exits 1 at the end.
      if (outcomes.some((outcome) => outcome.error !== undefined)) process.exitCode = DVC_EXIT.failed;
    });
}
