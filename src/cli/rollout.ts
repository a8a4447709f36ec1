/**
 * `flowops rollout status|promote|abort|retry|undo|events <endpoint>`: reads and steers an endpoint's rollout
 * through the tracking server's deployments API, as `kubectl argo rollouts` does for Argo. Wiring only: the
 * server decides; this prints. Exit codes (main.ts): 0 done, 1 the rollout is Degraded (status), 2 bad usage
 * or an error (an unknown endpoint, a refused promote).
 */
import { Command } from "commander";
import type { DeploymentEvent, DeploymentStatus } from "../client/deployments.js";
import type { FlowOpsClient } from "../client/index.js";
import { formatTime, printJson, printTable } from "./output.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";
import { nonNegativeInteger } from "./numberOptions.js";

const WATCH_INTERVAL_MS = 1000;

/** The phases a rollout stays in until someone deploys, retries or undoes. */
const SETTLED_PHASES: ReadonlySet<string> = new Set(["Healthy", "Degraded"]);

export interface RolloutCommandOptions {
  /** How often `status --watch` polls; a second by default. */
  watchIntervalMs?: number;
}

/** The status block `rollout status` and `deploy` print. */
export function formatDeploymentStatus(status: DeploymentStatus): string {
  const rows: [string, string][] = [
    ["Endpoint", status.name],
    ["Phase", status.pauseReason === undefined ? status.phase : `${status.phase} (${status.pauseReason})`],
    ["Strategy", status.strategy],
    ["Stable", status.stable],
  ];
  if (status.candidate !== undefined) rows.push(["Candidate", status.candidate]);
  rows.push(["Weights", status.weights.map((route) => `${route.model} ${route.weight}%`).join(", ")]);
  if (status.mirror !== undefined) rows.push(["Mirror", `${status.mirror.model} ${status.mirror.percent}%`]);
  if (status.preview !== undefined) rows.push(["Preview", status.preview]);
  if (status.steps !== undefined) rows.push(["Step", `${status.stepIndex}/${status.steps}`]);
  if (status.abortedReason !== undefined) rows.push(["Aborted", status.abortedReason]);
  const width = Math.max(...rows.map(([key]) => key.length)) + 1;
  const lines = rows.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${value}`);
  if (status.analyses.length > 0) {
    lines.push("Analyses:");
    for (const analysis of status.analyses) {
      lines.push(`  ${analysis.runId} (${analysis.kind})  ${analysis.phase}`);
      const nameWidth = Math.max(...analysis.metrics.map((metric) => metric.name.length), 0);
      for (const metric of analysis.metrics) {
        const last =
          metric.last === undefined ? "" : `  last ${formatValue(metric.last.value)} (${metric.last.phase})`;
        lines.push(`    ${metric.name.padEnd(nameWidth)}  ${metric.phase}${last}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Measurements are numbers, vectors (Prometheus) or absent; numbers keep four significant digits. */
function formatValue(value: unknown): string {
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (value === undefined || value === null) return "-";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function printStatus(status: DeploymentStatus, json: boolean | undefined): void {
  if (json === true) printJson(status);
  else process.stdout.write(formatDeploymentStatus(status));
}

function printEvents(events: readonly DeploymentEvent[]): void {
  printTable(
    ["ID", "TIME", "KIND", "DETAILS"],
    events.map((event) => [String(event.id), formatTime(event.at), event.kind, event.details]),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the rollout settles, printing each status that differs from the one before. */
async function watchStatus(
  client: FlowOpsClient,
  endpoint: string,
  opts: TrackingOptions,
  intervalMs: number,
): Promise<DeploymentStatus> {
  let shown = "";
  for (;;) {
    const status = await client.deployments.status(endpoint);
    const text = formatDeploymentStatus(status);
    // JSON output is one document: only the settled status is printed.
    if (opts.json !== true && text !== shown) {
      process.stdout.write(shown === "" ? text : `\n${text}`);
      shown = text;
    }
    if (SETTLED_PHASES.has(status.phase)) {
      if (opts.json === true) printJson(status);
      return status;
    }
    await sleep(intervalMs);
  }
}

export function rolloutCommand(options: RolloutCommandOptions = {}): Command {
  const intervalMs = options.watchIntervalMs ?? WATCH_INTERVAL_MS;
  const rollout = new Command("rollout").description(
    "Read and steer an endpoint's rollout: status, promote, abort, retry, undo, events.",
  );

  rollout.addCommand(
    withTrackingOptions(
      new Command("status")
        .description(
          "Phase, traffic split, step and analyses; exits 1 when the rollout is Degraded, 2 on an error.",
        )
        .argument("<endpoint>", "the endpoint's name")
        .option("--watch", "poll every second until the rollout is Healthy or Degraded", false),
    ).action(async (endpoint: string, opts: TrackingOptions & { watch: boolean }) => {
      const client = clientFor(opts);
      let status: DeploymentStatus;
      if (opts.watch) status = await watchStatus(client, endpoint, opts, intervalMs);
      else {
        status = await client.deployments.status(endpoint);
        printStatus(status, opts.json);
      }
      if (status.phase === "Degraded") process.exitCode = 1;
    }),
  );

  rollout.addCommand(
    withTrackingOptions(
      new Command("promote")
        .description("Skip the current pause or analysis; with --full, every remaining step.")
        .argument("<endpoint>", "the endpoint's name")
        .option("--full", "skip every remaining step and analysis", false),
    ).action(async (endpoint: string, opts: TrackingOptions & { full: boolean }) => {
      printStatus(await clientFor(opts).deployments.promote(endpoint, { full: opts.full }), opts.json);
    }),
  );

  rollout.addCommand(
    withTrackingOptions(
      new Command("abort")
        .description("Send all traffic back to stable; the rollout becomes Degraded.")
        .argument("<endpoint>", "the endpoint's name")
        .option("--reason <text>", "recorded in the rollout's events"),
    ).action(async (endpoint: string, opts: TrackingOptions & { reason?: string }) => {
      const status = await clientFor(opts).deployments.abort(
        endpoint,
        opts.reason !== undefined ? { reason: opts.reason } : {},
      );
      printStatus(status, opts.json);
    }),
  );

  for (const [name, description] of [
    ["retry", "Start an aborted rollout again from its first step."],
    ["undo", "Roll back to the version served before the last promotion."],
  ] as const) {
    rollout.addCommand(
      withTrackingOptions(
        new Command(name).description(description).argument("<endpoint>", "the endpoint's name"),
      ).action(async (endpoint: string, opts: TrackingOptions) => {
        printStatus(await clientFor(opts).deployments[name](endpoint), opts.json);
      }),
    );
  }

  rollout.addCommand(
    withTrackingOptions(
      new Command("events")
        .description("The rollout's events, oldest first.")
        .argument("<endpoint>", "the endpoint's name")
        .option("--after-id <id>", "only events after this one", nonNegativeInteger),
    ).action(async (endpoint: string, opts: TrackingOptions & { afterId?: number }) => {
      const events = await clientFor(opts).deployments.events(
        endpoint,
        opts.afterId !== undefined ? { afterId: opts.afterId } : {},
      );
      if (opts.json === true) printJson(events);
      else printEvents(events);
    }),
  );

  return rollout;
}
