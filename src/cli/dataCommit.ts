/**
 * `flowops data commit [targets...]`: dvc's `dvc commit`; the work is pipelines/commitOuts.ts. Prints nothing
 * but errors, as dvc, unless --json.
 */
import { Command } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { printJson } from "./output.js";
import { failingWith } from "./transferFailure.js";

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
      const committed = await withDataRepo(cwd, async (repo) => {
        const { commitOuts } = await import("../pipelines/commitOuts.js");
        const done: string[] = [];
        // As dvc's CmdCommit: one commit per target, in order, and the first that fails ends the command,
        // named in dvc's summary; what the targets before it committed stays committed.
        for (const target of targets.length === 0 ? [undefined] : targets) {
          const result = await failingWith(
            `failed to commit${target === undefined ? "" : ` ${target}`}`,
            () =>
              commitOuts(repo, target === undefined ? [] : [target], {
                cwd,
                ...(opts.force === true ? { force: true } : {}),
                ...(opts.withDeps === true ? { withDeps: true } : {}),
                ...(opts.recursive === true ? { recursive: true } : {}),
                ...(opts.relink === false ? { noRelink: true } : {}),
              }),
          );
          done.push(...result.committed);
        }
        return done;
      });
      // Silent otherwise, as dvc's commit is.
      if (opts.json === true) printJson({ committed });
    });
}
