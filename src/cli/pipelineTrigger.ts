/**
 * `flowops pipeline trigger` and `flowops pipeline triggers ls`: run the repository's pipeline (`repro`)
 * when a dataset has grown by N samples (`--on-new-data <path> --threshold N`), on a cron schedule
 * (`--cron "expr"`), when a webhook is called (`--webhook`), or once now (`--once`). Triggers may be
 * combined and run until interrupted; every firing and its outcome goes to the trigger log
 * (`.dvc/tmp/flowops/pipeline-triggers.jsonl`), which `triggers ls` prints.
 */
import { Command, Option } from "commander";
import { openDataRepo, withDataRepo, type DataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { repro } from "../pipelines/repro.js";
import { MlflowReproTracking, reproTrackingFor } from "../pipelines/reproTracking.js";
import { jsonlTriggerLog, triggerLogPath, type TriggerRecord } from "../pipelines/triggers/triggerLog.js";
import type { RunPipeline } from "../pipelines/triggers/triggerRunner.js";
import type { TriggerCommandOptions } from "../pipelines/triggers/triggerSession.js";
import { formatTime, printJson, printTable } from "./output.js";
import { portNumber, positiveInteger } from "./numberOptions.js";

export interface ReproRunnerOptions {
  jobs?: number;
  targets?: string[];
  trackingUri?: string;
  experiment?: string;
}

/**
 * The real pipeline run: `repro` in a freshly opened repository, tracked in MLflow when a tracking server
 * is configured. The firing's run id is the MLflow parent run when tracked, else repro's own id.
 */
export function reproRunner(root: string, opts: ReproRunnerOptions): RunPipeline {
  return async (_reason, signal) => {
    const tracking = reproTrackingFor(root, { trackingUri: opts.trackingUri, experiment: opts.experiment });
    const result = await withDataRepo(root, (repo) =>
      repro(repo, {
        ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }),
        ...(opts.targets === undefined ? {} : { targets: opts.targets }),
        ...(tracking === undefined ? {} : { tracking }),
        ...(signal === undefined ? {} : { signal }),
      }),
    );
    const trackedRun = tracking instanceof MlflowReproTracking ? tracking.runId : undefined;
    return { ok: result.ok, runId: trackedRun ?? result.runId };
  };
}

export function pipelineCommand(): Command {
  const command = new Command("pipeline").description("Run the pipeline on triggers and list past firings.");
  command.addCommand(
    new Command("trigger")
      .description("Run `repro` when new data arrives, on a schedule, on a webhook call, or once now.")
      .option("--on-new-data <dataset>", "dataset file (CSV/JSONL rows) or directory (files) to watch")
      .addOption(
        new Option("--threshold <n>", "new samples that fire the pipeline").argParser(positiveInteger),
      )
      .addOption(
        new Option("--interval <seconds>", "how often --on-new-data counts samples")
          .default(60)
          .argParser(positiveInteger),
      )
      .option("--cron <expr>", 'cron schedule, e.g. "0 3 * * *" or @hourly')
      .option("--timezone <tz>", "IANA time zone of --cron (default: the system's)")
      .option("--webhook", "accept POST /api/v1/pipelines/<name>/trigger")
      .option("--host <host>", "webhook listen address", "127.0.0.1")
      .addOption(new Option("--port <port>", "webhook port").default(5050).argParser(portNumber))
      .option("--secret-env <var>", "environment variable holding the webhook's shared secret")
      .option("--once", "check --on-new-data once, or run the pipeline now, and exit")
      .option(
        "--name <name>",
        "pipeline name in the trigger log and webhook URL (default: the repository directory name)",
      )
      .addOption(new Option("-j, --jobs <n>", "stages run at once").argParser(positiveInteger))
      .option("--targets <stages...>", "stages to reproduce (default: all)")
      .option(
        "--tracking-uri <uri>",
        "record each run in this tracking server (default $MLFLOW_TRACKING_URI; none: no tracking)",
      )
      .option(
        "--experiment <name>",
        "experiment for the tracked runs (default $MLFLOW_EXPERIMENT_NAME, then Default)",
      )
      .option("--json", "print one JSON object per firing", false)
      .action(async (opts: TriggerCommandOptions & ReproRunnerOptions) => {
        // Loaded on use: the webhook listener pulls in Fastify, which other commands should not pay for.
        const { runTriggerSession, validateTriggerOptions } =
          await import("../pipelines/triggers/triggerSession.js");
        validateTriggerOptions(opts);
        const repo: DataRepo = await openDataRepo(process.cwd());
        const { root, tmpDir } = repo;
        // Each firing opens the repository afresh; this process only needs its location.
        repo.state.close();
        const controller = new AbortController();
        let stoppedBy: NodeJS.Signals | undefined;
        // `on`, not `once`: a second Ctrl-C while the cancelled run winds down (its stage gets SIGTERM, then
        // SIGKILL after a grace period) must not kill this process and orphan the stage.
        const onSignal = (signal: NodeJS.Signals): void => {
          if (stoppedBy !== undefined) return;
          stoppedBy = signal;
          controller.abort(new FlowOpsError("CANCELLED", `interrupted by ${signal}`));
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        try {
          const ok = await runTriggerSession(opts, {
            root,
            tmpDir,
            cwd: process.cwd(),
            runPipeline: reproRunner(root, opts),
            log: jsonlTriggerLog(triggerLogPath(tmpDir)),
            signal: controller.signal,
            print: (line) => process.stdout.write(`${line}\n`),
          });
          if (!ok) process.exitCode = 1;
        } finally {
          process.removeListener("SIGINT", onSignal);
          process.removeListener("SIGTERM", onSignal);
        }
        // The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT).
        if (stoppedBy !== undefined) process.exitCode = stoppedBy === "SIGINT" ? 130 : 143;
      }),
  );
  const triggers = new Command("triggers").description("Past trigger firings.");
  triggers.addCommand(
    new Command("ls")
      .description("List trigger firings and their outcomes, oldest first.")
      .addOption(new Option("-n, --limit <n>", "only the newest N").argParser(positiveInteger))
      .option("--json", "print JSON", false)
      .action(async (opts: { limit?: number; json?: boolean }) => {
        const repo = await openDataRepo(process.cwd());
        const tmpDir = repo.tmpDir;
        repo.state.close();
        const records = await jsonlTriggerLog(triggerLogPath(tmpDir)).list(
          opts.limit === undefined ? {} : { limit: opts.limit },
        );
        if (opts.json) return printJson({ triggers: records });
        printTable(["FIRED", "PIPELINE", "KIND", "OUTCOME", "RUN", "REASON"], records.map(triggerRow));
      }),
  );
  command.addCommand(triggers);
  return command;
}

/** One row of `flowops pipeline triggers ls`. */
export function triggerRow(record: TriggerRecord): string[] {
  return [
    formatTime(record.fired_at),
    record.pipeline,
    record.kind,
    record.message === undefined ? record.outcome : `${record.outcome}: ${record.message}`,
    record.run_id ?? "",
    record.reason,
  ];
}
