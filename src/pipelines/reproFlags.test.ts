import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { readLock } from "./dvcLock.js";
import { repro, type ReproEvent, type ReproOptions, type ReproResult } from "./repro.js";

// DVC's repro flags that change what happens around a stage: --ignore-errors, --no-commit, -i.

let dir: string;
let repo: DataRepo | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-repro-flags-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
});

afterEach(async () => {
  if (repo !== undefined) closeDataRepo(repo);
  repo = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function run(yaml: string, options: ReproOptions = {}): Promise<ReproResult> {
  await writeFile(join(dir, "dvc.yaml"), yaml);
  repo ??= await initDataRepo(dir);
  return repro(repo, options);
}

const outcomes = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(result.stages.map((s) => [s.name, s.outcome]));

const CHAIN = `stages:
  fails:
    cmd: echo partial > a.txt && exit 3
    outs: [a.txt]
  after:
    cmd: echo after > b.txt
    deps: [a.txt]
    outs: [b.txt]
`;

describe("repro with ignoreErrors", () => {
  it("still runs the stages that depend on a failed one, and reports the failure", async () => {
    const result = await run(CHAIN, { ignoreErrors: true });
    expect(outcomes(result)).toEqual({ fails: "failed", after: "ran" });
    expect(result.ok).toBe(false);
    expect(await readFile(join(dir, "b.txt"), "utf8")).toBe("after\n");
  });

  it("without it, the dependant is not run", async () => {
    const result = await run(CHAIN, { keepGoing: true });
    expect(outcomes(result)).toEqual({ fails: "failed", after: "not-run-upstream-failed" });
  });
});

describe("repro with noCommit", () => {
  const ONE = "stages:\n  make:\n    cmd: echo made > out.txt\n    outs: [out.txt]\n";

  it("records the out in dvc.lock but puts nothing into the cache or the run-cache", async () => {
    const result = await run(ONE, { noCommit: true });
    expect(outcomes(result)).toEqual({ make: "ran" });
    const md5 = (await readLock(dir)).stages.get("make")?.outs[0]?.md5;
    expect(md5).toBe(createHash("md5").update("made\n").digest("hex"));
    const object = join(dir, ".dvc", "cache", "files", "md5", md5!.slice(0, 2), md5!.slice(2));
    expect(existsSync(object)).toBe(false);
    expect(existsSync(join(dir, ".dvc", "cache", "runs"))).toBe(false);
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toContain("/out.txt");
  });

  it("leaves the out to be committed by the next repro, which finds it not in the cache", async () => {
    await run(ONE, { noCommit: true });
    const again = await run(ONE);
    expect(again.stages[0]?.changes).toEqual([{ kind: "outs", path: "out.txt", status: "not in cache" }]);
    expect(outcomes(again)).toEqual({ make: "ran" });
  });
});

describe("repro with confirm", () => {
  it("runs a confirmed stage and fails a declined one with dvc's message, skipping its dependants", async () => {
    const asked: string[] = [];
    const yaml = CHAIN.replace("echo partial > a.txt && exit 3", "echo a > a.txt");
    const result = await run(yaml, {
      confirm: async (stage) => {
        asked.push(stage.name);
        return stage.name === "fails";
      },
      keepGoing: true,
    });
    expect(asked).toEqual(["fails", "after"]);
    expect(outcomes(result)).toEqual({ fails: "ran", after: "failed" });
    expect(result.stages[1]?.message).toBe("stage 'after': reproduction aborted by the user");
    expect(existsSync(join(dir, "b.txt"))).toBe(false);
  });

  it("asks nothing about an unchanged stage", async () => {
    const yaml = "stages:\n  make:\n    cmd: echo made > out.txt\n    outs: [out.txt]\n";
    await run(yaml);
    const asked: string[] = [];
    const result = await run(yaml, { confirm: async (stage) => (asked.push(stage.name), true) });
    expect(asked).toEqual([]);
    expect(outcomes(result)).toEqual({ make: "skipped" });
  });
});

describe("repro of a frozen stage", () => {
  it("warns that its dependencies are not reproduced, as dvc", async () => {
    await writeFile(join(dir, "model.bin"), "m\n");
    const events: ReproEvent[] = [];
    await run("stages:\n  fit:\n    cmd: echo ran\n    outs: [model.bin]\n    frozen: true\n", {
      onEvent: (event) => events.push(event),
    });
    expect(events).toContainEqual({
      type: "warning",
      message: "stage: 'fit' is frozen. Its dependencies are not going to be reproduced.",
    });
  });
});

describe("repro with dry", () => {
  it("fails a stage whose params file lacks a param it names, as a real run would", async () => {
    await writeFile(join(dir, "params.yaml"), "lr: 1\nbs: 2\n");
    const yaml = "stages:\n  t:\n    cmd: echo hi > o.txt\n    params: [lr, bs]\n    outs: [o.txt]\n";
    expect(outcomes(await run(yaml))).toEqual({ t: "ran" });
    await writeFile(join(dir, "params.yaml"), "lr: 1\n");
    const dry = await run(yaml, { dry: true });
    expect(outcomes(dry)).toEqual({ t: "failed" });
    expect(dry.stages[0]?.message).toMatch(/Parameters 'bs' are missing from 'params.yaml'\./);
  });
});
