import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonlTriggerLog, triggerLogPath, type TriggerLog } from "./triggerLog.js";
import { TriggerRunner, type RunPipeline } from "./triggerRunner.js";

describe("trigger runner and its log", () => {
  let dir: string;
  let log: TriggerLog;
  let clock: number;
  let ids: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-triggers-"));
    log = jsonlTriggerLog(triggerLogPath(join(dir, ".dvc", "tmp")));
    clock = 1000;
    ids = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const runner = (runPipeline: RunPipeline) =>
    new TriggerRunner({
      pipeline: "train",
      runPipeline,
      log,
      now: () => (clock += 10),
      newId: () => `t${++ids}`,
    });

  it("records a successful firing with the run id and its timing", async () => {
    const record = await runner(async () => ({ ok: true, runId: "run-1" })).fire("manual", "by hand");
    expect(record).toEqual({
      id: "t1",
      pipeline: "train",
      kind: "manual",
      reason: "by hand",
      fired_at: 1010,
      finished_at: 1020,
      outcome: "succeeded",
      run_id: "run-1",
    });
    expect(await log.list()).toEqual([record]);
    // Two lines on disk: the start and the outcome, under one id.
    const lines = (await readFile(triggerLogPath(join(dir, ".dvc", "tmp")), "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual([
      "running",
      "succeeded",
    ]);
  });

  it("records a failed pipeline as failed and a throwing runner as error with its message", async () => {
    const failed = await runner(async () => ({ ok: false })).fire("schedule", "cron");
    const errored = await runner(async () => {
      throw new Error("dvc.yaml:3: bad stage");
    }).fire("schedule", "cron");
    expect(failed.outcome).toBe("failed");
    expect(errored).toMatchObject({ outcome: "error", message: "dvc.yaml:3: bad stage" });
    expect((await log.list()).map((r) => r.outcome)).toEqual(["failed", "error"]);
  });

  it("skips a firing that arrives while the pipeline is still running", async () => {
    let finish: (value: { ok: boolean }) => void = () => undefined;
    const slow = runner(() => new Promise((resolve) => (finish = resolve)));
    const first = await slow.start("webhook", "first");
    expect(first.record.outcome).toBe("running");
    expect(slow.running).toBe(true);
    const second = await slow.start("new-data", "second");
    expect(second.record).toMatchObject({ outcome: "skipped", kind: "new-data" });
    expect((await log.list()).map((r) => r.outcome)).toEqual(["running", "skipped"]);
    finish({ ok: true });
    expect((await first.done).outcome).toBe("succeeded");
    expect(slow.running).toBe(false);
    expect((await log.list()).map((r) => r.outcome)).toEqual(["succeeded", "skipped"]);
  });

  it("keeps only the newest firings when a limit is given", async () => {
    const r = runner(async () => ({ ok: true }));
    for (const reason of ["a", "b", "c"]) await r.fire("manual", reason);
    expect((await log.list({ limit: 2 })).map((x) => x.reason)).toEqual(["b", "c"]);
  });

  it("reads an empty log when the file does not exist yet", async () => {
    expect(await log.list()).toEqual([]);
  });

  it("skips a torn last line but names the file and line of a corrupt one in the middle", async () => {
    const path = join(dir, "log.jsonl");
    const good = JSON.stringify({
      id: "a",
      pipeline: "p",
      kind: "manual",
      reason: "r",
      fired_at: 1,
      outcome: "succeeded",
    });
    await writeFile(path, `${good}\n{"id": "b", "pipel`);
    expect((await jsonlTriggerLog(path).list()).map((r) => r.id)).toEqual(["a"]);
    await writeFile(path, `${good}\nnot json\n${good}\n`);
    await expect(jsonlTriggerLog(path).list()).rejects.toThrow(/log\.jsonl:2: not a trigger record/);
  });
  it("cancels the run through its signal and records a cancelled firing, then starts no new run", async () => {
    const stopper = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    const cancellable = new TriggerRunner({
      pipeline: "train",
      log,
      signal: stopper.signal,
      now: () => (clock += 10),
      newId: () => `t${++ids}`,
      runPipeline: async (_reason, signal) => {
        signals.push(signal);
        await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve()));
        return { ok: false, runId: "run-1" };
      },
    });
    const { done } = await cancellable.start("schedule", "cron");
    stopper.abort(new Error("interrupted by SIGINT"));
    await cancellable.settled();
    expect(await done).toMatchObject({
      outcome: "cancelled",
      message: "interrupted by SIGINT",
      run_id: "run-1",
    });
    expect(signals).toEqual([stopper.signal]);
    const late = await cancellable.fire("webhook", "too late");
    expect(late).toMatchObject({ outcome: "skipped", message: "the trigger session is stopping" });
    expect(signals).toHaveLength(1);
  });
});
