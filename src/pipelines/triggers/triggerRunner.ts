/**
 * Fires a pipeline for a trigger and records the firing and its outcome. One firing per pipeline at a
 * time: a trigger that arrives while a run is in progress is recorded as `skipped` instead of starting a
 * second repro over the same workspace. The run itself is injected (`RunPipeline`), so triggers know
 * nothing about how a pipeline executes.
 */
import { randomUUID } from "node:crypto";
import type { TriggerKind, TriggerLog, TriggerRecord } from "./triggerLog.js";

/**
 * Runs the pipeline once; `ok` false means the pipeline ran and failed. A throw is an error to run it.
 * `signal` aborts when the trigger session stops; the run should then stop its stages and return.
 */
export type RunPipeline = (reason: string, signal?: AbortSignal) => Promise<{ ok: boolean; runId?: string }>;

export interface TriggerRunnerOptions {
  pipeline: string;
  runPipeline: RunPipeline;
  log: TriggerLog;
  /**
   * Aborted when the session stops: the run in progress is cancelled through it, and no new run starts.
   * Without it a stopped session would wait for (or, on a second Ctrl-C, orphan) a whole repro.
   */
  signal?: AbortSignal;
  now?: () => number;
  newId?: () => string;
}

export interface StartedFiring {
  /** The firing as first recorded: `running`, or `skipped` when a run was already in progress. */
  record: TriggerRecord;
  /** Settles (never rejects) with the final record once the run ends and is recorded. */
  done: Promise<TriggerRecord>;
}

export class TriggerRunner {
  readonly pipeline: string;
  private readonly runPipeline: RunPipeline;
  private readonly log: TriggerLog;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly signal: AbortSignal | undefined;
  private busy = false;
  /** The firing in progress, so a stopping session can wait until its outcome is recorded. */
  private current: Promise<TriggerRecord> | undefined;

  constructor(options: TriggerRunnerOptions) {
    this.pipeline = options.pipeline;
    this.runPipeline = options.runPipeline;
    this.log = options.log;
    this.now = options.now ?? (() => Date.now());
    this.newId = options.newId ?? (() => randomUUID().replace(/-/g, ""));
    this.signal = options.signal;
  }

  get running(): boolean {
    return this.busy;
  }

  /** Settles once the firing in progress (if any) has ended and its outcome is recorded. */
  async settled(): Promise<void> {
    await this.current;
  }

  /** Fires and waits for the outcome. */
  async fire(kind: TriggerKind, reason: string): Promise<TriggerRecord> {
    return (await this.start(kind, reason)).done;
  }

  /** Fires without waiting for the run: the webhook answers as soon as the firing is recorded. */
  async start(kind: TriggerKind, reason: string): Promise<StartedFiring> {
    const base = { id: this.newId(), pipeline: this.pipeline, kind, reason, fired_at: this.now() };
    const stopping = this.signal?.aborted === true;
    if (this.busy || stopping) {
      const skipped: TriggerRecord = {
        ...base,
        finished_at: base.fired_at,
        outcome: "skipped",
        message: stopping
          ? "the trigger session is stopping"
          : "a run of this pipeline was already in progress",
      };
      await this.log.append(skipped);
      return { record: skipped, done: Promise.resolve(skipped) };
    }
    const running: TriggerRecord = { ...base, outcome: "running" };
    // Claim the pipeline before the first await so a concurrent start sees it busy.
    this.busy = true;
    try {
      await this.log.append(running);
    } catch (error) {
      this.busy = false;
      throw error;
    }
    const done = this.execute(running).finally(() => {
      this.busy = false;
      this.current = undefined;
    });
    this.current = done;
    return { record: running, done };
  }

  private async execute(running: TriggerRecord): Promise<TriggerRecord> {
    let final: TriggerRecord;
    try {
      const result = await this.runPipeline(running.reason, this.signal);
      // A run that failed because we cancelled it is not a pipeline failure; one that finished anyway counts.
      const cancelled = !result.ok && this.signal?.aborted === true;
      final = {
        ...running,
        finished_at: this.now(),
        outcome: result.ok ? "succeeded" : cancelled ? "cancelled" : "failed",
        ...(result.runId === undefined ? {} : { run_id: result.runId }),
        ...(cancelled ? { message: abortMessage(this.signal) } : {}),
      };
    } catch (error) {
      const cancelled = this.signal?.aborted === true;
      final = {
        ...running,
        finished_at: this.now(),
        outcome: cancelled ? "cancelled" : "error",
        message: cancelled
          ? abortMessage(this.signal)
          : error instanceof Error
            ? error.message
            : String(error),
      };
    }
    try {
      await this.log.append(final);
    } catch (error) {
      final = {
        ...final,
        message: `${final.message ?? ""} (not recorded: ${(error as Error).message})`.trim(),
      };
    }
    return final;
  }
}

function abortMessage(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : "the trigger session was stopped";
}
