/** `flowops quickstart`: runs the main job end to end and prints each step, the drift, the rollback and the URLs. */
import { Command, InvalidArgumentError, Option } from "commander";
import type { QuickstartResult } from "../quickstart/runQuickstart.js";

interface QuickstartCliOptions {
  keepRunning: boolean;
  host: string;
  port: number;
  dir?: string;
  rps: number;
  json: boolean;
}

const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
  return n;
};

export function quickstartCommand(): Command {
  return new Command("quickstart")
    .description(
      "Run the whole loop on this machine: version and validate data, train through the pipeline, gate, " +
        "deploy behind a canary, serve simulated traffic, detect drift, retrain and roll out, and roll back " +
        "a broken version. Exits 0 when every step did what it says.",
    )
    .option("--keep-running", "keep the server running afterwards (Ctrl-C to stop)", false)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .addOption(
      new Option("--port <port>", "port for the server (0 picks a free one)").default(0).argParser(Number),
    )
    .option("--dir <dir>", "work in this (empty or new) directory and keep it, instead of a temp dir")
    .addOption(
      new Option("--rps <n>", "simulated requests per second")
        .default(100)
        .argParser(positiveNumber("--rps")),
    )
    .option("--json", "print the result as JSON (steps go to stderr)", false)
    .action(async (opts: QuickstartCliOptions) => {
      // Loaded on use, like `server`: it pulls in the whole server graph.
      const { runQuickstart } = await import("../quickstart/runQuickstart.js");
      const out = opts.json ? process.stderr : process.stdout;
      const result = await runQuickstart({
        host: opts.host,
        port: opts.port,
        requestsPerSecond: opts.rps,
        ...(opts.dir !== undefined ? { dir: opts.dir } : {}),
        log: (line) => out.write(`${line}\n`),
      });
      try {
        if (opts.json) process.stdout.write(`${JSON.stringify(resultJson(result), null, 2)}\n`);
        else process.stdout.write(summaryText(result));
        if (!opts.keepRunning) return;
        process.stdout.write(`Serving until Ctrl-C (workspace ${result.workspace}).\n`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
      } finally {
        await result.close();
      }
    });
}

function summaryText(result: QuickstartResult): string {
  const lines = ["", `Done in ${result.totalSeconds.toFixed(1)} s:`];
  result.steps.forEach((step, i) =>
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${step.name.padEnd(62)} ${step.seconds.toFixed(1).padStart(5)} s`,
    ),
  );
  lines.push(
    "",
    `Drift found in a window of ${result.drift.rows} rows ending ${result.drift.secondsToDetect.toFixed(1)} s ` +
      `after the shift (share of drifted columns ${result.drift.share.toFixed(2)}):`,
  );
  for (const c of result.drift.columns) {
    lines.push(
      `  ${c.column.padEnd(8)} ${c.method.padEnd(12)} ${c.score.toFixed(3)} (threshold ${c.threshold}) ${c.drifted ? "DRIFTED" : "ok"}`,
    );
  }
  const rollback = result.broken.rollout.rollbackSeconds ?? result.broken.rollout.seconds;
  lines.push(
    "",
    `Retrained v${result.retrained.version} (from ${result.retrained.baseModelUri}) promoted by its canary.`,
    `Broken v${result.broken.version} rolled back ${rollback.toFixed(1)} s after its deploy: ${result.broken.rollout.status.abortedReason ?? result.broken.rollout.status.phase}`,
    `Traffic: ${result.traffic.answered} answered, ${result.traffic.failed} failed.`,
    "",
    "Look at:",
  );
  for (const [name, url] of Object.entries(result.urls)) lines.push(`  ${name.padEnd(11)} ${url}`);
  lines.push("", `Point the mlflow client at it: MLFLOW_TRACKING_URI=${result.server.url}`, "");
  return lines.join("\n");
}

function resultJson(result: QuickstartResult) {
  return {
    total_seconds: result.totalSeconds,
    workspace: result.workspace,
    steps: result.steps.map((s) => ({ name: s.name, seconds: s.seconds, summary: s.summary })),
    model: result.modelName,
    endpoint: result.endpoint,
    versions: {
      first: result.first.version,
      retrained: result.retrained.version,
      broken: result.broken.version,
    },
    accuracy: { first: result.first.accuracy, retrained: result.retrained.accuracy },
    retraining: {
      id: result.retrained.retrainingId,
      pipeline_run_id: result.retrained.runId,
      base_model_uri: result.retrained.baseModelUri,
      warm_started: result.retrained.warmStarted,
    },
    drift: {
      seconds_to_detect: result.drift.secondsToDetect,
      windows: result.drift.windows,
      rows: result.drift.rows,
      share: result.drift.share,
      columns: result.drift.columns,
    },
    retrained_rollout_seconds: result.retrainedRollout.seconds,
    rollback_seconds: result.broken.rollout.rollbackSeconds ?? result.broken.rollout.seconds,
    rollback_reason: result.broken.rollout.status.abortedReason ?? null,
    traffic: result.traffic,
    urls: result.urls,
  };
}
