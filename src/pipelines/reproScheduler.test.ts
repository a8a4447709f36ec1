import { describe, expect, it } from "vitest";
import { runSchedule, type ScheduledStage, type StageOutcome } from "./reproScheduler.js";

interface Result {
  outcome: StageOutcome;
  note?: string;
}

/** A controllable stage body: each stage waits until the test lets it finish. */
function gate() {
  const started: string[] = [];
  const release = new Map<string, (outcome: StageOutcome) => void>();
  const run = (name: string): Promise<Result> => {
    started.push(name);
    return new Promise((resolve) => release.set(name, (outcome) => resolve({ outcome })));
  };
  const finish = async (name: string, outcome: StageOutcome = "ran"): Promise<void> => {
    release.get(name)?.(outcome);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, run, finish };
}

const common = {
  fromError: (_name: string, error: unknown): Result => ({ outcome: "failed", note: String(error) }),
  notRun: (
    _name: string,
    why: { outcome: "not-run-upstream-failed"; failed: string } | { outcome: "cancelled"; failed?: string },
  ): Result =>
    why.outcome === "cancelled"
      ? { outcome: "cancelled", ...(why.failed !== undefined ? { note: `stopped by ${why.failed}` } : {}) }
      : { outcome: why.outcome, note: why.failed },
};

const tick = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("runSchedule", () => {
  it("starts a stage only after its upstream stages have finished", async () => {
    const plan: ScheduledStage[] = [
      { name: "prepare", upstream: [] },
      { name: "train", upstream: ["prepare"] },
    ];
    const stages = gate();
    const done = runSchedule(plan, { ...common, jobs: 4, run: stages.run });
    await tick();
    expect(stages.started).toEqual(["prepare"]);
    await stages.finish("prepare");
    expect(stages.started).toEqual(["prepare", "train"]);
    await stages.finish("train");
    expect([...(await done).values()].map((r) => r.outcome)).toEqual(["ran", "ran"]);
  });

  it("runs at most `jobs` independent stages at once", async () => {
    const plan: ScheduledStage[] = ["a", "b", "c"].map((name) => ({ name, upstream: [] }));
    const stages = gate();
    const done = runSchedule(plan, { ...common, jobs: 2, run: stages.run });
    await tick();
    expect(stages.started).toEqual(["a", "b"]);
    await stages.finish("b");
    expect(stages.started).toEqual(["a", "b", "c"]);
    await stages.finish("a");
    await stages.finish("c");
    await done;
  });

  it("keeps a stage that may not start yet waiting without taking a job slot", async () => {
    const plan: ScheduledStage[] = ["gpu1", "gpu2", "cpu"].map((name) => ({ name, upstream: [] }));
    const stages = gate();
    let gpuBusy = false;
    const done = runSchedule(plan, {
      ...common,
      jobs: 2,
      run: stages.run,
      canStart: (name) => {
        if (!name.startsWith("gpu")) return true;
        if (gpuBusy) return false;
        gpuBusy = true;
        return true;
      },
    });
    await tick();
    expect(stages.started).toEqual(["gpu1", "cpu"]);
    gpuBusy = false;
    await stages.finish("gpu1");
    expect(stages.started).toEqual(["gpu1", "cpu", "gpu2"]);
    await stages.finish("gpu2");
    await stages.finish("cpu");
    await done;
  });

  it("starts a refused stage anyway when nothing else runs, so the schedule cannot stall", async () => {
    const results = await runSchedule<Result>([{ name: "impossible", upstream: [] }], {
      ...common,
      jobs: 1,
      canStart: () => false,
      run: async () => ({ outcome: "failed", note: "no such GPU" }),
    });
    expect(results.get("impossible")).toEqual({ outcome: "failed", note: "no such GPU" });
  });

  it("skips every dependant of a failed stage and, keeping going, lets independent stages finish", async () => {
    const plan: ScheduledStage[] = [
      { name: "broken", upstream: [] },
      { name: "child", upstream: ["broken"] },
      { name: "grandchild", upstream: ["child"] },
      { name: "independent", upstream: [] },
    ];
    const results = await runSchedule(plan, {
      ...common,
      jobs: 1,
      keepGoing: true,
      run: async (name) => ({ outcome: name === "broken" ? "failed" : "ran" }),
    });
    expect(Object.fromEntries(results)).toEqual({
      broken: { outcome: "failed" },
      child: { outcome: "not-run-upstream-failed", note: "broken" },
      grandchild: { outcome: "not-run-upstream-failed", note: "broken" },
      independent: { outcome: "ran" },
    });
  });

  it("stops starting stages after a failure unless keeping going, as dvc; running ones finish", async () => {
    const plan: ScheduledStage[] = [
      { name: "slow", upstream: [] },
      { name: "broken", upstream: [] },
      { name: "child", upstream: ["broken"] },
      { name: "independent", upstream: [] },
      { name: "afterSlow", upstream: ["slow"] },
    ];
    const started: string[] = [];
    const results = await runSchedule(plan, {
      ...common,
      jobs: 2,
      run: async (name) => {
        started.push(name);
        if (name === "slow") await tick();
        return { outcome: name === "broken" ? "failed" : "ran" };
      },
    });
    expect(started).toEqual(["slow", "broken"]);
    expect(Object.fromEntries(results)).toEqual({
      slow: { outcome: "ran" },
      broken: { outcome: "failed" },
      child: { outcome: "not-run-upstream-failed", note: "broken" },
      independent: { outcome: "cancelled", note: "stopped by broken" },
      afterSlow: { outcome: "cancelled", note: "stopped by broken" },
    });
  });

  it("retries a failed stage up to its retry count and stops at the first success", async () => {
    const attempts: number[] = [];
    const retried: number[] = [];
    const results = await runSchedule([{ name: "flaky", upstream: [] }], {
      ...common,
      jobs: 1,
      retries: () => 3,
      onRetry: (_name, attempt) => retried.push(attempt),
      run: async (_name, attempt) => {
        attempts.push(attempt);
        return { outcome: attempt < 2 ? "failed" : "ran" };
      },
    });
    expect(attempts).toEqual([1, 2]);
    expect(retried).toEqual([2]);
    expect(results.get("flaky")?.outcome).toBe("ran");
  });

  it("turns a throw of the stage body into a failed result", async () => {
    const results = await runSchedule([{ name: "x", upstream: [] }], {
      ...common,
      jobs: 1,
      run: async () => {
        throw new Error("boom");
      },
    });
    expect(results.get("x")).toEqual({ outcome: "failed", note: "Error: boom" });
  });

  it("marks stages not yet started as cancelled once the signal aborts", async () => {
    const controller = new AbortController();
    const plan: ScheduledStage[] = [
      { name: "a", upstream: [] },
      { name: "b", upstream: ["a"] },
    ];
    const results = await runSchedule<Result>(plan, {
      ...common,
      jobs: 1,
      signal: controller.signal,
      run: async () => {
        controller.abort();
        return { outcome: "cancelled" };
      },
    });
    expect(results.get("b")?.outcome).toBe("cancelled");
  });
});
