import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileNewDataState, newDataStatePath, NewDataTrigger, type NewDataState } from "./newDataTrigger.js";
import { countSamples } from "./sampleCount.js";
import type { TriggerLog, TriggerRecord } from "./triggerLog.js";
import { TriggerRunner } from "./triggerRunner.js";

function memoryLog(): TriggerLog & { records: TriggerRecord[] } {
  const records: TriggerRecord[] = [];
  return {
    records,
    async append(record) {
      records.push(record);
    },
    async list() {
      return records;
    },
  };
}

describe("new-data trigger", () => {
  let dir: string;
  let state: NewDataState;
  let samples: number;
  let runs: string[];
  let outcome: { ok: boolean; runId?: string };
  let clock: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-newdata-"));
    state = fileNewDataState(newDataStatePath(join(dir, ".dvc", "tmp")));
    samples = 100;
    runs = [];
    outcome = { ok: true, runId: "r1" };
    clock = 5000;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const trigger = (threshold: number) =>
    new NewDataTrigger({
      dataset: "data/train.csv",
      threshold,
      countSamples: async () => samples,
      state,
      now: () => clock,
      runner: new TriggerRunner({
        pipeline: "dvc.yaml",
        log: memoryLog(),
        now: () => clock,
        runPipeline: async (reason) => {
          runs.push(reason);
          return outcome;
        },
      }),
    });

  it("records a baseline on the first check without firing", async () => {
    const { check, firing } = await trigger(10).poll();
    expect(check).toMatchObject({ current: 100, baseline: undefined, newSamples: 0, due: false });
    expect(firing).toBeUndefined();
    expect(await state.read("data/train.csv")).toEqual({ samples: 100, recorded_at: 5000 });
  });

  it("fires once the new samples reach the threshold, not before", async () => {
    const t = trigger(10);
    await t.poll();
    samples = 109;
    expect((await t.poll()).check).toMatchObject({ newSamples: 9, due: false });
    expect(runs).toEqual([]);
    samples = 110;
    clock = 6000;
    const { firing } = await t.poll();
    expect(firing?.outcome).toBe("succeeded");
    expect(runs).toEqual(["10 new samples in data/train.csv (threshold 10)"]);
    expect(await state.read("data/train.csv")).toEqual({ samples: 110, recorded_at: 6000, run_id: "r1" });
    // The baseline moved: the same data does not fire again.
    expect((await t.poll()).check).toMatchObject({ newSamples: 0, due: false });
    expect(runs).toHaveLength(1);
  });

  it("keeps the old baseline after a failed run so the next check fires again", async () => {
    const t = trigger(5);
    await t.poll();
    samples = 120;
    outcome = { ok: false };
    expect((await t.poll()).firing?.outcome).toBe("failed");
    expect((await state.read("data/train.csv"))?.samples).toBe(100);
    outcome = { ok: true };
    expect((await t.poll()).firing?.outcome).toBe("succeeded");
    expect(runs).toHaveLength(2);
    expect((await state.read("data/train.csv"))?.samples).toBe(120);
  });

  it("counts no new samples when the dataset shrank below its baseline", async () => {
    const t = trigger(1);
    await t.poll();
    samples = 40;
    expect((await t.poll()).check).toMatchObject({ current: 40, baseline: 100, newSamples: 0, due: false });
  });

  it("refuses a threshold below one", () => {
    expect(() => trigger(0)).toThrow(/--threshold must be a positive integer/);
  });

  it("keeps the baselines of several datasets in one state file", async () => {
    await state.write("a", { samples: 1, recorded_at: 1 });
    await state.write("b", { samples: 2, recorded_at: 2 });
    const text = await readFile(newDataStatePath(join(dir, ".dvc", "tmp")), "utf8");
    expect(JSON.parse(text)).toEqual({
      datasets: { a: { samples: 1, recorded_at: 1 }, b: { samples: 2, recorded_at: 2 } },
    });
  });
});

describe("sample counting", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-samples-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("counts CSV rows without the header, blank lines or newlines inside quoted fields", async () => {
    const path = join(dir, "train.csv");
    await writeFile(path, 'id,text\r\n1,"two\nlines"\r\n\r\n2,"say ""hi"""\n3,plain');
    expect(await countSamples(path)).toBe(3);
  });

  it("counts JSONL lines, with or without a final newline", async () => {
    const path = join(dir, "rows.jsonl");
    await writeFile(path, '{"a":1}\n{"a":2}\n\n{"a":3}');
    expect(await countSamples(path)).toBe(3);
    await writeFile(path, '{"a":1}\n');
    expect(await countSamples(path)).toBe(1);
  });

  it("counts the files under a directory, recursively, without following symlinks", async () => {
    await mkdir(join(dir, "images", "cats"), { recursive: true });
    await writeFile(join(dir, "images", "a.png"), "a");
    await writeFile(join(dir, "images", "cats", "b.png"), "b");
    await symlink(join(dir, "images", "a.png"), join(dir, "images", "link.png"));
    expect(await countSamples(join(dir, "images"))).toBe(2);
  });

  it("names the file and the formats it knows for anything else", async () => {
    const path = join(dir, "model.bin");
    await writeFile(path, "x");
    await expect(countSamples(path)).rejects.toThrow(/model\.bin.*\.csv, \.tsv, \.jsonl, \.ndjson/);
    await expect(countSamples(join(dir, "missing.csv"))).rejects.toThrow(/missing\.csv does not exist/);
  });
});
