import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkTargetPipelineFiles } from "./gitIgnoredPipelineFiles.js";

const STAGE = "stages:\n  a:\n    cmd: echo hi > out.txt\n    outs:\n    - out.txt\n";
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-gitignored-pipeline-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await mkdir(join(dir, "sub"));
  await writeFile(join(dir, "dvc.yaml"), STAGE);
  await writeFile(join(dir, "sub", "dvc.yaml"), STAGE);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (targets: string[], cwd = dir, scm = true): void =>
  checkTargetPipelineFiles({ root: dir, scm }, cwd, targets);

describe("checkTargetPipelineFiles", () => {
  it("calls the cwd's ignored dvc.yaml a bad DVC file name, as dvc repro does", async () => {
    await writeFile(join(dir, ".gitignore"), "dvc.yaml\n");
    expect(() => check([])).toThrow("bad DVC file name 'dvc.yaml' is git-ignored.");
    expect(() => check(["a"])).toThrow("bad DVC file name 'dvc.yaml' is git-ignored.");
    expect(() => check(["sub/dvc.yaml:a"])).toThrow("bad DVC file name 'sub/dvc.yaml' is git-ignored.");
  });

  it("names an ignored dvc.lock as dvc does: relative for a stage name, absolute for a file", async () => {
    await writeFile(join(dir, "sub", ".gitignore"), "dvc.lock\n");
    const cwd = join(dir, "sub");
    expect(() => check(["a"], cwd)).toThrow(/^'dvc\.lock' is git-ignored\.$/);
    expect(() => check([], cwd)).toThrow(`'${join(cwd, "dvc.lock")}' is git-ignored.`);
    expect(() => check(["sub/dvc.yaml:a"])).toThrow(`'${join(cwd, "dvc.lock")}' is git-ignored.`);
    expect(() => check(["a"])).not.toThrow();
  });

  it("checks nothing in a repo DVC keeps out of Git, nor a target file that does not exist", async () => {
    await writeFile(join(dir, ".gitignore"), "dvc.yaml\ndvc.lock\n");
    expect(() => check([], dir, false)).not.toThrow();
    expect(() => check(["nowhere/dvc.yaml"])).not.toThrow();
    expect(() => check(["data.dvc"])).not.toThrow();
  });
});
