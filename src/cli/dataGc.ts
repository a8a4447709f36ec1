/**
 * `flowops data gc`: dvc's `gc` options and prompt, its warning and its report, word for word. The work is
 * data/garbageCollect.ts, loaded on use.
 */
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import type { GcResult } from "../data/garbageCollect.js";
import { confirmLikeDvc } from "./dvcConfirm.js";
import { DVC_EXIT } from "./dvcExitCodes.js";
import { printJson } from "./output.js";
import { positiveInteger } from "./numberOptions.js";
import { warnUnversionedForGc } from "./unversionedOutsWarning.js";

const collector = () => import("../data/garbageCollect.js");

interface GcFlags {
  workspace?: boolean;
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  rev?: string;
  num?: number;
  date?: string;
  allExperiments?: boolean;
  notInRemote?: boolean;
  skipFailed?: boolean;
  projects?: string[];
  cloud?: boolean;
  remote?: string;
  dry?: boolean;
  force?: boolean;
  jobs?: number;
  json?: boolean;
}

export function gcCommand(): Command {
  return new Command("gc")
    .description("Remove cache objects that the workspace (and optionally git history) does not use.")
    .option("-w, --workspace", "keep objects used in the workspace")
    .option("-a, --all-branches", "also keep objects used in the tip of every branch")
    .option("-T, --all-tags", "also keep objects used in every tag")
    .option("-A, --all-commits", "also keep objects used in every commit")
    .option("--rev <commit>", "also keep objects used in this commit")
    .addOption(
      new Option(
        "-n, --num <num>",
        "with --rev or -a: also the commits before each, this many in all (default 1)",
      ).argParser(positiveInteger),
    )
    .option("--date <yyyy-mm-dd>", "also keep objects used in every commit made on or after this day")
    .option("--all-experiments", "also keep objects used in dvc's experiments (refs/exps)")
    .option("--not-in-remote", "keep only the used objects the remote lacks (the rest can be pulled again)")
    .option(
      "--skip-failed",
      "skip a git revision whose .dvc files or dvc.lock cannot be read, with a warning",
    )
    .option("-p, --projects <paths...>", "also keep what these repositories (sharing this cache) use")
    .option("-c, --cloud", "also remove unused objects from the remote")
    .option(
      "-r, --remote <name>",
      "remote to clean with --cloud or check with --not-in-remote (default: core.remote)",
    )
    .option("--dry", "only report what would be removed")
    .option("-f, --force", "do not ask for confirmation")
    .addOption(new Option("-j, --jobs <n>", "remote deletions at once").argParser(positiveInteger))
    .option("--json", "print a JSON summary")
    .action(async (flags: GcFlags) => {
      const { gc, validateGcOptions } = await collector();
      const { checkGcProjects } = await import("../data/gcProjects.js");
      const options = {
        ...(flags.workspace === true ? { workspace: true } : {}),
        ...(flags.allBranches === true ? { allBranches: true } : {}),
        ...(flags.allTags === true ? { allTags: true } : {}),
        ...(flags.allCommits === true ? { allCommits: true } : {}),
        ...(flags.rev !== undefined ? { rev: flags.rev } : {}),
        ...(flags.num !== undefined ? { num: flags.num } : {}),
        ...(flags.date !== undefined ? { commitDate: flags.date } : {}),
        ...(flags.allExperiments === true ? { allExperiments: true } : {}),
        ...(flags.notInRemote === true ? { notInRemote: true } : {}),
        ...(flags.projects !== undefined ? { projects: flags.projects } : {}),
        ...(flags.skipFailed === true
          ? {
              skipFailed: true,
              // dvc's used_objs wording, capital F (push and fetch collect elsewhere, in lower case).
              onSkipped: (revision: string) =>
                process.stderr.write(`WARNING: Failed to collect '${revision}', skipping\n`),
            }
          : {}),
        ...(flags.cloud === true ? { cloud: true } : {}),
        ...(flags.remote !== undefined ? { remote: flags.remote } : {}),
        ...(flags.dry === true ? { dryRun: true } : {}),
        ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
      };
      // dvc opens the repository (and its config) first, then validates, warns and asks: a damaged config or
      // no repository fails before the warning.
      const result = await withDataRepo(process.cwd(), async (repo) => {
        validateGcOptions(options);
        if (flags.json !== true) process.stderr.write(`WARNING: ${gcWarning(flags)}\n`);
        // dvc's gc, refused (or given no answer), stops without an error line and exits 1.
        if (flags.force !== true && flags.dry !== true && !(await confirmLikeDvc(GC_STATEMENT))) {
          process.exitCode = DVC_EXIT.failed;
          return undefined;
        }
        // dvc opens every project before it collects: one it cannot open fails before any warning of this repo.
        const projects = await checkGcProjects(flags.projects ?? [], process.cwd(), repo.root);
        await warnUnversionedForGc(repo, options, projects);
        return gc(repo, { ...options, ...(flags.projects !== undefined ? { projects } : {}) });
      });
      if (result === undefined) return;
      if (flags.json === true) printJson(result);
      else printGc(result);
    });
}

function gcWarning(flags: GcFlags): string {
  // dvc's CmdGC wording, branch for branch.
  const num = flags.num ?? (flags.rev !== undefined ? 1 : undefined);
  let kept = "the workspace";
  if (flags.allCommits === true) kept += " and all git commits";
  else {
    const lastOfBranches = num !== undefined ? ` and last ${num} commits from all git branches` : undefined;
    if (flags.allBranches === true && flags.allTags === true)
      kept +=
        lastOfBranches !== undefined
          ? `${lastOfBranches} and all git tags`
          : " and all git branches and tags";
    else if (flags.allBranches === true) kept += lastOfBranches ?? " and all git branches";
    else if (flags.allTags === true) kept += " and all git tags";
    if (flags.date !== undefined) kept += ` and all git commits before date ${flags.date}`;
    if (flags.rev !== undefined) kept += ` and last ${num ?? 1} commits from ${flags.rev}`;
  }
  if (flags.allExperiments === true) kept += " and all experiments";
  if (flags.notInRemote === true) kept += " that are not present in the DVC remote";
  const projects = flags.projects ?? [];
  const of =
    projects.length > 0
      ? ` of the current and the following repos:${projects.map((path) => `\n  - ${resolve(path)}`).join("")}`
      : " of the current repo.";
  return `This will remove all cache except items used in ${kept}${of}`;
}

const GC_STATEMENT = "Are you sure you want to proceed?";

function printGc(result: GcResult): void {
  for (const dir of result.unexpanded) {
    process.stderr.write(
      `WARNING: the manifest of '${dir.path}' (md5: ${dir.oid}, ${dir.dvcFile}) is not in the cache; its files are not protected\n`,
    );
  }
  // As dvc: --dry names each file and still says "Removed"; each cache layout gets its own line.
  const report = (paths: readonly string[], removed: string, none: string): void => {
    if (result.dryRun) for (const path of paths) process.stdout.write(`Removing ${path}\n`);
    process.stdout.write(`${paths.length > 0 ? removed.replace("%d", String(paths.length)) : none}\n`);
  };
  for (const scheme of ["repo", "legacy"] as const) {
    report(
      result.removedPaths[scheme],
      `Removed %d objects from ${scheme} cache.`,
      `No unused '${scheme}' cache to remove.`,
    );
  }
  if (result.cloudRemovedPaths === undefined) return;
  report(
    result.cloudRemovedPaths,
    "Removed %d objects from remote.",
    "No unused cache to remove from remote.",
  );
}
