// The line an error of a dvc command ends with, each observed with dvc 3.67.1 in a repository made by
// `git init` and `dvc init` holding f.txt (added) and a one-stage dvc.yaml.
// Regression: every one printed FlowOps' `error: <CODE>: <message>` (program.ts) instead of dvc's line.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess as flowops } from "../../test/support/cliInProcess.js";
import { DVC_SUPPORT_FOOTER } from "./dvcErrorLine.js";

let dir: string;
let previousCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvc-error-line-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  previousCwd = process.cwd();
  process.chdir(dir);
  expect((await flowops("data", "init")).code).toBe(0);
  await writeFile(join(dir, "f.txt"), "f\n");
  await writeFile(join(dir, "dvc.yaml"), "stages:\n  s:\n    cmd: echo hi > o.txt\n    outs: [o.txt]\n");
  expect((await flowops("data", "add", "f.txt")).code).toBe(0);
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

describe("an error that escapes a dvc command", () => {
  it("is dvc's `ERROR: <message>` line, for a command that catches it (1) or lets it through (255)", async () => {
    expect(await flowops("data", "remove", "nowhere.dvc")).toMatchObject({
      code: 1,
      stderr: `ERROR: '${join(dir, "nowhere.dvc")}' does not exist\n`,
    });
    expect(await flowops("data", "move", "nowhere.txt", "x.txt")).toMatchObject({
      code: 1,
      stderr:
        "ERROR: failed to move 'nowhere.txt' -> 'x.txt' - Unable to find DVC file with output 'nowhere.txt'\n",
    });
    expect(await flowops("stage", "list", "nowhere")).toMatchObject({
      code: 255,
      stderr: "ERROR: Stage 'nowhere' not found inside 'dvc.yaml' file\n",
    });
    expect(await flowops("data", "add", "nowhere.txt")).toMatchObject({
      code: 1,
      stderr: `ERROR: output 'nowhere.txt' does not exist: [Errno 2] No such file or directory: '${join(dir, "nowhere.txt")}'\n`,
    });
  });

  it("leads a ConfigError (exit 251) with dvc's 'configuration error'", async () => {
    expect(await flowops("data", "remote", "remove", "nope")).toMatchObject({
      code: 251,
      stderr: "ERROR: configuration error - config file error: remote 'nope' doesn't exist.\n",
    });
    expect(await flowops("data", "config", "core.nope", "1")).toMatchObject({
      code: 251,
      stderr:
        "ERROR: configuration error - config file error: extra keys not allowed @ data['core']['nope']\n",
    });
  });

  it("is an unexpected error with dvc's support footer where dvc's is no DvcException", async () => {
    expect(await flowops("data", "unprotect", "nowhere")).toEqual({
      code: 255,
      stdout: "",
      stderr: `ERROR: unexpected error - can't unprotect non-existing data 'nowhere'\n${DVC_SUPPORT_FOOTER}`,
    });
    expect(DVC_SUPPORT_FOOTER).toBe(
      "\nHaving any troubles? Hit us up at https://dvc.org/support, we are always happy to help!\n",
    );
  });

  it("words a .dvcignore inside an added directory as dvc-data does (exit 255)", async () => {
    await mkdir(join(dir, "d"));
    await writeFile(join(dir, "d", "a"), "a\n");
    await writeFile(join(dir, "d", ".dvcignore"), "x\n");
    expect(await flowops("data", "add", "d")).toMatchObject({
      code: 255,
      stderr: `ERROR: .dvcignore file should not be in collected dir path: '${join(dir, "d")}'\n`,
    });
  });
});

describe("dag outside a DVC repository", () => {
  // dvc 3.67.1: dag opens an initialized repository only; metrics, params and plots do not need one.
  it("fails as every other command does (exit 253), where it printed an empty graph", async () => {
    const outside = await mkdtemp(join(tmpdir(), "flowops-dvc-error-line-outside-"));
    process.chdir(outside);
    try {
      const result = await flowops("dag");
      expect(result.code).toBe(253);
      expect(result.stderr).toMatch(
        /^ERROR: you are not inside of a DVC repository \(checked up to mount point '.+'\)\n$/,
      );
    } finally {
      process.chdir(dir);
      await rm(outside, { recursive: true, force: true });
    }
  });
});
