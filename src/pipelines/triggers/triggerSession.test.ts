import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileNewDataState, newDataStatePath } from "./newDataTrigger.js";
import { jsonlTriggerLog, triggerLogPath, type TriggerLog } from "./triggerLog.js";
import {
  runTriggerSession,
  validateTriggerOptions,
  type TriggerCommandOptions,
  type TriggerSession,
} from "./triggerSession.js";

const DEFAULTS: TriggerCommandOptions = { interval: 60, host: "127.0.0.1", port: 0 };

describe("trigger session of flowops pipeline trigger", () => {
  let root: string;
  let tmpDir: string;
  let log: TriggerLog;
  let printed: string[];
  let reasons: string[];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "flowops-trigger-cli-"));
    tmpDir = join(root, ".dvc", "tmp");
    log = jsonlTriggerLog(triggerLogPath(tmpDir));
    printed = [];
    reasons = [];
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const session = (overrides: Partial<TriggerSession> = {}): TriggerSession => ({
    root,
    tmpDir,
    log,
    signal: new AbortController().signal,
    print: (line) => printed.push(line),
    now: () => 1_700_000_000_000,
    runPipeline: async (reason) => {
      reasons.push(reason);
      return { ok: true, runId: "20260101T000000-abc123" };
    },
    ...overrides,
  });

  it("rejects option combinations that say nothing or contradict each other", () => {
    expect(() => validateTriggerOptions(DEFAULTS)).toThrow(/Say when to run/);
    expect(() => validateTriggerOptions({ ...DEFAULTS, onNewData: "d.csv" })).toThrow(/needs --threshold/);
    expect(() => validateTriggerOptions({ ...DEFAULTS, threshold: 3 })).toThrow(/--threshold applies/);
    expect(() => validateTriggerOptions({ ...DEFAULTS, once: true, cron: "* * * * *" })).toThrow(
      /cannot combine/,
    );
  });

  it("runs the pipeline once now with --once and records a manual firing", async () => {
    const ok = await runTriggerSession({ ...DEFAULTS, once: true, name: "churn" }, session());
    expect(ok).toBe(true);
    expect(reasons).toEqual(["flowops pipeline trigger --once"]);
    const [record] = await log.list();
    expect(record).toMatchObject({ pipeline: "churn", kind: "manual", outcome: "succeeded" });
    expect(record?.run_id).toBe("20260101T000000-abc123");
    expect(printed).toEqual([
      "2023-11-14T22:13:20.000Z manual -> succeeded run 20260101T000000-abc123 (flowops pipeline trigger --once)",
    ]);
  });

  it("reports a failed --once run as a failure", async () => {
    const ok = await runTriggerSession(
      { ...DEFAULTS, once: true },
      session({ runPipeline: async () => ({ ok: false }) }),
    );
    expect(ok).toBe(false);
    expect((await log.list())[0]?.outcome).toBe("failed");
  });

  it("checks new data once: a baseline first, then fires when the threshold is reached", async () => {
    let samples = 10;
    const opts = { ...DEFAULTS, once: true, onNewData: "data/rows.jsonl", threshold: 5 };
    const s = session({
      countSamples: async (path) => (path === join(root, "data/rows.jsonl") ? samples : -1),
    });
    expect(await runTriggerSession(opts, s)).toBe(true);
    expect(printed.at(-1)).toMatch(/Baseline recorded for data\/rows.jsonl: 10 samples/);
    samples = 15;
    expect(await runTriggerSession(opts, s)).toBe(true);
    expect(reasons).toEqual(["5 new samples in data/rows.jsonl (threshold 5)"]);
    expect((await fileNewDataState(newDataStatePath(tmpDir)).read("data/rows.jsonl"))?.samples).toBe(15);
  });

  it("polls new data until stopped, firing between polls", async () => {
    let samples = 0;
    let polls = 0;
    const stopper = new AbortController();
    const stop = (): void => stopper.abort();
    await runTriggerSession(
      { ...DEFAULTS, onNewData: "images", threshold: 2 },
      session({
        signal: stopper.signal,
        countSamples: async () => samples,
        // A fake clock: each "sleep" adds samples; after three polls the session is stopped.
        sleep: async () => {
          polls += 1;
          samples += 2;
          if (polls === 3) stop();
        },
      }),
    );
    expect(reasons).toHaveLength(2);
    expect((await log.list()).map((r) => r.kind)).toEqual(["new-data", "new-data"]);
  });

  it("keeps polling after a failed count, and gives up after too many in a row", async () => {
    let polls = 0;
    const stopper = new AbortController();
    const stop = (): void => stopper.abort();
    await runTriggerSession(
      { ...DEFAULTS, onNewData: "rows.csv", threshold: 1 },
      session({
        signal: stopper.signal,
        countSamples: async () => {
          polls += 1;
          if (polls === 1) throw new Error("rows.csv: EACCES");
          return 0;
        },
        sleep: async () => {
          if (polls === 2) stop();
        },
      }),
    );
    expect(printed[0]).toBe("error: rows.csv: EACCES (retrying)");
    expect(printed[1]).toMatch(/Baseline recorded for rows.csv: 0 samples/);

    const failing = runTriggerSession(
      { ...DEFAULTS, onNewData: "gone.csv", threshold: 1 },
      session({
        countSamples: async () => {
          throw new Error("gone.csv does not exist");
        },
        sleep: async () => undefined,
      }),
    );
    await expect(failing).rejects.toThrow(/gone.csv does not exist/);
  });

  it("serves the webhook under the pipeline name until stopped", async () => {
    const stopper = new AbortController();
    const stop = (): void => stopper.abort();
    const running = runTriggerSession(
      { ...DEFAULTS, webhook: true, name: "churn" },
      session({ signal: stopper.signal }),
    );
    await expect.poll(() => printed.find((l) => l.startsWith("Listening"))).toBeDefined();
    const url = /POST (\S+)/.exec(printed.find((l) => l.startsWith("Listening")) ?? "")?.[1] ?? "";
    expect(url).toMatch(/\/api\/v1\/pipelines\/churn\/trigger$/);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(202);
    await expect.poll(async () => (await log.list())[0]?.outcome).toBe("succeeded");
    stop();
    await running;
  });
  /** A pipeline run that lasts until the session's signal cancels it, as repro does with its stages. */
  const runUntilCancelled = (started: () => void) => async (_reason: string, signal?: AbortSignal) => {
    started();
    await new Promise<void>((resolve) => {
      if (signal?.aborted === true) resolve();
      else signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    return { ok: false, runId: "cancelled-run" };
  };

  it("cancels the --once run when the session is stopped and records it as cancelled (Ctrl-C regression)", async () => {
    const stopper = new AbortController();
    const ok = await runTriggerSession(
      { ...DEFAULTS, once: true },
      session({
        signal: stopper.signal,
        runPipeline: runUntilCancelled(() =>
          setTimeout(() => stopper.abort(new Error("interrupted by SIGINT")), 10),
        ),
      }),
    );
    expect(ok).toBe(false);
    expect(await log.list()).toEqual([
      expect.objectContaining({
        outcome: "cancelled",
        message: "interrupted by SIGINT",
        run_id: "cancelled-run",
      }),
    ]);
  });

  it("stops a webhook session without waiting for the whole run, recording the firing as cancelled", async () => {
    const stopper = new AbortController();
    let started = false;
    const running = runTriggerSession(
      { ...DEFAULTS, webhook: true, name: "churn" },
      session({ signal: stopper.signal, runPipeline: runUntilCancelled(() => (started = true)) }),
    );
    await expect.poll(() => printed.find((l) => l.startsWith("Listening"))).toBeDefined();
    const url = /POST (\S+)/.exec(printed.find((l) => l.startsWith("Listening")) ?? "")?.[1] ?? "";
    expect(
      (await fetch(url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }))
        .status,
    ).toBe(202);
    await expect.poll(() => started).toBe(true);
    stopper.abort(new Error("interrupted by SIGTERM"));
    await running;
    // The session ended only once the cancelled firing was recorded: nothing is left `running`.
    expect((await log.list()).map((r) => r.outcome)).toEqual(["cancelled"]);
  });

  it("resolves --on-new-data against the cwd and keys its baseline by the repository-relative path", async () => {
    const counted: string[] = [];
    let samples = 4;
    const s = (cwd: string): TriggerSession =>
      session({
        cwd,
        countSamples: async (path) => {
          counted.push(path);
          return samples;
        },
      });
    // From data/, as `flowops data log` does; regression: it resolved d.csv against the repository root.
    expect(
      await runTriggerSession(
        { ...DEFAULTS, once: true, onNewData: "d.csv", threshold: 1 },
        s(join(root, "data")),
      ),
    ).toBe(true);
    expect(counted).toEqual([join(root, "data", "d.csv")]);
    expect(printed.at(-1)).toMatch(/Baseline recorded for data\/d.csv: 4 samples/);
    // Spelled another way from the root, it is the same dataset with the same baseline.
    samples = 5;
    expect(
      await runTriggerSession({ ...DEFAULTS, once: true, onNewData: "./data/d.csv", threshold: 1 }, s(root)),
    ).toBe(true);
    expect(reasons).toEqual(["1 new sample in data/d.csv (threshold 1)"]);
    expect((await fileNewDataState(newDataStatePath(tmpDir)).read("data/d.csv"))?.samples).toBe(5);
  });

  it("still reads a baseline kept under the path as typed by earlier versions", async () => {
    const state = fileNewDataState(newDataStatePath(tmpDir));
    await state.write("./rows.csv", { samples: 10, recorded_at: 1 });
    const opts = { ...DEFAULTS, once: true, onNewData: "./rows.csv", threshold: 2 };
    expect(await runTriggerSession(opts, session({ countSamples: async () => 12 }))).toBe(true);
    expect(reasons).toEqual(["2 new samples in rows.csv (threshold 2)"]);
    // The moved baseline is written under the new name, which wins from then on.
    expect((await state.read("rows.csv"))?.samples).toBe(12);
  });
});
