/**
 * A trigger session: the triggers `flowops pipeline trigger` asked for (new data, cron, webhook, once),
 * wired to one TriggerRunner, running until stopped. Everything outside (the repro run, the log, the
 * sample count, sleeping, printing) is injected, so it runs in tests without a repository.
 */
import { basename, isAbsolute, relative, resolve, sep } from "node:path";
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
  /** Where a relative --on-new-data path is resolved from (the process cwd in the CLI); default `root`. */
  cwd?: string;
  runPipeline: RunPipeline;
  log: TriggerLog;
  /**
   * Aborted when the session should end (SIGINT/SIGTERM in the CLI). It also cancels the run in progress,
   * so stopping does not wait for a whole repro, and the firing is recorded as cancelled.
   */
  signal: AbortSignal;
  print(line: string): void;
  now?: () => number;
  countSamples?: (absPath: string) => Promise<number>;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
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
    signal: session.signal,
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
    else await aborted(session.signal);
  } finally {
    for (const stop of stops) await stop();
    // A cron or webhook firing may still be winding down its cancelled run: wait until it is recorded,
    // so the log never keeps a firing `running` after the session has ended.
    await runner.settled();
  }
  return true;
}

function newDataTriggerFor(
  dataset: string,
  threshold: number,
  runner: TriggerRunner,
  session: TriggerSession,
): NewDataTrigger {
  // As `flowops data log`: the path is relative to where the command runs, not to the repository root.
  const absPath = resolve(session.cwd ?? session.root, dataset);
  const name = datasetKey(session.root, absPath);
  // Baselines used to be kept under the path as typed, which meant the same file from the root.
  const formerName = dataset !== name && resolve(session.root, dataset) === absPath ? dataset : undefined;
  const count = session.countSamples ?? countSamples;
  return new NewDataTrigger({
    dataset: name,
    ...(formerName === undefined ? {} : { formerNames: [formerName] }),
    threshold,
    runner,
    countSamples: () => count(absPath),
    state: fileNewDataState(newDataStatePath(session.tmpDir)),
    ...(session.now === undefined ? {} : { now: session.now }),
  });
}

/**
 * The name a dataset's baseline is kept under: its repository-relative POSIX path, so `./data/d.csv`,
 * `data/d.csv` and `d.csv` from `data/` share one baseline. A path outside the repository keeps its
 * absolute path.
 */
export function datasetKey(root: string, absPath: string): string {
  const rel = relative(root, absPath);
  if (rel === "") return ".";
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return absPath.split(sep).join("/");
  return rel.split(sep).join("/");
}

/** Consecutive failed sample counts (dataset missing mid-rewrite, unreadable) tolerated before giving up. */
export const MAX_CONSECUTIVE_COUNT_ERRORS = 5;

async function pollUntilStopped(
  trigger: NewDataTrigger,
  opts: TriggerCommandOptions,
  session: TriggerSession,
  report: (record: TriggerRecord) => void,
): Promise<void> {
  const sleep = session.sleep ?? sleepUnlessAborted;
  let errors = 0;
  while (!session.signal.aborted) {
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
    if (session.signal.aborted) break;
    await sleep(opts.interval * 1000, session.signal);
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolveAbort) => {
    if (signal.aborted) resolveAbort();
    else signal.addEventListener("abort", () => resolveAbort(), { once: true });
  });
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolveSleep();
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) done();
    else signal.addEventListener("abort", done, { once: true });
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
