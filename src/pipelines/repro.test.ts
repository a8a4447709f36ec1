import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { readLock } from "./dvcLock.js";
import { dir, outcomes, read, run, setUp, useReproWorkspace } from "./reproFixtures.js";

useReproWorkspace();

const COPY_PIPELINE = `stages:
  copy:
    cmd: cat data.txt > out.txt && echo ran >> runs.log
    deps:
    - data.txt
    params:
    - lr
    outs:
    - out.txt
`;

describe("repro with forceDownstream", () => {
  it("runs a stage whose deps did not change when a stage upstream of it ran", async () => {
    await setUp({
      "dvc.yaml": `stages:
  a:
    cmd: cat data.txt > /dev/null && echo same > a.txt && echo a >> runs.log
    deps: [data.txt]
    outs: [a.txt]
  b:
    cmd: cat a.txt > b.txt && echo b >> runs.log
    deps: [a.txt]
    outs: [b.txt]
`,
      "data.txt": "v1\n",
    });
    await run();
    await writeFile(join(dir, "data.txt"), "v2\n");
    expect(outcomes(await run({ runCache: false }))).toEqual({ a: "ran", b: "skipped" });
    await writeFile(join(dir, "data.txt"), "v3\n");
    expect(outcomes(await run({ runCache: false, forceDownstream: true }))).toEqual({ a: "ran", b: "ran" });
    expect(outcomes(await run({ runCache: false, forceDownstream: true }))).toEqual({
      a: "skipped",
      b: "skipped",
    });
    // Forced stages never ask the run-cache (dvc's run_stage), though b's inputs match an entry.
    await writeFile(join(dir, "data.txt"), "v4\n");
    expect(outcomes(await run({ forceDownstream: true }))).toEqual({ a: "ran", b: "ran" });
    expect(await read("runs.log")).toBe("a\nb\na\na\nb\na\nb\n");
  });
});

describe("repro change detection", () => {
  beforeEach(async () => {
    await setUp({ "dvc.yaml": COPY_PIPELINE, "data.txt": "v1\n", "params.yaml": "lr: 0.1\n" });
    expect(outcomes(await run())).toEqual({ copy: "ran" });
  });

  it("skips a stage whose cmd, deps, params and outs are unchanged", async () => {
    expect(outcomes(await run())).toEqual({ copy: "skipped" });
    expect(await read("runs.log")).toBe("ran\n");
  });

  it("reruns when a dependency changes, and records the new hash", async () => {
    await writeFile(join(dir, "data.txt"), "v2\n");
    const result = await run({ runCache: false });
    expect(outcomes(result)).toEqual({ copy: "ran" });
    expect(result.stages[0]?.changes).toEqual([{ kind: "deps", path: "data.txt", status: "modified" }]);
    expect(await read("out.txt")).toBe("v2\n");
    expect((await readLock(dir)).stages.get("copy")?.deps[0]?.md5).toBe(await md5Of("v2\n"));
  });

  it("reruns when a tracked param changes", async () => {
    await writeFile(join(dir, "params.yaml"), "lr: 0.2\n");
    const result = await run();
    expect(result.stages[0]?.changes).toEqual([
      { kind: "params", file: "params.yaml", key: "lr", status: "modified" },
    ]);
    expect((await readLock(dir)).stages.get("copy")?.params["params.yaml"]).toEqual({ lr: 0.2 });
  });

  it("reruns when the command changes", async () => {
    await writeFile(join(dir, "dvc.yaml"), COPY_PIPELINE.replace("cat data.txt", "cat  data.txt"));
    const result = await run();
    expect(result.stages[0]?.changes).toEqual([{ kind: "cmd" }]);
    expect(outcomes(result)).toEqual({ copy: "ran" });
  });

  it("reruns when an output was modified or deleted", async () => {
    await writeFile(join(dir, "out.txt"), "edited\n");
    const modified = await run({ runCache: false });
    expect(modified.stages[0]?.changes).toEqual([{ kind: "outs", path: "out.txt", status: "modified" }]);
    await rm(join(dir, "out.txt"));
    const deleted = await run({ runCache: false });
    expect(deleted.stages[0]?.changes).toEqual([{ kind: "outs", path: "out.txt", status: "deleted" }]);
    expect(await read("out.txt")).toBe("v1\n");
  });

  it("reruns everything with force even when nothing changed", async () => {
    expect(outcomes(await run({ force: true }))).toEqual({ copy: "ran" });
    expect(await read("runs.log")).toBe("ran\nran\n");
  });

  it("does not rerun for an output missing from the workspace with allowMissing", async () => {
    await rm(join(dir, "out.txt"));
    expect(outcomes(await run({ allowMissing: true }))).toEqual({ copy: "skipped" });
    expect(existsSync(join(dir, "out.txt"))).toBe(false);
    await writeFile(join(dir, "data.txt"), "v3\n");
    expect(outcomes(await run({ allowMissing: true }))).toEqual({ copy: "ran" });
  });

  it("reports what would run with --dry and changes nothing", async () => {
    await writeFile(join(dir, "data.txt"), "v2\n");
    const lockBefore = await read("dvc.lock");
    const result = await run({ dry: true });
    expect(result.stages[0]).toMatchObject({ outcome: "skipped", wouldRun: true });
    expect(await read("out.txt")).toBe("v1\n");
    expect(await read("dvc.lock")).toBe(lockBefore);
  });

  it("adds the outs to .gitignore and commits them to the object cache", async () => {
    expect(await read(".gitignore")).toBe("/out.txt\n");
    const md5 = await md5Of("v1\n");
    expect(existsSync(join(dir, ".dvc", "cache", "files", "md5", md5.slice(0, 2), md5.slice(2)))).toBe(true);
  });
});

describe("repro run-cache", () => {
  it("restores outputs of an earlier run with the same inputs without running the command", async () => {
    await setUp({ "dvc.yaml": COPY_PIPELINE, "data.txt": "v1\n", "params.yaml": "lr: 0.1\n" });
    await run();
    await writeFile(join(dir, "data.txt"), "v2\n");
    await run();
    await writeFile(join(dir, "data.txt"), "v1\n");
    const result = await run();
    expect(outcomes(result)).toEqual({ copy: "restored" });
    expect(await read("runs.log")).toBe("ran\nran\n");
    expect(await read("out.txt")).toBe("v1\n");
    expect(outcomes(await run())).toEqual({ copy: "skipped" });
  });

  it("restores uncached metrics too, as plain files", async () => {
    await setUp({
      "dvc.yaml": `stages:
  score:
    cmd: cat data.txt > out.txt && cat data.txt > metrics.json && echo ran >> runs.log
    deps: [data.txt]
    outs: [out.txt]
    metrics:
    - metrics.json:
        cache: false
`,
      "data.txt": "1\n",
    });
    await run();
    await writeFile(join(dir, "data.txt"), "2\n");
    await run();
    await writeFile(join(dir, "data.txt"), "1\n");
    expect(outcomes(await run())).toEqual({ score: "restored" });
    expect(await read("runs.log")).toBe("ran\nran\n");
    expect(await read("metrics.json")).toBe("1\n");
    expect(await read(".gitignore")).toBe("/out.txt\n");
  });

  it("runs the command with --no-run-cache even when an entry exists", async () => {
    await setUp({ "dvc.yaml": COPY_PIPELINE, "data.txt": "v1\n", "params.yaml": "lr: 0.1\n" });
    await run();
    await writeFile(join(dir, "data.txt"), "v2\n");
    await run();
    // Back to the inputs of the first run: the run-cache has them, dvc.lock does not.
    await writeFile(join(dir, "data.txt"), "v1\n");
    expect(outcomes(await run({ runCache: false }))).toEqual({ copy: "ran" });
    expect(await read("runs.log")).toBe("ran\nran\nran\n");
  });

  // Regression: an out deleted or edited ran the stage again; dvc's restore takes it from dvc.lock first.
  it("restores an unchanged stage's deleted or edited outs from its dvc.lock entry, even with --no-run-cache", async () => {
    const repo = await setUp({ "dvc.yaml": COPY_PIPELINE, "data.txt": "v1\n", "params.yaml": "lr: 0.1\n" });
    await run();
    await rm(join(repo.cacheDir, "runs"), { recursive: true, force: true });
    await rm(join(dir, "out.txt"));
    expect(outcomes(await run({ runCache: false }))).toEqual({ copy: "restored" });
    await writeFile(join(dir, "out.txt"), "edited\n");
    expect(outcomes(await run())).toEqual({ copy: "restored" });
    expect(await read("out.txt")).toBe("v1\n");
    expect(await read("runs.log")).toBe("ran\n");
  });
});

describe("repro of a frozen stage", () => {
  it("never runs the command, verifies the outs and records them", async () => {
    await setUp({
      "dvc.yaml":
        "stages:\n  frozen:\n    cmd: echo ran > runs.log\n    outs: [model.bin]\n    frozen: true\n",
      "model.bin": "m\n",
    });
    const result = await run();
    expect(result.stages[0]).toMatchObject({ outcome: "skipped", message: "frozen", verifiedFrozen: true });
    expect(existsSync(join(dir, "runs.log"))).toBe(false);
    expect((await readLock(dir)).stages.get("frozen")?.outs[0]?.md5).toBe(await md5Of("m\n"));
  });

  it("fails when a frozen stage's outs are missing", async () => {
    await setUp({
      "dvc.yaml": "stages:\n  frozen:\n    cmd: echo ran\n    outs: [model.bin]\n    frozen: true\n",
    });
    const result = await run();
    expect(result.stages[0]?.outcome).toBe("failed");
    // dvc's MissingDataSource, once it has said it verifies the outputs.
    expect(result.stages[0]).toMatchObject({
      verifiedFrozen: true,
      message: "stage 'frozen': missing data 'source': model.bin",
    });
  });
});

async function md5Of(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("md5").update(text).digest("hex");
}
