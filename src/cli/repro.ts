/**
 * `flowops repro [targets...]`: DVC's `dvc repro`, with parallel stages (`-j`), retries, timeouts, GPU
 * leases (flowops.yaml) and optional tracking of each stage as a nested MLflow run. Stage output streams
 * with a `[stage]` prefix (to stderr with --json, so stdout holds only the JSON). A failure ends it as dvc's
 * does (exit 255, the cause on stderr; -v adds the stage's log); with --ignore-errors it is a warning, exit 0.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { closeDataRepo, openDataRepo } from "../data/dataRepo.js";
import { cwdStageAddress, type Pipeline } from "../pipelines/dvcYaml.js";
import { readPipelines, readPipelinesOrTrackedFiles } from "../pipelines/pipelineFiles.js";
import { checkTargetPipelineFiles, gitIgnoreOf } from "../pipelines/gitIgnoredPipelineFiles.js";
import { checkReproTargetFilesExist } from "../pipelines/reproTargetFiles.js";
import { repro, type ReproResult } from "../pipelines/repro.js";
import type { ReproPull, ReproPullOptions } from "../pipelines/reproPull.js";
import type { StageChange } from "../pipelines/stageStatus.js";
import { reportFilesToTrack } from "./gitReminder.js";
import { DVC_EXIT } from "./dvcExitCodes.js";
import { reportedPipelineLoadFailure } from "./pipelineLoadError.js";
import { printJson } from "./output.js";
import { printSummary } from "./reproSummary.js";
import { reproConfirmation } from "./reproConfirmation.js";
import { progressStream, relativeTo, reproPrinter } from "./reproProgress.js";
import { ReproStageBreaks } from "./reproStageBreaks.js";
import { nonNegativeInteger, positiveSeconds } from "./numberOptions.js";

interface ReproCliOptions {
  jobs: number;
  force?: boolean;
  keepGoing?: boolean;
  ignoreErrors?: boolean;
  singleItem?: boolean;
  pipeline?: boolean;
  allPipelines?: boolean;
  recursive?: boolean;
  downstream?: boolean;
  glob?: boolean;
  interactive?: boolean;
  commit: boolean;
  quiet?: boolean;
  verbose?: boolean;
  forceDownstream?: boolean;
  allowMissing?: boolean;
  dry?: boolean;
  pull?: boolean;
  retries?: number;
  runCache: boolean;
  timeout?: number;
  trackingUri?: string;
  experiment?: string;
  json?: boolean;
}

export function reproCommand(): Command {
  return new Command("repro")
    .description("Reproduce a DVC pipeline: run the stages whose deps, params, command or outs changed.")
    .argument(
      "[targets...]",
      "stages to reproduce, with their upstream stages (default: those of the dvc.yaml in the cwd)",
    )
    .addOption(
      new Option("-j, --jobs <n>", "stages run at once").default(1).argParser((v) => {
        const n = nonNegativeInteger(v);
        if (n === 0) throw new InvalidArgumentError("--jobs must be at least 1.");
        return n;
      }),
    )
    .option("-f, --force", "run every planned stage even if nothing changed (skips the run-cache)")
    .option("-s, --single-item", "only the targets, in the order given, not their upstream stages")
    .option("-i, --interactive", "ask before reproducing each changed stage")
    .addOption(
      new Option(
        "-k, --keep-going",
        "after a stage fails, still run the stages that do not depend on it",
      ).conflicts("ignoreErrors"),
    )
    .option("--ignore-errors", "a failed stage stops nothing, not even its dependants; exit 0")
    .option("-p, --pipeline", "every stage of the pipelines the targets belong to")
    .option("-P, --all-pipelines", "every stage of every dvc.yaml in the repo; targets are ignored")
    .option("-R, --recursive", "a target that is a directory means every stage defined inside it")
    .option("--downstream", "the targets and the stages that depend on them, not what they depend on")
    .option("--glob", "target names are shell-style patterns (train-*, dir/dvc.yaml:eval?)")
    .option("--force-downstream", "also run every stage downstream of one that runs")
    .option("--allow-missing", "skip stages whose only changes are data missing from the workspace")
    .option("--dry", "print what would run; change nothing")
    .option(
      "--pull",
      "fetch missing deps, outs of otherwise unchanged stages and the run-cache from the remote",
    )
    .option(
      "--retries <n>",
      "extra attempts for a failing stage (flowops.yaml retries win)",
      nonNegativeInteger,
    )
    .option("--no-run-cache", "do not restore outputs from the run-cache")
    .option("--no-commit", "record outs in dvc.lock without putting them into the cache")
    .option("--timeout <seconds>", "time limit per stage (flowops.yaml timeout wins)", positiveSeconds)
    .option(
      "--tracking-uri <uri>",
      "record the run in this tracking server (default $MLFLOW_TRACKING_URI; when neither is set, or with " +
        "--tracking-uri '', nothing is tracked)",
    )
    .option(
      "--experiment <name>",
      "experiment for the tracked runs (default $MLFLOW_EXPERIMENT_NAME, then Default)",
    )
    .option("--json", "print the result as JSON")
    .addOption(new Option("-q, --quiet", "print only errors and the stages' own output").conflicts("verbose"))
    .option("-v, --verbose", "also print why each stage runs")
    .action(async (targets: string[], opts: ReproCliOptions) => {
      const cwd = process.cwd();
      const repo = await openDataRepo(cwd);
      const controller = new AbortController();
      // SIGTERM too (a CI job cancelled, `timeout`, systemd): the stages run in process groups of their own, so
      // they would outlive this process unless it stops them.
      const onSigint = (): void => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSigint);
      process.once("SIGTERM", onSigint);
      try {
        // Tracking (the HTTP client, dataset lineage) and --pull (remotes) load only when asked for: a no-op
        // repro is judged against dvc by its start-up time.
        const wantsTracking = (opts.trackingUri ?? process.env.MLFLOW_TRACKING_URI ?? "") !== "";
        const tracking =
          opts.dry || !wantsTracking
            ? undefined
            : (await import("../pipelines/reproTracking.js")).reproTrackingFor(repo.root, opts);
        const pulling = opts.pull === true ? await import("../pipelines/reproPull.js") : undefined;
        // dvc's -q leaves only critical messages: its warnings go too.
        const onWarning = (message: string): void => {
          if (opts.quiet !== true) process.stderr.write(`WARNING: ${message}\n`);
        };
        // DVC pulls the run-cache before planning, whenever --pull is given and the run-cache is in use.
        if (pulling !== undefined && opts.runCache) {
          try {
            await pulling.pullRunCache(repo);
          } catch (error) {
            onWarning(`Failed to pull run cache: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        // -R's directories are collected from the index (dvc's `collect_inside_path`), not loaded as files.
        const fileTargets =
          opts.recursive === true ? targets.filter((target) => !isDirectory(cwd, target)) : targets;
        // As dvc: `.dvc` targets (imports) and -R's directories reproduce without any dvc.yaml; anything
        // else needs one.
        const onlyDvcFiles = targets.length > 0 && fileTargets.every((target) => target.endsWith(".dvc"));
        // dvc loads the targets' dvc.yaml files before its index (-P goes to the index); both judge by one set
        // of Git rules, read once. No target at all is the cwd's dvc.yaml, -R or not.
        const walked = { root: repo.root, ignore: repo.ignore, scm: repo.scm, gitIgnore: gitIgnoreOf(repo) };
        if (!opts.allPipelines && (targets.length === 0 || fileTargets.length > 0)) {
          if (opts.glob !== true) checkReproTargetFilesExist(cwd, fileTargets);
          checkTargetPipelineFiles(walked, cwd, fileTargets);
        }
        let pipeline: Pipeline;
        try {
          pipeline = onlyDvcFiles ? await readPipelinesOrTrackedFiles(walked) : await readPipelines(walked);
        } catch (error) {
          if (reportedPipelineLoadFailure(error, cwd)) return;
          throw error;
        }
        const named = cwdNames(pipeline, cwd);
        // Shared by the progress lines and --pull's announcements, which both open a stage's lines.
        const breaks = new ReproStageBreaks(progressStream(opts), opts.quiet === true);
        const result = await repro(repo, {
          // As dvc: targets are relative to the cwd, whose dvc.yaml is the default; --all-pipelines wins.
          ...(opts.allPipelines ? {} : { targets, cwd }),
          pipeline,
          jobs: opts.jobs,
          runCache: opts.runCache,
          signal: controller.signal,
          onEvent: reproPrinter(opts, named, breaks),
          ...(opts.keepGoing ? { keepGoing: true } : {}),
          ...(opts.ignoreErrors ? { ignoreErrors: true } : {}),
          ...(opts.pipeline ? { wholePipeline: true } : {}),
          ...(opts.recursive ? { recursive: true } : {}),
          ...(opts.downstream ? { downstream: true } : {}),
          ...(opts.glob ? { glob: true } : {}),
          ...(opts.commit ? {} : { noCommit: true }),
          ...(opts.interactive
            ? {
                confirm: reproConfirmation(named, opts.allPipelines === true ? repo.root : cwd, (name) => {
                  if (isAbsolute(name)) breaks.beginDataSource(name);
                  else breaks.beginStage(name);
                }),
              }
            : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.singleItem ? { singleItem: true } : {}),
          ...(opts.forceDownstream ? { forceDownstream: true } : {}),
          ...(opts.allowMissing ? { allowMissing: true } : {}),
          ...(opts.dry ? { dry: true } : {}),
          ...(pulling !== undefined
            ? {
                pull: announcingPulls(
                  pulling.reproPull(repo, {
                    cwd,
                    runCache: opts.runCache,
                    onWarning,
                    ...(await pullReporters(opts, named)),
                    onTransferError: (line) => process.stderr.write(`${line}\n`),
                  }),
                  opts,
                  named,
                  breaks,
                  // The data sources' names are relative to the cwd, or to the root with -P (no cwd given).
                  opts.allPipelines === true ? repo.root : cwd,
                ),
              }
            : {}),
          ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
          ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
          ...(tracking !== undefined ? { tracking } : {}),
        });
        if (opts.json) printJson(toJson(result, repo.root));
        else {
          const reproduced = printSummary(result, named, opts);
          // dvc's reminder to `git add` follows a repro that returns, never one that fails (its scm_context).
          if (opts.quiet !== true && (result.ok || opts.ignoreErrors === true)) {
            await reportFilesToTrack(repo, [...result.filesToTrack].map(relativeTo(cwd)).sort(), cwd);
            // dvc's closing line once anything was reproduced, after its reminder to `git add`.
            if (reproduced)
              process.stdout.write("Use `flowops data push` to send your updates to remote storage.\n");
          }
        }
        // As dvc: a failed stage is its ReproductionError (255); with --ignore-errors the command succeeds.
        if (!result.ok && opts.ignoreErrors !== true) process.exitCode = DVC_EXIT.raised;
      } finally {
        process.removeListener("SIGINT", onSigint);
        process.removeListener("SIGTERM", onSigint);
        closeDataRepo(repo);
      }
    });
}

/**
 * dvc's `Stage.reproduce` says `Pulling data for stage: '<stage>'` before it pulls the outs of a stage whose
 * only changes are missing data, so the line comes first whether the pull then checks them out or fails.
 */
function announcingPulls(
  pull: ReproPull,
  opts: ReproCliOptions,
  named: (name: string) => string,
  breaks: ReproStageBreaks,
  sourcesFrom: string,
): ReproPull {
  const out = progressStream(opts);
  return {
    beforeRun: (stage, changes, lock, frozen, confirmed) => {
      if (changes.length > 0 && changes.every(isMissingData)) {
        breaks.beginStage(stage.name);
        if (opts.quiet !== true) out.write(`Pulling data for stage: '${named(stage.name)}'\n`);
      }
      return pull.beforeRun(stage, changes, lock, frozen, confirmed);
    },
    beforeDataSource: (source) => {
      breaks.beginDataSource(resolve(sourcesFrom, source.name));
      if (opts.quiet !== true) out.write(`Pulling data for stage: '${source.name}'\n`);
      return pull.beforeDataSource(source);
    },
  };
}

/**
 * What `--pull` says as dvc says it, silent with -q: dvc-data's warning of the objects a pull found missing
 * everywhere; `Unable to pull data for stage` when a stage's outs would not check out (before it runs); then
 * the run-cache restore's warning of the same outs by name (None for a directory's manifest).
 */
async function pullReporters(
  opts: ReproCliOptions,
  named: (name: string) => string,
): Promise<Pick<ReproPullOptions, "onMissingObjects" | "onOutsNotPulled" | "onMissingAgain">> {
  if (opts.quiet === true) return {};
  // Loaded with --pull only, as the pull itself: a no-op repro is judged by its start-up time.
  const { reportMissingObjects } = await import("./dataTransfer.js");
  const out = opts.json === true ? process.stderr : process.stdout;
  return {
    onMissingObjects: (missing) => reportMissingObjects(missing),
    onOutsNotPulled: (stage) => out.write(`Unable to pull data for stage: '${named(stage.name)}'\n`),
    onMissingAgain: (missing) =>
      reportMissingObjects(missing, (item) => `name: ${item.name ?? "None"}, md5: ${item.oid}`),
  };
}

/** Data absent from the workspace: the changes `--pull` brings back instead of running the stage. */
function isMissingData(change: StageChange): boolean {
  return (
    (change.kind === "deps" && change.status === "deleted") ||
    (change.kind === "outs" && (change.status === "deleted" || change.status === "not in cache"))
  );
}

function isDirectory(cwd: string, target: string): boolean {
  return statSync(resolve(cwd, target), { throwIfNoEntry: false })?.isDirectory() === true;
}

/** Stage names as dvc prints them, relative to the cwd; JSON keeps the repo-relative addresses. */
function cwdNames(pipeline: Pipeline, cwd: string): (name: string) => string {
  const byName = new Map(pipeline.stages.map((stage) => [stage.name, cwdStageAddress(stage, cwd)]));
  return (name) => byName.get(name) ?? name;
}

function toJson(result: ReproResult, root: string): unknown {
  return {
    run_id: result.runId,
    ok: result.ok,
    stages: result.stages.map((s) => ({
      name: s.name,
      outcome: s.outcome,
      ...(s.wouldRun !== undefined ? { would_run: s.wouldRun } : {}),
      changes: s.changes,
      attempts: s.attempts,
      ...(s.durationMs !== undefined ? { duration_ms: s.durationMs } : {}),
      ...(s.exitCode !== undefined ? { exit_code: s.exitCode } : {}),
      ...(s.gpus !== undefined ? { gpus: s.gpus } : {}),
      ...(s.logPath !== undefined ? { log: s.logPath } : {}),
      ...(s.message !== undefined ? { message: s.message } : {}),
    })),
    files_to_track: result.filesToTrack.map((file) => relative(root, file).split(sep).join("/")).sort(),
    data_sources: result.dataSources.map((source) => ({
      dvc_file: relative(root, source.dvcFile).split(sep).join("/"),
      outcome: source.outcome,
      ...(source.wouldVerify !== undefined ? { would_verify: source.wouldVerify } : {}),
      changes: source.changes.map((change) => ({
        path: relative(root, change.path).split(sep).join("/"),
        status: change.status,
      })),
      ...(source.message !== undefined ? { message: source.message } : {}),
    })),
  };
}
