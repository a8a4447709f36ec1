/** `flowops data move` (dvc's `move`); the work is data/moveTracked.ts. */
import { Command } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { printJson } from "./output.js";
import { reportFilesToTrack } from "./gitReminder.js";

export function moveCommand(): Command {
  return new Command("move")
    .alias("mv")
    .description(
      "Rename a tracked file or directory and its .dvc file, keeping .gitignore in step (outputs added with `data add`).",
    )
    .argument("<src>", "the tracked file or directory")
    .argument("<dst>", "its new path, or an existing directory to move it into")
    .option("--json", "print where it went as JSON")
    .action(async (src: string, dst: string, opts: { json?: boolean }) => {
      const cwd = process.cwd();
      const result = await withDataRepo(cwd, async (repo) => {
        try {
          const moved = await (
            await import("../data/moveTracked.js")
          ).moveTracked(repo, src, dst, {
            cwd,
            warn: (message) => process.stderr.write(`WARNING: ${message}\n`),
          });
          await reportFilesToTrack(repo, opts.json === true ? [] : moved.toTrack, cwd);
          return moved;
        } catch (error) {
          if (!(error instanceof FlowOpsError)) throw error;
          // dvc's CmdMove reports every failure this way.
          throw new FlowOpsError(error.code, `failed to move '${src}' -> '${dst}' - ${error.message}`, {
            cause: error,
          });
        }
      });
      if (opts.json === true) printJson(result);
    });
}
