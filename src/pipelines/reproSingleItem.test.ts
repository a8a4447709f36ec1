import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { dir, outcomes, read, run, setUp, useReproWorkspace } from "./reproFixtures.js";

// `-s` items have no graph between them in dvc (reproduce.py passes graph=None), so neither `-k` nor
// `--force-downstream` relates one item to another, in either order. Checked against dvc 3.67.1:
//   dvc repro -s -k a b      (a fails)           -> b is still tried: "failed to reproduce stages: 'a' and 'b'"
//   dvc repro -s -k -f b a   (b fails)           -> a runs after it
//   dvc repro -s --force-downstream a b          -> a runs, "Stage 'b' didn't change, skipping"

useReproWorkspace();

/** a writes the same a.txt whatever in.txt holds, so b only reruns when forced; each fails on a marker file. */
const CHAIN = `stages:
  a:
    cmd: test ! -f fail_a && cat in.txt > /dev/null && echo same > a.txt && echo a >> runs.log
    deps: [in.txt]
    outs: [a.txt]
  b:
    cmd: test ! -f fail_b && cat a.txt > b.txt && echo b >> runs.log
    deps: [a.txt]
    outs: [b.txt]
`;

describe("repro -s with several related items", () => {
  beforeEach(async () => {
    await setUp({ "dvc.yaml": CHAIN, "in.txt": "v1\n" });
    expect(outcomes(await run())).toEqual({ a: "ran", b: "ran" });
  });

  it("with keepGoing still runs an item listed after a failed item it depends on", async () => {
    await writeFile(join(dir, "fail_a"), "");
    await writeFile(join(dir, "in.txt"), "v2\n");
    const result = await run({ targets: ["a", "b"], singleItem: true, keepGoing: true, force: true });
    // b was tried (its dep a.txt had been removed when a started), not skipped for a's failure.
    expect(outcomes(result)).toEqual({ a: "failed", b: "failed" });
    expect(result.stages.find((stage) => stage.name === "b")?.message).not.toMatch(/upstream stage/);
  });

  it("with keepGoing still runs an item listed after a failed item that depends on it", async () => {
    await writeFile(join(dir, "fail_b"), "");
    const result = await run({ targets: ["b", "a"], singleItem: true, keepGoing: true, force: true });
    expect(outcomes(result)).toEqual({ b: "failed", a: "ran" });
  });

  it("with forceDownstream does not force an item listed after an item it depends on", async () => {
    await writeFile(join(dir, "in.txt"), "v2\n");
    const result = await run({
      targets: ["a", "b"],
      singleItem: true,
      forceDownstream: true,
      runCache: false,
    });
    expect(outcomes(result)).toEqual({ a: "ran", b: "skipped" });
    expect(await read("runs.log")).toBe("a\nb\na\n");
  });

  it("still runs the items one after another, a failure stopping the rest without keepGoing", async () => {
    await writeFile(join(dir, "fail_a"), "");
    await rm(join(dir, "runs.log"));
    const result = await run({ targets: ["a", "b"], singleItem: true, force: true, jobs: 2 });
    expect(outcomes(result)).toEqual({ a: "failed", b: "cancelled" });
  });
});
