import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "../data/dataRepo.js";
import type { LockEntry } from "./dvcLock.js";
import { parsePipeline } from "./dvcYaml.js";
import { PyFloat } from "./pythonValues.js";
import { repro } from "./repro.js";
import {
  isRunCacheable,
  parseRunCacheEntry,
  runCacheJson,
  runCacheKey,
  runCachePath,
  runCacheValue,
  serializeRunCacheEntry,
} from "./runCache.js";

/** The entry `dvc repro` (3.67.1) wrote for the stage in DVC_PIPELINE, and the names it gave it. */
const DVC_ENTRY: LockEntry = {
  cmd: "cat data.txt > out.txt && mkdir -p outdir && echo a > outdir/a && echo b > outdir/b",
  deps: [{ path: "data.txt", hash: "md5", md5: "b1946ac92492d2347c6235b4d2611184", size: 6 }],
  params: { "params.yaml": { lr: 0.01, "train.epochs": 5 } },
  outs: [
    { path: "out.txt", hash: "md5", md5: "b1946ac92492d2347c6235b4d2611184", size: 6 },
    { path: "outdir", hash: "md5", md5: "562ee692a592790b08e880eff9046f72.dir", size: 4, nfiles: 2 },
  ],
};
const DVC_KEY = "a6dab4a95791a37d8f3b4a4049e0a6821dd293996b574a6b49d3bdfd22d89a06";
const DVC_VALUE = "ab435aa0e82060db787a2cbf4747d2b10e683d86636c2e641cdffa73740bf7f0";
const DVC_PIPELINE = `stages:
  train:
    cmd: cat data.txt > out.txt && mkdir -p outdir && echo a > outdir/a && echo b > outdir/b
    deps:
    - data.txt
    params:
    - lr
    - train.epochs
    outs:
    - out.txt
    - outdir
`;
const DVC_BIN = join(import.meta.dirname, "..", "..", "tests", "compat", ".venv", "dvc", "bin", "dvc");
/** Each dvc command takes seconds, more on a loaded 2-core machine. */
const DVC_TIMEOUT_MS = 120_000;

describe("run-cache names", () => {
  it("computes the key and value dvc 3.67.1 wrote for the same stage", () => {
    expect(runCacheKey(DVC_ENTRY)).toBe(DVC_KEY);
    expect(runCacheValue(DVC_ENTRY)).toBe(DVC_VALUE);
  });

  it("keys on the outs' paths only, so a different result of the same inputs shares the key", () => {
    const other = {
      ...DVC_ENTRY,
      outs: [{ ...DVC_ENTRY.outs[0]!, md5: "0".repeat(32) }, DVC_ENTRY.outs[1]!],
    };
    expect(runCacheKey(other)).toBe(DVC_KEY);
    expect(runCacheValue(other)).not.toBe(DVC_VALUE);
  });

  it("dumps JSON as Python does with sort_keys: code-point order, size and nfiles dropped at any depth", () => {
    expect(runCacheJson({ b: 1, a: { size: 3, "10": 1, "9": new PyFloat(2), nfiles: 1 }, é: "é" })).toBe(
      '{"a": {"10": 1, "9": 2.0}, "b": 1, "\\u00e9": "\\u00e9"}',
    );
  });

  it("places an entry under runs/<key[:2]>/<key>/<value>", () => {
    expect(runCachePath("/c", DVC_KEY, DVC_VALUE)).toBe(`/c/runs/a6/${DVC_KEY}/${DVC_VALUE}`);
  });

  it("writes the entry's YAML as dvc does and reads it back", () => {
    const text = serializeRunCacheEntry(DVC_ENTRY);
    expect(text).toBe(
      "cmd: cat data.txt > out.txt && mkdir -p outdir && echo a > outdir/a && echo b > \n  outdir/b\n" +
        "deps:\n- path: data.txt\n  hash: md5\n  md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n" +
        "params:\n  params.yaml:\n    lr: 0.01\n    train.epochs: 5\n" +
        "outs:\n- path: out.txt\n  hash: md5\n  md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n" +
        "- path: outdir\n  hash: md5\n  md5: 562ee692a592790b08e880eff9046f72.dir\n  size: 4\n  nfiles: 2\n",
    );
    expect(parseRunCacheEntry("entry", text)).toEqual(DVC_ENTRY);
  });
});

describe("isRunCacheable", () => {
  const stageOf = async (body: string) =>
    (await parsePipeline("/r", "/r/dvc.yaml", `stages:\n  s:\n${body}`)).stages[0]!;

  it("accepts a stage with a cmd, deps and outs", async () => {
    expect(isRunCacheable(await stageOf("    cmd: x\n    deps: [a]\n    outs: [b]\n"))).toBe(true);
  });

  it("refuses callback, always_changed, persist, cache: false and out-less stages", async () => {
    expect(isRunCacheable(await stageOf("    cmd: x\n"))).toBe(false);
    expect(
      isRunCacheable(await stageOf("    cmd: x\n    deps: [a]\n    outs: [b]\n    always_changed: true\n")),
    ).toBe(false);
    expect(
      isRunCacheable(await stageOf("    cmd: x\n    deps: [a]\n    outs: [{b: {persist: true}}]\n")),
    ).toBe(false);
    expect(
      isRunCacheable(await stageOf("    cmd: x\n    deps: [a]\n    outs: [{b: {cache: false}}]\n")),
    ).toBe(false);
    expect(isRunCacheable(await stageOf("    cmd: x\n    deps: [a]\n"))).toBe(false);
  });

  it("accepts uncached metrics, as dvc does", async () => {
    const stage = await stageOf(
      "    cmd: x\n    deps: [a]\n    outs: [b]\n    metrics: [{m.json: {cache: false}}]\n",
    );
    expect(isRunCacheable(stage)).toBe(true);
  });
});

describe("run-cache files shared with dvc", () => {
  let dir: string;
  let repo: DataRepo | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-runcache-"));
    execFileSync("git", ["init", "-q"], { cwd: dir });
    await writeFile(join(dir, "dvc.yaml"), DVC_PIPELINE);
    await writeFile(join(dir, "data.txt"), "hello\n");
    await writeFile(join(dir, "params.yaml"), "lr: 0.01\ntrain:\n  epochs: 5\n");
  });
  afterEach(async () => {
    if (repo !== undefined) closeDataRepo(repo);
    repo = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the run-cache file and .gitignore entries dvc writes for the same stage", async () => {
    repo = await initDataRepo(dir);
    await repro(repo);
    const path = runCachePath(repo.cacheDir, DVC_KEY, DVC_VALUE);
    expect(await readFile(path, "utf8")).toBe(serializeRunCacheEntry(DVC_ENTRY));
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("/out.txt\n/outdir\n");
  });

  it("restores the newest entry of a key by mtime, as dvc does", async () => {
    repo = await initDataRepo(dir);
    await repro(repo);
    const older = runCachePath(repo.cacheDir, DVC_KEY, DVC_VALUE);
    // A second result for the same inputs, written later: its out.txt holds other bytes.
    const other: LockEntry = {
      ...DVC_ENTRY,
      outs: [{ ...DVC_ENTRY.outs[0]!, md5: "5d41402abc4b2a76b9719d911017c592", size: 5 }, DVC_ENTRY.outs[1]!],
    };
    await repo.cache.addBytes("5d41402abc4b2a76b9719d911017c592", Buffer.from("hello"));
    const newer = runCachePath(repo.cacheDir, DVC_KEY, runCacheValue(other));
    await writeFile(newer, serializeRunCacheEntry(other));
    await utimes(older, new Date(1_000_000), new Date(1_000_000));
    await rm(join(dir, "out.txt"));
    // Without it the stage's own dvc.lock entry would restore it first, as dvc's restore does.
    await rm(join(dir, "dvc.lock"));
    const result = await repro(repo);
    expect(result.stages[0]?.outcome).toBe("restored");
    expect(await readFile(join(dir, "out.txt"), "utf8")).toBe("hello");
  });

  it("restores a stage whose deps are not listed in path order (the key sorts them, as dvc.lock does)", async () => {
    await writeFile(join(dir, "a.txt"), "a\n");
    await writeFile(join(dir, "b.txt"), "b\n");
    await writeFile(join(dir, "params.yaml"), "p: 1\n");
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  s:\n    cmd: echo ran >> runs.log; cat b.txt a.txt > o.txt\n    deps: [b.txt, a.txt]\n" +
        "    params: [p]\n    outs: [o.txt]\n",
    );
    repo = await initDataRepo(dir);
    await repro(repo);
    await writeFile(join(dir, "params.yaml"), "p: 2\n");
    await repro(repo);
    await writeFile(join(dir, "params.yaml"), "p: 1\n");
    const result = await repro(repo);
    expect(result.stages[0]?.outcome).toBe("restored");
    expect(await readFile(join(dir, "runs.log"), "utf8")).toBe("ran\nran\n");
  });

  it.skipIf(!existsSync(DVC_BIN) && process.env.FLOWOPS_REQUIRE_DVC !== "1")(
    "leaves a workspace that dvc status reports up to date",
    async () => {
      repo = await initDataRepo(dir);
      await repro(repo);
      expect(execFileSync(DVC_BIN, ["status", "--json"], { cwd: dir, encoding: "utf8" }).trim()).toBe("{}");
    },
    DVC_TIMEOUT_MS,
  );

  it.skipIf(!existsSync(DVC_BIN) && process.env.FLOWOPS_REQUIRE_DVC !== "1")(
    "restores from a run-cache entry that dvc itself wrote",
    async () => {
      execFileSync(DVC_BIN, ["init", "-q"], { cwd: dir });
      execFileSync(DVC_BIN, ["repro", "-q"], { cwd: dir });
      const dvcLock = await readFile(join(dir, "dvc.lock"), "utf8");
      expect(await readdir(join(dir, ".dvc", "cache", "runs", "a6"))).toEqual([DVC_KEY]);
      await rm(join(dir, "out.txt"));
      await rm(join(dir, "outdir"), { recursive: true });
      await rm(join(dir, "dvc.lock"));
      repo = await openDataRepo(dir);
      const result = await repro(repo);
      expect(result.stages[0]?.outcome).toBe("restored");
      expect(await readFile(join(dir, "outdir", "b"), "utf8")).toBe("b\n");
      expect(await readFile(join(dir, "dvc.lock"), "utf8")).toBe(dvcLock);
    },
    DVC_TIMEOUT_MS,
  );
});
