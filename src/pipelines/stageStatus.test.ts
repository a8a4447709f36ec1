import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { readLock } from "./dvcLock.js";
import { readPipeline, type Stage } from "./dvcYaml.js";
import { repro } from "./repro.js";
import { canHashForRunCache, commandLines, readStageParams, stageChanges } from "./stageStatus.js";
import { testStage } from "../../test/support/pipelineStages.js";

let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-stage-status-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await writeFile(join(dir, "data.txt"), "hello\n");
  await writeFile(join(dir, "params.yaml"), "lr: 0.01\nnested:\n  a: 1\n");
  repo = await initDataRepo(dir);
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

async function stageFrom(body: string): Promise<Stage> {
  await writeFile(join(dir, "dvc.yaml"), `stages:\n  s:\n${body}`);
  return (await readPipeline(dir)).stages[0]!;
}

const COPY = "    cmd: cp data.txt out.txt\n    deps: [data.txt]\n    params: [lr]\n    outs: [out.txt]\n";

describe("stageChanges", () => {
  it("reports a never-run stage as dvc status does: deps modified, params new", async () => {
    const stage = await stageFrom(COPY);
    // dvc 3.67.1: {"changed deps": {"data.txt": "modified", "params.yaml": "new"}} (outs are not reached).
    expect(await stageChanges(repo, stage, undefined)).toEqual([
      { kind: "deps", path: "data.txt", status: "modified" },
      { kind: "params", file: "params.yaml", status: "new" },
    ]);
  });

  it("is empty after a run and reports each kind of change in DVC's order", async () => {
    const stage = await stageFrom(COPY);
    await repro(repo);
    const lock = (await readLock(dir)).stages.get("s");
    expect(await stageChanges(repo, stage, lock)).toEqual([]);

    await rm(join(dir, "out.txt"));
    expect(await stageChanges(repo, stage, lock)).toEqual([
      { kind: "outs", path: "out.txt", status: "deleted" },
    ]);
    await writeFile(join(dir, "params.yaml"), "nested:\n  a: 1\n");
    expect(await stageChanges(repo, stage, lock)).toEqual([
      { kind: "params", file: "params.yaml", key: "lr", status: "deleted" },
    ]);
    const changedCmd = await stageFrom(COPY.replace("cp data.txt", "cp -p data.txt"));
    expect(await stageChanges(repo, changedCmd, lock)).toEqual([{ kind: "cmd" }]);
  });

  it("reports an out whose object left the cache as not in cache", async () => {
    const stage = await stageFrom(COPY);
    await repro(repo);
    await rm(join(dir, ".dvc", "cache", "files"), { recursive: true });
    expect(await stageChanges(repo, stage, (await readLock(dir)).stages.get("s"))).toEqual([
      { kind: "outs", path: "out.txt", status: "not in cache" },
    ]);
  });

  it("compares whole-file params key by key, new keys included", async () => {
    const stage = await stageFrom(
      "    cmd: cp data.txt out.txt\n    deps: [data.txt]\n    params: [{params.yaml: }]\n    outs: [out.txt]\n",
    );
    await repro(repo);
    const lock = (await readLock(dir)).stages.get("s");
    await writeFile(join(dir, "params.yaml"), "lr: 0.01\nnested:\n  a: 2\nextra: true\n");
    expect(await stageChanges(repo, stage, lock)).toEqual([
      { kind: "params", file: "params.yaml", key: "nested", status: "modified" },
      { kind: "params", file: "params.yaml", key: "extra", status: "new" },
    ]);
  });

  it("ignores the deps of a frozen stage but not its outs", async () => {
    const stage = await stageFrom(`${COPY}    frozen: true\n`);
    await writeFile(join(dir, "out.txt"), "hello\n");
    expect(await stageChanges(repo, stage, undefined)).toEqual([
      { kind: "outs", path: "out.txt", status: "modified" },
    ]);
  });

  it("always reports always_changed and callback stages", async () => {
    const always = await stageFrom(`${COPY}    always_changed: true\n`);
    expect(await stageChanges(repo, always, undefined)).toEqual([
      { kind: "always-changed", why: "always_changed" },
    ]);
    const callback = await stageFrom("    cmd: echo hi\n");
    expect(await stageChanges(repo, callback, undefined)).toEqual([
      { kind: "always-changed", why: "callback" },
    ]);
  });
});

describe("commandLines", () => {
  it("splits a string cmd into lines as DVC does and keeps a list as it is", async () => {
    expect(commandLines(await stageFrom("    cmd: |\n      echo a\n      echo b\n"))).toEqual([
      "echo a",
      "echo b",
    ]);
    expect(commandLines(await stageFrom("    cmd: [echo a, echo b]\n"))).toEqual(["echo a", "echo b"]);
  });
});

describe("readStageParams", () => {
  it("names a missing params file from the repo root, wdir included", async () => {
    const stage = testStage("s", [], [], {
      wdir: join(dir, "cfg"),
      relWdir: "cfg",
      params: [{ file: "params.yaml", keys: ["lr"] }],
    });
    await expect(readStageParams(stage)).rejects.toThrow(
      "stage 's': dependency 'cfg/params.yaml' does not exist",
    );
  });

  // dvc 3.67.1: "failed to reproduce 'y': Parameters 'bs' are missing from 'sub/p2.yaml'." (wdir: sub).
  it("names a missing param as dvc's MissingParamsError, the file from the repo root", async () => {
    await mkdir(join(dir, "cfg"), { recursive: true });
    await writeFile(join(dir, "cfg", "params.yaml"), "lr: 1\n");
    const stage = testStage("s", [], [], {
      wdir: join(dir, "cfg"),
      relWdir: "cfg",
      params: [{ file: "params.yaml", keys: ["lr", "bs"] }],
    });
    await expect(readStageParams(stage)).rejects.toThrow(
      "stage 's': Parameters 'bs' are missing from 'cfg/params.yaml'.",
    );
  });
});

describe("canHashForRunCache", () => {
  // dvc 3.67.1: "failed to reproduce 's': [Errno 2] No such file or directory: '<abs>/sub/in.txt'".
  it("fails on a missing dep as Python's FileNotFoundError, with its absolute path", async () => {
    const stage = testStage("s", ["in.txt"], ["o.txt"], { wdir: join(dir, "sub"), relWdir: "sub" });
    await expect(canHashForRunCache(repo, stage, dir)).rejects.toThrow(
      `stage 's': [Errno 2] No such file or directory: '${join(dir, "sub", "in.txt")}'`,
    );
  });

  it("asks nothing of a stage without outs: its missing dep is left to save_deps", async () => {
    await expect(canHashForRunCache(repo, testStage("n", ["gone.txt"], []), dir)).resolves.toBe(false);
  });
});
