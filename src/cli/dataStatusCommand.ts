/**
 * `flowops data status`: what changed in the workspace (outs and stages, as `dvc status`), or with `--cloud` /
 * `-r` what differs between the cache and a remote (as `dvc status -c`). Parsing and printing only: the
 * answers come from data/dataStatus.ts, pipelines/pipelineStatus.ts and data/cloudStatus.ts, loaded on use.
 */
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { printDvcJson } from "./output.js";
import { positiveInteger } from "./numberOptions.js";
import type { UnversionedOut } from "../data/unversionedOuts.js";
import { printUnversioned } from "./unversionedOutsWarning.js";

interface StatusFlags {
  json?: boolean;
  quiet: boolean;
  withDeps: boolean;
  recursive: boolean;
  cloud: boolean;
  remote?: string;
  jobs?: number;
  /** False with --no-updates (commander's negated option). */
  updates?: boolean;
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
}

export function statusCommand(): Command {
  return new Command("status")
    .description(
      "Show tracked outputs and pipeline stages that changed: modified, deleted, new or not in cache, changed deps, outs or command (exit 0 either way, unless --quiet).",
    )
    .argument(
      "[targets...]",
      "stage names (train, sub/dvc.yaml:train), dvc.yaml or .dvc files, or output paths (default: all)",
    )
    .option("-d, --with-deps", "also show the stages the targets depend on", false)
    .option(
      "-R, --recursive",
      "a directory target selects every stage and .dvc file inside it, at any depth",
      false,
    )
    .option(
      "-c, --cloud",
      "compare the cache with the default remote instead: new (only in the cache), deleted (only in the remote), missing (in neither)",
      false,
    )
    .option("-r, --remote <name>", "compare the cache with this remote (implies --cloud)")
    .option("--no-updates", "do not ask the repositories of frozen imports (data import) for newer commits")
    .option("-a, --all-branches", "with --cloud: also the data of the tip of every branch")
    .option("-T, --all-tags", "with --cloud: also the data of every tag")
    .option("-A, --all-commits", "with --cloud: also the data of every commit")
    .addOption(
      new Option(
        "-j, --jobs <n>",
        "remote checks at once with --cloud (default: remote jobs, else 4 x cores)",
      ).argParser(positiveInteger),
    )
    .option(
      "-q, --quiet",
      "print nothing; exit 1 when something is listed, 0 when nothing is (as dvc status -q)",
      false,
    )
    .option("--json", "print machine-readable JSON", false)
    .action(async (targets: string[], opts: StatusFlags) => {
      // As in dvc, --json with --quiet prints nothing (dvc's quiet silences all output) and exits 0.
      const quietly = (changed: boolean): void => {
        if (changed) process.exitCode = 1;
      };
      await withDataRepo(process.cwd(), async (repo) => {
        if (opts.cloud || opts.remote !== undefined) {
          const { cloudStatus, formatCloudStatus } = await import("../data/cloudStatus.js");
          const history = {
            allBranches: opts.allBranches === true,
            allTags: opts.allTags === true,
            allCommits: opts.allCommits === true,
          };
          const status = await cloudStatus(repo, targets, {
            ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
            ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
            history,
            recursive: opts.recursive,
            // dvc warns while it collects, before it opens the remote; --quiet silences its warnings.
            ...(opts.quiet
              ? {}
              : { onUnversioned: (outs: UnversionedOut[]) => printUnversioned(outs, repo.root) }),
          });
          if (status.unknownDirs.length > 0 && !opts.quiet) {
            process.stderr.write(
              "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\n" +
                status.unknownDirs.map((oid) => `name: None, md5: ${oid}\n`).join(""),
            );
          }
          if (opts.json === true) return opts.quiet ? undefined : printDvcJson(status.entries);
          if (opts.quiet) return quietly(Object.keys(status.entries).length > 0);
          process.stdout.write(formatCloudStatus(status, { indent: opts.cloud }));
          return;
        }
        refuseCloudOnlyOptions(opts);
        const { pipelineStatus, pipelineStatusJson, formatPipelineStatus } =
          await import("../pipelines/pipelineStatus.js");
        const { dataStatus, formatStatus, statusJson, EMPTY_PROJECT_MESSAGE } =
          await import("../data/dataStatus.js");
        // With targets, pipelineStatus answers for `.dvc` files too, in the targets' order, as dvc does.
        let dvcFiles: number | undefined;
        const frozenDvcFiles: string[] = [];
        const entries =
          targets.length === 0
            ? await dataStatus(repo, [], {
                onDvcFiles: (count) => (dvcFiles = count),
                onFrozen: (dvcFile) => frozenDvcFiles.push(dvcFile),
                checkUpdates: opts.updates !== false,
              })
            : [];
        const pipeline = await pipelineStatus(repo, {
          targets,
          withDeps: opts.withDeps,
          recursive: opts.recursive,
          cwd: process.cwd(),
          checkUpdates: opts.updates !== false,
        });
        // dvc warns before it prints, with --json too.
        if (!opts.quiet) {
          const frozen = [...pipeline.frozen, ...frozenDvcFiles];
          for (const stage of targets.length === 0 ? await inWalkOrder(repo.root, frozen) : frozen) {
            process.stderr.write(
              `WARNING: stage: '${stage}' is frozen. Its dependencies are not going to be shown in the status output.\n`,
            );
          }
        }
        if (opts.json === true) {
          if (opts.quiet) return undefined;
          const json = { ...statusJson(entries), ...pipelineStatusJson(pipeline) };
          if (targets.length > 0) return printDvcJson(json);
          const keys = await inWalkOrder(repo.root, Object.keys(json));
          return printDvcJson(Object.fromEntries(keys.map((key) => [key, json[key]])));
        }
        if (opts.quiet) return quietly(entries.length > 0 || pipeline.stages.length > 0);
        if (
          entries.length === 0 &&
          pipeline.stages.length === 0 &&
          dvcFiles === 0 &&
          pipeline.defined === 0
        ) {
          process.stdout.write(EMPTY_PROJECT_MESSAGE);
          return;
        }
        if (entries.length === 0 && pipeline.stages.length === 0) {
          process.stdout.write(formatStatus([]));
          return;
        }
        // With targets, pipelineStatus already answers for both, in the targets' order.
        const blocks = new Map<string, string>([
          ...entries.map((entry): [string, string] => [entry.dvcFile, formatStatus([entry])]),
          ...pipeline.stages.map((stage): [string, string] => [
            stage.stage,
            formatPipelineStatus({ ...pipeline, stages: [stage] }),
          ]),
        ]);
        const keys =
          targets.length === 0 ? await inWalkOrder(repo.root, [...blocks.keys()]) : [...blocks.keys()];
        process.stdout.write(keys.map((key) => blocks.get(key)!).join(""));
      });
    });
}

/**
 * Status keys (`.dvc` files and stage addresses, named from the cwd) in the order dvc's index collects what
 * defines them; a stage address without a file part is a stage of the cwd's dvc.yaml.
 */
async function inWalkOrder(root: string, keys: readonly string[]): Promise<string[]> {
  const { sortByWalkOrder } = await import("../data/statusWalkOrder.js");
  const cwd = process.cwd();
  const fileOf = (key: string): string => {
    if (key.endsWith(".dvc")) return resolve(cwd, key);
    const colon = key.lastIndexOf(":");
    return resolve(cwd, colon === -1 ? "dvc.yaml" : key.slice(0, colon));
  };
  return sortByWalkOrder(root, keys, fileOf);
}

/** dvc's error for the options that only mean something with --cloud (dvc/repo/status.py `status`). */
function refuseCloudOnlyOptions(opts: StatusFlags): void {
  const given = [
    ["--all-branches", opts.allBranches],
    ["--all-tags", opts.allTags],
    ["--all-commits", opts.allCommits],
    ["--jobs", opts.jobs !== undefined],
  ]
    .filter(([, set]) => set === true)
    .map(([flag]) => flag as string);
  if (given.length > 0) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `The following options are meaningless for local status: ${given.join(", ")}`,
    );
  }
}
