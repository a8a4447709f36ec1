/** `flowops data commit [targets...]`: dvc's `dvc commit`; the work is pipelines/commitOuts.ts. */
import { Command } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { printJson } from "./output.js";

interface CommitCliOptions {
  force?: boolean;
  withDeps?: boolean;
  recursive?: boolean;
  relink?: boolean;
  json?: boolean;
}

export function commitCommand(): Command {
  return new Command("commit")
    .description(
      "Record outputs as they are now and put them into the cache (after --no-commit, or edits by hand).",
    )
    .argument("[targets...]", ".dvc files, stage names or tracked paths (default: everything tracked)")
    .option("-f, --force", "also commit outputs, deps or commands that changed since they were recorded")
    .option("-d, --with-deps", "also the stages the targets depend on")
    .option("-R, --recursive", "a directory target means every stage and .dvc file inside it")
    .option("--no-relink", "copy into the cache and leave the workspace files as they are (any cache.type)")
    .option("--json", "print what was committed as JSON")
    .action(async (targets: string[], opts: CommitCliOptions) => {
      const cwd = process.cwd();
      const result = await withDataRepo(cwd, async (repo) =>
        (await import("../pipelines/commitOuts.js")).commitOuts(repo, targets, {
          cwd,
          ...(opts.force === true ? { force: true } : {}),
          ...(opts.withDeps === true ? { withDeps: true } : {}),
          ...(opts.recursive === true ? { recursive: true } : {}),
          ...(opts.relink === false ? { noRelink: true } : {}),
        }),
      );
      if (opts.json === true) printJson(result);
      else for (const name of result.committed) process.stdout.write(`Committed ${name}\n`);
    });
}
