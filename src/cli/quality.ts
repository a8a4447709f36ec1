/**
 * `flowops validate|evaluate|fairness|gate`: the quality checks. Wiring only: each command opens the table,
 * calls src/quality, prints text or JSON, and, inside a run (`--run` or MLFLOW_RUN_ID, as repro sets it),
 * logs the results there. Exit codes: 0 passed, 1 failed (an expectation or a gate condition), 2 bad usage.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import { unreadableFile } from "../errors.js";
import { openTable } from "../tables/openTable.js";
import type { TableSource } from "../tables/tableChunk.js";
import type { EvaluationReport } from "../quality/evaluation/evaluatePredictions.js";
import type { QualityResults } from "../quality/qualityRun.js";
import { formatTable, printJson } from "./output.js";
import { createProgress } from "./progressBar.js";
import { clientFor } from "./trackingClient.js";
import { positiveInteger } from "./numberOptions.js";
import { columnList } from "./columnListOption.js";

interface RunOptions {
  run?: string;
  trackingUri?: string;
  json?: boolean;
  chunkRows?: number;
}

function withRunOptions(command: Command): Command {
  return command
    .option("--run <id>", "log results into this run (default $MLFLOW_RUN_ID; none: log nothing)")
    .option("--tracking-uri <uri>", "tracking server URL (default $MLFLOW_TRACKING_URI)")
    .option("--chunk-rows <n>", "rows read at a time (memory bound)", positiveInteger)
    .option("--json", "print the report as JSON", false);
}

function open(path: string, opts: RunOptions, columns?: readonly string[]): TableSource {
  return openTable(path, {
    ...(opts.chunkRows !== undefined ? { chunkRows: opts.chunkRows } : {}),
    ...(columns !== undefined ? { columns } : {}),
  });
}

/** Progress in rows, from hooks that report the running total. */
function rowProgress(
  label: string,
  json: boolean | undefined,
): { onProgress: (rows: number) => void; done: () => void } {
  const sink = createProgress(label, undefined, { enabled: json !== true, unit: "count" });
  let seen = 0;
  return {
    onProgress: (rows) => {
      sink.advance(rows - seen);
      seen = rows;
    },
    done: () => sink.done(),
  };
}

async function logIfInRun(opts: RunOptions, results: QualityResults): Promise<void> {
  const { qualityRunFor, logQualityResults } = await import("../quality/qualityRun.js");
  const run = qualityRunFor({ run: opts.run, trackingUri: opts.trackingUri });
  if (run === undefined) return;
  const skipped = await logQualityResults(run, results);
  if (skipped.length > 0) {
    process.stderr.write(`note: not logged as metrics (not finite): ${skipped.join(", ")}\n`);
  }
  if (opts.json !== true) process.stderr.write(`Logged to run ${run.runId}.\n`);
}

export function validateCommand(): Command {
  return withRunOptions(
    new Command("validate")
      .description(
        "Check a CSV, JSON Lines or Parquet file against an expectation suite (Great Expectations' names).",
      )
      .argument("<data>", "the table to check")
      .requiredOption("--suite <file>", "expectation suite (YAML or JSON)"),
  ).action(async (data: string, opts: RunOptions & { suite: string }) => {
    const { loadExpectationSuite, suiteColumns } = await import("../quality/validation/expectationSuite.js");
    const { validateTable } = await import("../quality/validation/validateTable.js");
    const { formatValidationResult } = await import("../quality/validation/validationResult.js");
    const suite = await loadExpectationSuite(opts.suite);
    // Read only the columns the suite names; one the file lacks fails its expectations, not the read.
    const present = new Set(await open(data, opts).columns());
    const source = open(
      data,
      opts,
      suiteColumns(suite).filter((c) => present.has(c)),
    );
    const progress = rowProgress("Validating", opts.json);
    const result = await validateTable(source, suite, { onProgress: progress.onProgress }).finally(
      progress.done,
    );
    if (opts.json === true) printJson(result);
    else process.stdout.write(formatValidationResult(result));
    await logIfInRun(opts, {
      metrics: {
        validation_evaluated_expectations: result.statistics.evaluated_expectations,
        validation_successful_expectations: result.statistics.successful_expectations,
        validation_unsuccessful_expectations: result.statistics.unsuccessful_expectations,
        validation_success_percent: result.statistics.success_percent ?? Number.NaN,
      },
      report: { name: "validation", value: result },
    });
    if (!result.success) process.exitCode = 1;
  });
}

interface EvaluateOptions extends RunOptions {
  data: string;
  task: "classification" | "regression";
  yTrue: string;
  yPred: string;
  yScore?: string[];
  posLabel?: string;
  plots?: string;
}

export function evaluateCommand(): Command {
  return withRunOptions(
    new Command("evaluate")
      .description(
        "Score predictions as scikit-learn does: classification or regression metrics, optional plots.",
      )
      .requiredOption("--data <file>", "predictions table (CSV, JSON Lines or Parquet)")
      .addOption(
        new Option("--task <task>", "what the model predicts")
          .choices(["classification", "regression"])
          .makeOptionMandatory(),
      )
      .requiredOption("--y-true <column>", "column of true labels or values")
      .requiredOption("--y-pred <column>", "column of predicted labels or values")
      .option(
        "--y-score <columns>",
        "probability columns: one (binary, P of the greater label) or one per class of y_true in sorted order",
        columnList,
      )
      .option("--pos-label <label>", "binary: the positive label for precision, recall and f1")
      .option("--plots <dir>", "write plots (SVG and PNG) into this directory"),
  ).action(async (opts: EvaluateOptions) => {
    const { evaluatePredictions } = await import("../quality/evaluation/evaluatePredictions.js");
    const columns = [opts.yTrue, opts.yPred, ...(opts.yScore ?? [])];
    const progress = rowProgress("Evaluating", opts.json);
    const report = await evaluatePredictions(
      open(opts.data, opts, columns),
      {
        task: opts.task,
        yTrue: opts.yTrue,
        yPred: opts.yPred,
        ...(opts.yScore !== undefined ? { yScore: opts.yScore } : {}),
        ...(opts.posLabel !== undefined ? { posLabel: opts.posLabel } : {}),
      },
      { onProgress: progress.onProgress },
    ).finally(progress.done);
    const { writeEvaluationPlots } = await import("../quality/plots/evaluationPlots.js");
    const run = opts.run ?? process.env.MLFLOW_RUN_ID;
    // Plots go to --plots; inside a run they are made anyway (in a temp dir) to be logged as artifacts.
    const plotDir =
      opts.plots ??
      (run !== undefined && run !== "" ? await mkdtemp(join(tmpdir(), "flowops-plots-")) : undefined);
    try {
      const plots = plotDir !== undefined ? await writeEvaluationPlots(report, plotDir) : [];
      if (opts.json === true) printJson({ ...report, plots });
      else process.stdout.write(formatEvaluation(report, plots));
      await logIfInRun(opts, {
        metrics: report.metrics,
        report: { name: "evaluation", value: report },
        files: plots.map((path) => ({ path, artifactDir: "quality/plots" })),
      });
    } finally {
      if (opts.plots === undefined && plotDir !== undefined)
        await rm(plotDir, { recursive: true, force: true });
    }
  });
}

function formatEvaluation(report: EvaluationReport, plots: readonly string[]): string {
  const lines = [`${report.task} over ${report.rows} rows`];
  const width = Math.max(...Object.keys(report.metrics).map((k) => k.length));
  for (const [key, value] of Object.entries(report.metrics)) lines.push(`  ${key.padEnd(width)}  ${value}`);
  if (report.task === "classification") {
    const rows = report.perClass.map((c) => [
      c.label,
      fixed(c.precision),
      fixed(c.recall),
      fixed(c.f1),
      String(c.support),
    ]);
    lines.push("", formatTable(["class", "precision", "recall", "f1", "support"], rows).trimEnd());
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (plots.length > 0) lines.push("", `plots: ${plots.join(", ")}`);
  return `${lines.join("\n")}\n`;
}

const fixed = (n: number): string => (Number.isFinite(n) ? n.toFixed(4) : String(n));

interface FairnessCliOptions extends RunOptions {
  data: string;
  yTrue: string;
  yPred: string;
  sensitive: string[];
  posLabel?: string;
  minGroupCount?: number;
}

export function fairnessCommand(): Command {
  return withRunOptions(
    new Command("fairness")
      .description(
        "Per-group metrics and disparities (demographic parity, equalized odds...) as Fairlearn defines them.",
      )
      .requiredOption("--data <file>", "predictions table (CSV, JSON Lines or Parquet)")
      .requiredOption("--y-true <column>", "column of true labels (binary)")
      .requiredOption("--y-pred <column>", "column of predicted labels (binary)")
      .requiredOption("--sensitive <columns>", "sensitive feature column(s), comma-separated", columnList)
      .option("--pos-label <label>", "the positive label (default: 1, else the greater label)")
      .option("--min-group-count <n>", "groups smaller than this are flagged (default 30)", positiveInteger),
  ).action(async (opts: FairnessCliOptions) => {
    const { assessFairness } = await import("../quality/fairness/assessFairness.js");
    const { formatFairnessReport } = await import("../quality/fairness/formatFairnessReport.js");
    const report = await assessFairness(open(opts.data, opts, [opts.yTrue, opts.yPred, ...opts.sensitive]), {
      yTrue: opts.yTrue,
      yPred: opts.yPred,
      sensitive: opts.sensitive,
      ...(opts.posLabel !== undefined ? { posLabel: opts.posLabel } : {}),
      ...(opts.minGroupCount !== undefined ? { minGroupCount: opts.minGroupCount } : {}),
    });
    if (opts.json === true) printJson(report);
    else process.stdout.write(formatFairnessReport(report));
    await logIfInRun(opts, { metrics: { ...report.metrics }, report: { name: "fairness", value: report } });
  });
}

interface GateCliOptions {
  policy: string;
  run: string;
  model?: string;
  version?: string;
  trackingUri?: string;
  json?: boolean;
}

export function gateCommand(): Command {
  const command = new Command("gate");
  return command
    .description(
      "Evaluate a gate policy on a run's metrics on the server; with --model/--version, record the outcome " +
        "(the registry refuses protected aliases and stages without a passing record).",
    )
    .requiredOption("--policy <file>", "gate policy (gates.yaml)")
    .option(
      "--run <id>",
      "the run whose metrics are judged (default: the version's own run with --model/--version, else " +
        "$MLFLOW_RUN_ID); with a version it must be the run the version was registered from",
    )
    .option("--model <name>", "registered model whose version is gated")
    .option("--version <n>", "model version gated (with --model)")
    .option("--tracking-uri <uri>", "tracking server URL (default $MLFLOW_TRACKING_URI)")
    .option("--json", "print the gate result as JSON", false)
    .action(async (opts: Partial<GateCliOptions> & { policy: string }) => {
      if ((opts.model === undefined) !== (opts.version === undefined)) {
        command.error("error: --model and --version go together");
      }
      // Read first: a missing policy file fails before any server call, naming the option.
      const policyYaml = await readFile(opts.policy, "utf8").catch((error: unknown) => {
        throw unreadableFile("--policy", opts.policy, error);
      });
      const client = clientFor({
        ...(opts.trackingUri !== undefined ? { trackingUri: opts.trackingUri } : {}),
      });
      // A gate on a version judges the version's own run (the server refuses any other), so the ambient
      // MLFLOW_RUN_ID is only a default when no version is named.
      const runId =
        opts.run ??
        (opts.model !== undefined && opts.version !== undefined
          ? (await client.registry.getModelVersion(opts.model, opts.version)).run_id
          : process.env.MLFLOW_RUN_ID);
      if (runId === undefined || runId === "") {
        return command.error(
          opts.model === undefined
            ? "error: --run is required (or MLFLOW_RUN_ID)"
            : `error: model version ${opts.model}/${opts.version ?? ""} was registered without a run, so no gate can judge it`,
        );
      }
      const response = await client.gates.evaluate({
        policyYaml,
        policyFile: opts.policy,
        runId,
        ...(opts.model !== undefined ? { modelName: opts.model } : {}),
        ...(opts.version !== undefined ? { version: opts.version } : {}),
      });
      if (opts.json === true) printJson(response);
      else {
        const { gateReportMarkdown } = await import("../quality/gates/gateReport.js");
        process.stdout.write(gateReportMarkdown(response.gate));
        for (const warning of response.warnings) process.stderr.write(`warning: ${warning}\n`);
      }
      if (!response.gate.passed) process.exitCode = 1;
    });
}
