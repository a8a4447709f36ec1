import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLock } from "./dvcLock.js";
import { dir, outcomes, read, run, setUp, useReproWorkspace } from "./reproFixtures.js";

// How repro runs the stages it must: jobs, --keep-going, retries, timeouts, GPUs, aborting and targets.

useReproWorkspace();

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

  it("names the stage whose GPU request this machine cannot meet", async () => {
    await setUp({
      "dvc.yaml": "stages:\n  big:\n    cmd: echo never > big.out\n    outs: [big.out]\n",
      "flowops.yaml": "stages:\n  big: {gpus: 4}\n",
    });
    const result = await run({ env: { ...process.env, FLOWOPS_GPUS: "0,1,2" } });
    expect(result.stages[0]?.outcome).toBe("failed");
    expect(result.stages[0]?.message).toMatch(/^stage 'big': 4 GPU\(s\) requested but this machine has 3/);
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

  // Regression: `repro -f -s -j 2 c b` started b beside c; b removed b.txt as it started while c read it.
  it("with singleItem and jobs=2 runs a dependency listed after its dependant only once the dependant is done", async () => {
    await setUp({
      "dvc.yaml": `stages:
  b:
    cmd: sleep 1 && echo B > b.txt
    outs: [b.txt]
  c:
    cmd: sleep 0.3 && cat b.txt > c.txt
    deps: [b.txt]
    outs: [c.txt]
`,
    });
    expect(outcomes(await run({ jobs: 2 }))).toEqual({ b: "ran", c: "ran" });
    const result = await run({ targets: ["c", "b"], singleItem: true, force: true, jobs: 2 });
    expect(outcomes(result)).toEqual({ c: "ran", b: "ran" });
    expect(result.ok).toBe(true);
    expect(await read("c.txt")).toBe("B\n");
  });
});
