/**
 * The schedule trigger: fires the pipeline on a cron expression (croner syntax: 5 or 6 fields, `@daily`
 * and friends, optional IANA time zone). croner's `protect` skips a tick while the previous firing still
 * runs; the runner records such overlaps too when another trigger holds the pipeline.
 */
import { Cron } from "croner";
import { invalidParameter } from "../../errors.js";
import type { TriggerRecord } from "./triggerLog.js";
import type { TriggerRunner } from "./triggerRunner.js";

export interface ScheduleOptions {
  timezone?: string | undefined;
}

export interface ScheduleTrigger {
  /** When the next firing is due, or undefined when the schedule has no more runs. */
  nextRun(): Date | undefined;
  stop(): void;
}

/** The next `count` firing times after `from`; throws INVALID_PARAMETER_VALUE for a bad expression. */
export function nextScheduledRuns(
  expression: string,
  count: number,
  from: Date,
  options: ScheduleOptions = {},
): Date[] {
  const cron = parseSchedule(expression, options);
  try {
    return cron.nextRuns(count, from);
  } finally {
    cron.stop();
  }
}

export function startScheduleTrigger(
  expression: string,
  runner: TriggerRunner,
  options: ScheduleOptions & {
    onFiring?: (record: TriggerRecord) => void;
    /** The firing could not even be recorded (the log is unwritable); the schedule keeps going. */
    onError?: (error: Error) => void;
  } = {},
): ScheduleTrigger {
  parseSchedule(expression, options).stop();
  const cron = new Cron(
    expression,
    { protect: true, ...(options.timezone === undefined ? {} : { timezone: options.timezone }) },
    async () => {
      try {
        options.onFiring?.(await runner.fire("schedule", `cron "${expression}"`));
      } catch (error) {
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    },
  );
  return {
    nextRun: () => cron.nextRun() ?? undefined,
    stop: () => cron.stop(),
  };
}

/** A paused Cron, used only to validate and to compute times. */
function parseSchedule(expression: string, options: ScheduleOptions): Cron {
  try {
    return new Cron(expression, {
      paused: true,
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
    });
  } catch (error) {
    throw invalidParameter(`Invalid cron expression "${expression}": ${(error as Error).message}`);
  }
}
