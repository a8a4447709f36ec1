/**
 * A trigger session: the triggers `flowops pipeline trigger` asked for (new data, cron, webhook, once),
 * wired to one TriggerRunner, running until stopped. Everything outside (the repro run, the log, the
 * sample count, sleeping, printing) is injected, so it runs in tests without a repository.
 */
import { basename, resolve } from "node:path";
import { invalidParameter } from "../../errors.js";
import { fileNewDataState, newDataStatePath, NewDataTrigger, type NewDataCheck } from "./newDataTrigger.js";
import { countSamples } from "./sampleCount.js";
import { startScheduleTrigger } from "./scheduleTrigger.js";
import type { TriggerLog, TriggerRecord } from "./triggerLog.js";
import { TriggerRunner, type RunPipeline } from "./triggerRunner.js";
import { startWebhookListener } from "./webhookTrigger.js";

export interface TriggerCommandOptions {
  onNewData?: string;
  threshold?: number;
  interval: number;
  cron?: string;
  timezone?: string;
  webhook?: boolean;
  host: string;
  port: number;
  secretEnv?: string;
  once?: boolean;
  name?: string;
  jobs?: number;
  targets?: string[];
  json?: boolean;
}

/** Everything a trigger session needs from outside, so tests can drive it with fakes. */
export interface TriggerSession {
  root: string;
  tmpDir: string;
  runPipeline: RunPipeline;
  log: TriggerLog;
  /** Resolves when the session should end (SIGINT/SIGTERM in the CLI). */
  stopped: Promise<void>;
  print(line: string): void;
  now?: () => number;
  countSamples?: (absPath: string) => Promise<number>;
  sleep?: (ms: number, stopped: Promise<void>) => Promise<void>;
}

/** Checks the combination of options; usage errors name the option. */
export function validateTriggerOptions(opts: TriggerCommandOptions): void {
  const continuous = opts.onNewData !== undefined || opts.cron !== undefined || opts.webhook === true;
  if (opts.onNewData !== undefined && opts.threshold === undefined) {
    throw invalidParameter("--on-new-data needs --threshold N (how many new samples fire the pipeline).");
  }
  if (opts.threshold !== undefined && opts.onNewData === undefined) {
    throw invalidParameter("--threshold applies to --on-new-data <dataset> only.");
  }
  if (opts.once === true && (opts.cron !== undefined || opts.webhook === true)) {
    throw invalidParameter(
      "--once checks --on-new-data once or runs the pipeline now; it cannot combine with --cron or --webhook.",
    );
  }
  if (!continuous && opts.once !== true) {
    throw invalidParameter(
      'Say when to run: --on-new-data <dataset> --threshold N, --cron "expr", --webhook, or --once.',
    );
  }
}

/**
 * Runs the triggers the options ask for until `session.stopped` resolves (or once, with --once).
 * Returns false when a --once run failed.
 */
export async function runTriggerSession(
  opts: TriggerCommandOptions,
  session: TriggerSession,
): Promise<boolean> {
  validateTriggerOptions(opts);
  const pipeline = opts.name ?? basename(session.root);
  const runner = new TriggerRunner({
    pipeline,
    runPipeline: session.runPipeline,
    log: session.log,
    ...(session.now === undefined ? {} : { now: session.now }),
  });
  const report = (record: TriggerRecord): void => session.print(describeFiring(record, opts.json === true));

  const newData =
    opts.onNewData === undefined
      ? undefined
      : newDataTriggerFor(opts.onNewData, opts.threshold ?? 0, runner, session);
  if (opts.once === true) {
    if (newData === undefined) {
      const record = await runner.fire("manual", "flowops pipeline trigger --once");
      report(record);
      return record.outcome === "succeeded";
    }
    const { check, firing } = await newData.poll();
    if (firing === undefined) session.print(describeCheck(check, opts.json === true));
    else report(firing);
    return firing === undefined || firing.outcome === "succeeded";
  }

  const stops: (() => Promise<void> | void)[] = [];
  if (opts.cron !== undefined) {
    const schedule = startScheduleTrigger(opts.cron, runner, {
      timezone: opts.timezone,
      onFiring: report,
      onError: (error) => session.print(`error: schedule firing not recorded: ${error.message}`),
    });
    stops.push(() => schedule.stop());
    session.print(
      `Scheduled ${pipeline} on "${opts.cron}"; next run ${schedule.nextRun()?.toISOString() ?? "never"}`,
    );
  }
  if (opts.webhook === true) {
    const secret = opts.secretEnv === undefined ? undefined : process.env[opts.secretEnv];
    if (opts.secretEnv !== undefined && (secret === undefined || secret === "")) {
      throw invalidParameter(`--secret-env ${opts.secretEnv}: that environment variable is not set.`);
    }
    const listener = await startWebhookListener({
      targets: { runnerFor: (name) => (name === pipeline ? runner : undefined), secret },
      host: opts.host,
      port: opts.port,
    });
    stops.push(() => listener.close());
    session.print(`Listening for POST ${listener.url}/api/v1/pipelines/${pipeline}/trigger`);
  }
  try {
    if (newData !== undefined) await pollUntilStopped(newData, opts, session, report);
    else await session.stopped;
  } finally {
    for (const stop of stops) await stop();
  }
  return true;
}

function newDataTriggerFor(
  dataset: string,
  threshold: number,
  runner: TriggerRunner,
  session: TriggerSession,
): NewDataTrigger {
  const absPath = resolve(session.root, dataset);
  const count = session.countSamples ?? countSamples;
  return new NewDataTrigger({
    dataset,
    threshold,
    runner,
    countSamples: () => count(absPath),
    state: fileNewDataState(newDataStatePath(session.tmpDir)),
    ...(session.now === undefined ? {} : { now: session.now }),
  });
}

/** Consecutive failed sample counts (dataset missing mid-rewrite, unreadable) tolerated before giving up. */
export const MAX_CONSECUTIVE_COUNT_ERRORS = 5;

async function pollUntilStopped(
  trigger: NewDataTrigger,
  opts: TriggerCommandOptions,
  session: TriggerSession,
  report: (record: TriggerRecord) => void,
): Promise<void> {
  let stopped = false;
  void session.stopped.then(() => (stopped = true));
  const sleep = session.sleep ?? sleepUnlessStopped;
  let errors = 0;
  while (!stopped) {
    try {
      const { check, firing } = await trigger.poll();
      errors = 0;
      if (firing !== undefined) report(firing);
      else if (check.baseline === undefined) session.print(describeCheck(check, opts.json === true));
    } catch (error) {
      // Not being able to count is not a pipeline failure: say so and try again at the next interval.
      errors += 1;
      if (errors >= MAX_CONSECUTIVE_COUNT_ERRORS) throw error;
      session.print(`error: ${error instanceof Error ? error.message : String(error)} (retrying)`);
    }
    if (stopped) break;
    await sleep(opts.interval * 1000, session.stopped);
  }
}

function sleepUnlessStopped(ms: number, stopped: Promise<void>): Promise<void> {
  return new Promise((resolveSleep) => {
    const timer = setTimeout(resolveSleep, ms);
    void stopped.then(() => {
      clearTimeout(timer);
      resolveSleep();
    });
  });
}

function describeFiring(record: TriggerRecord, json: boolean): string {
  if (json) return JSON.stringify(record);
  const run = record.run_id === undefined ? "" : ` run ${record.run_id}`;
  const why = record.message === undefined ? "" : `: ${record.message}`;
  return `${new Date(record.fired_at).toISOString()} ${record.kind} -> ${record.outcome}${run} (${record.reason})${why}`;
}

function describeCheck(check: NewDataCheck, json: boolean): string {
  if (json) return JSON.stringify({ check });
  return check.baseline === undefined
    ? `Baseline recorded for ${check.dataset}: ${check.current} samples; fires after ${check.threshold} more.`
    : `${check.dataset}: ${check.newSamples} new samples of ${check.threshold} needed.`;
}
