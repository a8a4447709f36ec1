/**
 * Fires a pipeline for a trigger and records the firing and its outcome. One firing per pipeline at a
 * time: a trigger that arrives while a run is in progress is recorded as `skipped` instead of starting a
 * second repro over the same workspace. The run itself is injected (`RunPipeline`), so triggers know
 * nothing about how a pipeline executes.
 */
import { randomUUID } from "node:crypto";
import type { TriggerKind, TriggerLog, TriggerRecord } from "./triggerLog.js";

/** Runs the pipeline once; `ok` false means the pipeline ran and failed. A throw is an error to run it. */
export type RunPipeline = (reason: string) => Promise<{ ok: boolean; runId?: string }>;

export interface TriggerRunnerOptions {
  pipeline: string;
  runPipeline: RunPipeline;
  log: TriggerLog;
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
  private busy = false;

  constructor(options: TriggerRunnerOptions) {
    this.pipeline = options.pipeline;
    this.runPipeline = options.runPipeline;
    this.log = options.log;
    this.now = options.now ?? (() => Date.now());
    this.newId = options.newId ?? (() => randomUUID().replace(/-/g, ""));
  }

  get running(): boolean {
    return this.busy;
  }

  /** Fires and waits for the outcome. */
  async fire(kind: TriggerKind, reason: string): Promise<TriggerRecord> {
    return (await this.start(kind, reason)).done;
  }

  /** Fires without waiting for the run: the webhook answers as soon as the firing is recorded. */
  async start(kind: TriggerKind, reason: string): Promise<StartedFiring> {
    const base = { id: this.newId(), pipeline: this.pipeline, kind, reason, fired_at: this.now() };
    if (this.busy) {
      const skipped: TriggerRecord = {
        ...base,
        finished_at: base.fired_at,
        outcome: "skipped",
        message: "a run of this pipeline was already in progress",
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
    });
    return { record: running, done };
  }

  private async execute(running: TriggerRecord): Promise<TriggerRecord> {
    let final: TriggerRecord;
    try {
      const result = await this.runPipeline(running.reason);
      final = {
        ...running,
        finished_at: this.now(),
        outcome: result.ok ? "succeeded" : "failed",
        ...(result.runId === undefined ? {} : { run_id: result.runId }),
      };
    } catch (error) {
      final = {
        ...running,
        finished_at: this.now(),
        outcome: "error",
        message: error instanceof Error ? error.message : String(error),
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
