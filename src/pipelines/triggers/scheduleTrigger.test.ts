import { describe, expect, it } from "vitest";
import { nextScheduledRuns, startScheduleTrigger } from "./scheduleTrigger.js";
import { TriggerRunner } from "./triggerRunner.js";

describe("schedule trigger", () => {
  it("computes the next firing times of a cron expression in UTC", () => {
    const from = new Date("2026-01-01T10:17:00Z");
    expect(
      nextScheduledRuns("0 */6 * * *", 3, from, { timezone: "UTC" }).map((d) => d.toISOString()),
    ).toEqual(["2026-01-01T12:00:00.000Z", "2026-01-01T18:00:00.000Z", "2026-01-02T00:00:00.000Z"]);
  });

  it("honours a time zone", () => {
    const from = new Date("2026-07-01T00:00:00Z");
    const [next] = nextScheduledRuns("30 2 * * *", 1, from, { timezone: "Europe/Paris" });
    expect(next?.toISOString()).toBe("2026-07-01T00:30:00.000Z");
  });

  it("rejects a malformed expression as INVALID_PARAMETER_VALUE quoting it", () => {
    expect(() => nextScheduledRuns("61 * * * *", 1, new Date())).toThrow(
      /Invalid cron expression "61 \* \* \* \*"/,
    );
  });

  it("starts a schedule that reports its next run and stops without firing", () => {
    const runner = new TriggerRunner({
      pipeline: "p",
      log: { append: async () => undefined, list: async () => [] },
      runPipeline: async () => ({ ok: true }),
    });
    const schedule = startScheduleTrigger("0 0 1 1 *", runner, { timezone: "UTC" });
    try {
      const next = schedule.nextRun();
      expect(next).toBeInstanceOf(Date);
      expect(next?.getUTCMonth()).toBe(0);
      expect(next?.getUTCDate()).toBe(1);
    } finally {
      schedule.stop();
    }
    expect(schedule.nextRun()).toBeUndefined();
  });
});
