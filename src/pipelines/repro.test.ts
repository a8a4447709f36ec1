import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { readLock } from "./dvcLock.js";
import { repro, type ReproOptions, type ReproResult } from "./repro.js";

let dir: string;
let repo: DataRepo | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-repro-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
});

afterEach(async () => {
  if (repo !== undefined) closeDataRepo(repo);
  repo = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setUp(files: Record<string, string>): Promise<DataRepo> {
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  repo = await initDataRepo(dir);
  return repo;
}

async function run(options: ReproOptions = {}): Promise<ReproResult> {
  if (repo === undefined) throw new Error("setUp first");
  return repro(repo, options);
}

const outcomes = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(result.stages.map((s) => [s.name, s.outcome]));

const read = (path: string): Promise<string> => readFile(join(dir, path), "utf8");

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
    await rm(join(dir, "out.txt"));
    expect(outcomes(await run({ runCache: false }))).toEqual({ copy: "ran" });
    expect(await read("runs.log")).toBe("ran\nran\n");
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
    expect(result.stages[0]).toMatchObject({ outcome: "skipped", message: "frozen" });
    expect(existsSync(join(dir, "runs.log"))).toBe(false);
    expect((await readLock(dir)).stages.get("frozen")?.outs[0]?.md5).toBe(await md5Of("m\n"));
  });

  it("fails when a frozen stage's outs are missing", async () => {
    await setUp({
      "dvc.yaml": "stages:\n  frozen:\n    cmd: echo ran\n    outs: [model.bin]\n    frozen: true\n",
    });
    const result = await run();
    expect(result.stages[0]?.outcome).toBe("failed");
    expect(result.stages[0]?.message).toContain("output 'model.bin' does not exist");
  });
});

describe("repro scheduling", () => {
  it("runs independent stages at the same time with jobs=2", async () => {
    await setUp({
      "dvc.yaml": `stages:
  a:
    cmd: date +%s%N > a.start && sleep 1 && date +%s%N > a.end && echo a > a.out
    outs: [a.out]
  b:
    cmd: date +%s%N > b.start && sleep 1 && date +%s%N > b.end && echo b > b.out
    outs: [b.out]
`,
    });
    const result = await run({ jobs: 2 });
    expect(outcomes(result)).toEqual({ a: "ran", b: "ran" });
    const [aStart, aEnd, bStart, bEnd] = await Promise.all(
      ["a.start", "a.end", "b.start", "b.end"].map(async (f) => BigInt((await read(f)).trim())),
    );
    // Each started before the other ended: their runs overlapped.
    expect(aStart! < bEnd!).toBe(true);
    expect(bStart! < aEnd!).toBe(true);
    // Finishing together, neither stage lost the other's dvc.lock entry.
    expect([...(await readLock(dir)).stages.keys()].sort()).toEqual(["a", "b"]);
  });

  it("with keepGoing runs a failing stage's dependants not at all and its independent stages to the end", async () => {
    await setUp({
      "dvc.yaml": `stages:
  broken:
    cmd: echo going wrong && exit 3
    outs: [broken.out]
  child:
    cmd: cat broken.out > child.out
    deps: [broken.out]
    outs: [child.out]
  independent:
    cmd: echo fine > independent.out
    outs: [independent.out]
`,
    });
    const stopped = await run({ jobs: 1 });
    // dvc's default: nothing more starts after the failure.
    expect(outcomes(stopped)).toEqual({
      broken: "failed",
      child: "not-run-upstream-failed",
      independent: "cancelled",
    });
    expect(stopped.stages.find((s) => s.name === "independent")?.message).toContain("--keep-going");
    expect((await readLock(dir)).stages.has("independent")).toBe(false);
    const result = await run({ jobs: 1, keepGoing: true });
    expect(outcomes(result)).toEqual({
      broken: "failed",
      child: "not-run-upstream-failed",
      independent: "ran",
    });
    expect(result.ok).toBe(false);
    const broken = result.stages.find((s) => s.name === "broken");
    expect(broken?.message).toContain("stage 'broken'");
    expect(broken?.exitCode).toBe(3);
    expect(broken?.logTail).toBe("going wrong");
    expect(await read(broken?.logPath ?? "")).toContain("going wrong");
    expect((await readLock(dir)).stages.has("independent")).toBe(true);
    expect((await readLock(dir)).stages.has("broken")).toBe(false);
  });

  it("retries a failing stage as flowops.yaml allows", async () => {
    await setUp({
      "dvc.yaml": `stages:
  flaky:
    cmd: if [ -f attempted ]; then echo ok > flaky.out; else touch attempted; exit 1; fi
    outs: [flaky.out]
`,
      "flowops.yaml": "stages:\n  flaky: {retries: 1}\n",
    });
    const events: string[] = [];
    const result = await run({ onEvent: (e) => e.type === "retry" && events.push(`retry ${e.attempt}`) });
    expect(result.stages[0]).toMatchObject({ outcome: "ran", attempts: 2 });
    expect(events).toEqual(["retry 2"]);
  });

  it("kills a stage that runs past its timeout and reports it failed", async () => {
    await setUp({
      "dvc.yaml": "stages:\n  slow:\n    cmd: sleep 30 && touch finished\n    outs: [finished]\n",
      "flowops.yaml": "stages:\n  slow: {timeout: 0.3}\n",
    });
    const result = await run();
    expect(result.stages[0]?.outcome).toBe("failed");
    expect(result.stages[0]?.message).toContain("timed out");
    expect(existsSync(join(dir, "finished"))).toBe(false);
  });

  it("never gives one GPU to two stages at once and names it in CUDA_VISIBLE_DEVICES", async () => {
    const gpuStage = (name: string): string =>
      `  ${name}:\n    cmd: date +%s%N > ${name}.start && echo "$CUDA_VISIBLE_DEVICES" > ${name}.cuda && sleep 0.5 && date +%s%N > ${name}.end\n    outs: [${name}.cuda]\n`;
    const cpuStage = "  cpu:\n    cmd: date +%s%N > cpu.start && echo c > cpu.out\n    outs: [cpu.out]\n";
    await setUp({
      "dvc.yaml": `stages:\n${gpuStage("g1")}${gpuStage("g2")}${cpuStage}`,
      "flowops.yaml": "stages:\n  g1: {gpus: 1}\n  g2: {gpus: 1}\n",
    });
    const result = await run({ jobs: 2, env: { ...process.env, FLOWOPS_GPUS: "0" } });
    expect(outcomes(result)).toEqual({ g1: "ran", g2: "ran", cpu: "ran" });
    expect(await read("g1.cuda")).toBe("0\n");
    expect(await read("g2.cuda")).toBe("0\n");
    const t = Object.fromEntries(
      await Promise.all(
        ["g1.start", "g1.end", "g2.start", "g2.end"].map(
          async (f) => [f, BigInt((await read(f)).trim())] as const,
        ),
      ),
    );
    const disjoint = t["g1.end"]! <= t["g2.start"]! || t["g2.end"]! <= t["g1.start"]!;
    expect(disjoint).toBe(true);
    expect(result.stages.map((s) => s.gpus)).toEqual([[0], [0], undefined]);
    // The stage waiting for the GPU did not hold the second job slot: the CPU stage ran meanwhile.
    const cpuStart = BigInt((await read("cpu.start")).trim());
    expect(cpuStart < (t["g1.end"]! < t["g2.end"]! ? t["g1.end"]! : t["g2.end"]!)).toBe(true);
  });

  it("kills the running stage and starts no other once the signal aborts", async () => {
    await setUp({
      "dvc.yaml": `stages:
  long:
    cmd: echo started && sleep 30 && echo done > long.out
    outs: [long.out]
  after:
    cmd: cat long.out > after.out
    deps: [long.out]
    outs: [after.out]
`,
    });
    const controller = new AbortController();
    const result = await run({
      signal: controller.signal,
      onEvent: (event) => event.type === "output" && controller.abort(),
    });
    expect(outcomes(result)).toEqual({ long: "cancelled", after: "cancelled" });
    expect(result.ok).toBe(false);
  });

  it("runs only the targets and their upstream stages, or the target alone with singleItem", async () => {
    await setUp({
      "dvc.yaml": `stages:
  prepare:
    cmd: echo p > p.out
    outs: [p.out]
  train:
    cmd: cat p.out > t.out
    deps: [p.out]
    outs: [t.out]
  other:
    cmd: echo o > o.out
    outs: [o.out]
`,
    });
    expect(outcomes(await run({ targets: ["train"] }))).toEqual({ prepare: "ran", train: "ran" });
    await writeFile(join(dir, "p.out"), "changed\n");
    expect(outcomes(await run({ targets: ["train"], singleItem: true }))).toEqual({ train: "ran" });
    expect(await read("t.out")).toBe("changed\n");
  });
});

async function md5Of(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("md5").update(text).digest("hex");
}

const DVC_BIN = join(import.meta.dirname, "..", "..", "tests", "compat", ".venv", "dvc", "bin", "dvc");
/** Each dvc command takes seconds, more on a loaded 2-core machine. */
const DVC_TIMEOUT_MS = 120_000;

describe("repro compatibility with dvc", () => {
  const FOREACH_PIPELINE = `stages:
  build:
    foreach: [x, y]
    do:
      cmd:
      - echo \${item} > out_\${item}.txt
      - ./run.sh > log_\${item}.txt && cp run.sh exe_\${item}.sh
      wdir: sub
      deps: [data.txt, run.sh]
      params:
      - ../params.yaml:
        - lr
        - nested
      - other.yaml:
        - a.b
      outs:
      - out_\${item}.txt
      - exe_\${item}.sh
      metrics:
      - log_\${item}.txt:
          cache: false
`;

  async function workspace(root: string): Promise<void> {
    execFileSync("git", ["init", "-q"], { cwd: root });
    await mkdir(join(root, "sub"));
    await writeFile(join(root, "dvc.yaml"), FOREACH_PIPELINE);
    await writeFile(join(root, "params.yaml"), "lr: 1.0\nnested:\n  x: [1, 2]\n");
    await writeFile(join(root, "sub", "data.txt"), "hello\n");
    await writeFile(join(root, "sub", "other.yaml"), "a:\n  b: 3\n");
    await writeFile(join(root, "sub", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  }

  async function runCacheFiles(root: string): Promise<string[]> {
    const runs = join(root, ".dvc", "cache", "runs");
    return (await readdir(runs, { recursive: true })).filter((p) => p.split(sep).length === 3).sort();
  }

  it.skipIf(!existsSync(DVC_BIN))(
    "writes the dvc.lock, run-cache entries and .gitignore dvc writes for a foreach stage with wdir and params files",
    async () => {
      const dvcRoot = join(dir, "with-dvc");
      const ourRoot = join(dir, "with-flowops");
      await mkdir(dvcRoot);
      await mkdir(ourRoot);
      await workspace(dvcRoot);
      await workspace(ourRoot);
      execFileSync(DVC_BIN, ["init", "-q"], { cwd: dvcRoot });
      execFileSync(DVC_BIN, ["repro", "-q"], { cwd: dvcRoot });
      repo = await initDataRepo(ourRoot);
      expect((await repro(repo, { jobs: 2 })).ok).toBe(true);
      for (const file of ["dvc.lock", join("sub", ".gitignore")]) {
        expect(await readFile(join(ourRoot, file), "utf8")).toBe(await readFile(join(dvcRoot, file), "utf8"));
      }
      const entries = await runCacheFiles(dvcRoot);
      expect(entries).toHaveLength(2);
      expect(await runCacheFiles(ourRoot)).toEqual(entries);
      expect(execFileSync(DVC_BIN, ["status", "--json"], { cwd: ourRoot, encoding: "utf8" }).trim()).toBe(
        "{}",
      );
    },
    DVC_TIMEOUT_MS,
  );
});
