/** `flowops data root`: dvc's `dvc root`, the project root relative to the working directory (`.`, `../..`). */
import { Command } from "commander";
import { relativeDataRepoRoot } from "../data/repoRoot.js";
import { printJson } from "./output.js";

export function rootCommand(): Command {
  return new Command("root")
    .description("Print the relative path to the root of the DVC project.")
    .option("--json", 'print the path as JSON ({"root": ...})', false)
    .action(async (opts: { json: boolean }) => {
      const root = await relativeDataRepoRoot(process.cwd());
      if (opts.json) return printJson({ root });
      process.stdout.write(`${root}\n`);
    });
}
