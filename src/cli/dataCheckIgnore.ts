/**
 * `flowops data check-ignore` (dvc's `check-ignore`): prints the targets `.dvcignore` excludes, or with
 * `--details` the rule that decided each one. Exit 0 when any target matched, 1 when none did, as dvc; the
 * work is data/ignoreCheck.ts.
 */
import { Command } from "commander";
import { createInterface } from "node:readline";
import { withDataRepo } from "../data/dataRepo.js";
import { checkIgnore, describePattern, type CheckIgnoreResult } from "../data/ignoreCheck.js";
import { invalidParameter } from "../errors.js";
import { DVC_EXIT } from "./dvcExitCodes.js";

interface CheckIgnoreFlags {
  details: boolean;
  all: boolean;
  nonMatching: boolean;
  stdin: boolean;
  quiet?: boolean;
}

export function checkIgnoreCommand(): Command {
  return new Command("check-ignore")
    .description("Check whether files or directories are excluded due to `.dvcignore`.")
    .argument("[targets...]", "file or directory paths to check")
    .option("-d, --details", "show the exclude patterns along with each target path", false)
    .option("-a, --all", "with --details: every pattern that matched, not only the last", false)
    .option("-n, --non-matching", "with --details: also the targets no pattern matches", false)
    .option("--stdin", "read paths from standard input instead of providing targets", false)
    .action(async (targets: string[], opts: CheckIgnoreFlags) => {
      refuseOptions(targets, opts);
      const cwd = process.cwd();
      const matched = await withDataRepo(cwd, async (repo) => {
        // -q (added to every dvc command) silences stdout; the exit code still answers.
        const show = (result: CheckIgnoreResult): boolean => showResult(result, opts);
        if (!opts.stdin) return checkIgnore(repo.root, targets, cwd).map(show).some(Boolean);
        // dvc's interactive mode: one path per line, until an empty line or the end of input.
        let any = false;
        for await (const line of createInterface({ input: process.stdin })) {
          if (line === "") break;
          if (checkIgnore(repo.root, [line], cwd).map(show).some(Boolean)) any = true;
        }
        return any;
      });
      if (!matched) process.exitCode = DVC_EXIT.failed;
    });
}

/** dvc's `_show_results`: whether the target counts as matched for the exit code. */
function showResult(result: CheckIgnoreResult, opts: CheckIgnoreFlags): boolean {
  if (!result.match && !opts.details) return false;
  if (opts.details) {
    let patterns = result.patterns.map(describePattern);
    if (patterns.length === 0 && opts.nonMatching) patterns = ["::"];
    if (!opts.all) patterns = patterns.slice(-1);
    for (const pattern of patterns) process.stdout.write(`${pattern}\t${result.file}\n`);
  } else process.stdout.write(`${result.file}\n`);
  return result.patterns.length > 0;
}

/** dvc's `_check_args`, word for word. */
function refuseOptions(targets: readonly string[], opts: CheckIgnoreFlags): void {
  if (!opts.stdin && targets.length === 0) throw invalidParameter("`targets` or `--stdin` needed");
  if (opts.stdin && targets.length > 0) throw invalidParameter("cannot have both `targets` and `--stdin`");
  if (opts.nonMatching && !opts.details)
    throw invalidParameter("`--non-matching` is only valid with `--details`");
  if (opts.all && !opts.details) throw invalidParameter("`--all` is only valid with `--details`");
  if (opts.quiet === true && opts.details)
    throw invalidParameter("cannot use both `--details` and `--quiet`");
}
