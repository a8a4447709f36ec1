import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitIgnoreMatcher } from "./gitIgnoreMatcher.js";
import {
  checkTargetPipelineFiles,
  dvcExceptionType,
  fileIsGitIgnored,
  gitIgnoreOf,
  lockBesideIsGitIgnored,
  refuseGitIgnoredDvcFile,
} from "./gitIgnoredPipelineFiles.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { FlowOpsError } from "../errors.js";

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

describe("one matcher per command", () => {
  // Regression: repro's target check read .gitignore and .git/info/exclude again instead of using the
  // rules its index walk holds. A matcher that has read the rules keeps them: a change on disk afterwards
  // shows whether a check judged by it or by rules read anew.
  it("judges targets and the index walk by the repo's own matcher, not by reading the rules again", async () => {
    const gitIgnore = new GitIgnoreMatcher(dir);
    expect(gitIgnore.ignores("dvc.lock", false)).toBe(false);
    await writeFile(join(dir, ".gitignore"), "dvc.lock\n");
    const repo = { root: dir, scm: true, gitIgnore };
    expect(gitIgnoreOf(repo)).toBe(gitIgnore);
    expect(() => checkTargetPipelineFiles(repo, dir, ["a"])).not.toThrow();
    await expect(readPipelinesIfAny(repo)).resolves.toBeDefined();
    // Rules read anew see the ignored lock.
    expect(() => checkTargetPipelineFiles({ root: dir, scm: true }, dir, ["a"])).toThrow("is git-ignored.");
    await expect(readPipelinesIfAny({ root: dir, scm: true })).rejects.toThrow("is git-ignored.");
  });

  it("makes no matcher where DVC keeps the repo out of Git", () => {
    expect(gitIgnoreOf({ root: dir, scm: false })).toBeUndefined();
    expect(gitIgnoreOf({ root: join(dir, "sub") })).toBeUndefined();
    expect(gitIgnoreOf({ root: dir })).toBeInstanceOf(GitIgnoreMatcher);
  });
});

describe("lockBesideIsGitIgnored", () => {
  it("answers the dvc.lock beside a dvc.yaml when Git ignores its name, whether it exists or not", async () => {
    await writeFile(join(dir, "sub", ".gitignore"), "/dvc.lock\n");
    const git = new GitIgnoreMatcher(dir);
    expect(lockBesideIsGitIgnored(git, join(dir, "sub", "dvc.yaml"))).toBe(join(dir, "sub", "dvc.lock"));
    expect(lockBesideIsGitIgnored(git, join(dir, "dvc.yaml"))).toBeUndefined();
    expect(lockBesideIsGitIgnored(undefined, join(dir, "sub", "dvc.yaml"))).toBeUndefined();
  });
});

describe("refuseGitIgnoredDvcFile", () => {
  it("calls a DVC file about to be written where Git ignores it a bad DVC file name, as dvc's check does", async () => {
    await writeFile(join(dir, ".gitignore"), "data/\n");
    const file = join(dir, "data", "x.dvc");
    expect(() => refuseGitIgnoredDvcFile({ root: dir, scm: true }, file, "data/x.dvc")).toThrow(
      /^bad DVC file name 'data\/x\.dvc' is git-ignored\.$/,
    );
    expect(() => refuseGitIgnoredDvcFile({ root: dir, scm: false }, file, "data/x.dvc")).not.toThrow();
    expect(() =>
      refuseGitIgnoredDvcFile({ root: dir, scm: true }, join(dir, "y.dvc"), "y.dvc"),
    ).not.toThrow();
  });
});

describe("dvcExceptionType", () => {
  it("names dvc's FileIsGitIgnored for a refused pipeline file and DvcException for anything else", () => {
    expect(dvcExceptionType(fileIsGitIgnored("dvc.lock"))).toBe("FileIsGitIgnored");
    expect(dvcExceptionType(new FlowOpsError("INVALID_PARAMETER_VALUE", "bad yaml"))).toBe("DvcException");
  });
});
