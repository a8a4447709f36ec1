/**
 * `flowops data add`: dvc's `add` options, checks and words. In place (`add data/`), the work is
 * data/addTargets.ts; from elsewhere (`add /mnt/raw -o data/raw`), data/addFromSource.ts.
 */
import { Command, Option } from "commander";
import { relative, sep } from "node:path";
import type { AddResult } from "../data/addTargets.js";
import { withDataRepo } from "../data/dataRepo.js";
import { invalidParameter } from "../errors.js";
import { reportFilesToTrack } from "./gitReminder.js";
import { printJson } from "./output.js";
import { positiveInteger } from "./numberOptions.js";
import { createProgress } from "./progressBar.js";

interface AddFlags {
  glob: boolean;
  commit: boolean;
  relink: boolean;
  out?: string;
  force?: boolean;
  toRemote?: boolean;
  remote?: string;
  remoteJobs?: number;
  json?: boolean;
}

const rel = (path: string): string => relative(process.cwd(), path).split(sep).join("/") || ".";

export function addCommand(): Command {
  return new Command("add")
    .description("Track files or directories: hash, store in the cache, write <target>.dvc and .gitignore.")
    .argument("<targets...>", "files or directories to track")
    .option(
      "--glob",
      "targets are shell-style patterns (data/*.csv, **/*.parquet), expanded as dvc does",
      false,
    )
    .option("--no-commit", "record the hashes without putting the data into the cache")
    .option("--no-relink", "copy into the cache and leave the workspace files as they are (any cache.type)")
    .addOption(
      new Option(
        "-o, --out <path>",
        "bring one target from elsewhere into the workspace at this path (a directory: under its own name)",
      ),
    )
    .option("-f, --force", "with --out: replace what is already at the destination")
    .option("--to-remote", "upload one target straight to the remote: only its .dvc file is written here")
    .option("-r, --remote <name>", "with --to-remote: the remote (default: core.remote)")
    .addOption(
      new Option("--remote-jobs <n>", "with --to-remote: uploads at once").argParser(positiveInteger),
    )
    .option("--json", "print machine-readable JSON", false)
    .action(async (patterns: string[], opts: AddFlags) => {
      refuseWithOut(patterns, opts);
      await withDataRepo(process.cwd(), async (repo) => {
        const sink = createProgress("Adding", undefined, { enabled: opts.json !== true, unit: "bytes" });
        const onProgress = (bytes: number): void => sink.advance(bytes);
        let results: AddResult[];
        try {
          if (opts.out !== undefined || opts.toRemote === true) {
            const { addFromSource } = await import("../data/addFromSource.js");
            results = [
              await addFromSource(repo, patterns[0]!, opts.out, {
                onProgress,
                ...(opts.force === true ? { force: true } : {}),
                ...(opts.toRemote === true
                  ? {
                      toRemote: {
                        ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
                        ...(opts.remoteJobs !== undefined ? { jobs: opts.remoteJobs } : {}),
                      },
                    }
                  : {}),
              }),
            ];
          } else {
            const targets = opts.glob
              ? await (await import("../data/pathGlob.js")).expandPathGlobs(process.cwd(), patterns)
              : patterns;
            results = await (
              await import("../data/addTargets.js")
            ).addTargets(repo, targets, {
              onProgress,
              ...(opts.commit ? {} : { noCommit: true }),
              ...(opts.relink ? {} : { noRelink: true }),
            });
          }
        } finally {
          sink.done();
        }
        if (opts.json === true) {
          return printJson(
            results.map((r) => ({
              path: rel(r.path),
              dvc_file: rel(r.dvcFile),
              ...r.hash,
              changed: r.changed,
              ...(r.gitignore !== undefined ? { gitignore: rel(r.gitignore) } : {}),
            })),
          );
        }
        const toStage = [
          ...new Set(results.flatMap((r) => [r.dvcFile, ...(r.gitignore ? [r.gitignore] : [])])),
        ];
        if (repo.scm && toStage.length > 0) {
          await reportFilesToTrack(repo, toStage.map(rel), process.cwd());
        } else {
          for (const r of results) process.stdout.write(`Added ${rel(r.path)} (${rel(r.dvcFile)})\n`);
        }
      });
    });
}

/** dvc's CmdAdd.validate_args for `--out` and `--to-remote`, word for word. */
function refuseWithOut(targets: readonly string[], opts: AddFlags): void {
  if (opts.out === undefined && opts.toRemote !== true) {
    const invalid =
      opts.remote !== undefined ? "--remote" : opts.remoteJobs !== undefined ? "--remote-jobs" : undefined;
    if (invalid !== undefined) throw invalidParameter(`${invalid} can't be used without --to-remote`);
    return;
  }
  const invalid =
    targets.length !== 1
      ? "multiple targets"
      : opts.glob
        ? "--glob option"
        : !opts.commit
          ? "--no-commit option"
          : undefined;
  const option = opts.toRemote === true ? "--to-remote" : "--out";
  if (invalid !== undefined) throw invalidParameter(`${invalid} can't be used with ${option}`);
}
