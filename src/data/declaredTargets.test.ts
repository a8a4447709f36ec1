import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { checkoutTargets } from "./checkoutTargets.js";
import { cloudStatus } from "./cloudStatus.js";
import type { DataRepo } from "./dataRepo.js";
import { gitIn } from "./gitFixtures.js";
import type { Oid } from "./hashInfo.js";
import { fetch, push } from "./pushPull.js";
import { selectOuts, trackedOuts } from "./usedObjects.js";

// Stage `a` has run; `s` never has (no lock entry); `nc` wrote a `cache: false` out that its lock records.
const PIPELINE = [
  "stages:",
  "  a:",
  "    cmd: echo a > a.txt",
  "    outs:",
  "      - a.txt",
  "  nc:",
  "    cmd: echo nc > nc.txt",
  "    outs:",
  "      - nc.txt:",
  "          cache: false",
  "  s:",
  "    cmd: echo s > s.txt",
  "    outs:",
  "      - s.txt",
  "",
].join("\n");
const LOCK = [
  "schema: '2.0'",
  "stages:",
  "  a:",
  "    cmd: echo a > a.txt",
  "    outs:",
  "    - path: a.txt",
  "      hash: md5",
  "      md5: 60b725f10c9c85c70d97880dfe8191b3",
  "      size: 2",
  "  nc:",
  "    cmd: echo nc > nc.txt",
  "    outs:",
  "    - path: nc.txt",
  "      hash: md5",
  "      md5: 78c42a3b32ce7ef8e71b4c881af57993",
  "      size: 3",
  "",
].join("\n");

let dir: string;
let base: string;
let repo: DataRepo;
let dispose: () => Promise<void>;
let previousCwd: string;
const git = gitIn(() => dir);

beforeEach(async () => {
  const project = await tempDataRepo({
    prefix: "flowops-declared-targets-",
    at: "ws",
    scm: "git",
    config: `[core]\n    remote = store\n['remote "store"']\n    url = ../../remote\n`,
  });
  ({ dir, base, repo, dispose } = project);
  writeFileSync(join(dir, "dvc.yaml"), PIPELINE);
  writeFileSync(join(dir, "dvc.lock"), LOCK);
  writeFileSync(join(dir, "a.txt"), "a\n");
  writeFileSync(join(dir, "nc.txt"), "nc\n");
  await repo.cache.addBytes("60b725f10c9c85c70d97880dfe8191b3" as Oid, Buffer.from("a\n"));
  previousCwd = process.cwd();
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(previousCwd);
  await dispose();
});

describe("targets dvc.yaml declares but no lock hashes", () => {
  it("push and fetch of a stage never run, or of a cache: false out, move nothing and succeed", async () => {
    for (const target of ["s", "s.txt", "nc", "nc.txt"]) {
      expect((await push(repo, [target])).transferred).toBe(0);
      expect((await fetch(repo, [target])).failed).toEqual([]);
    }
    await expect(push(repo, ["zz"])).rejects.toThrow(/'zz' does not exist as an output or a stage name/);
  });

  it("checkout fails a never-run stage's cached out and passes over a cache: false one", async () => {
    expect((await checkoutTargets(repo, ["s"])).failed.map((failure) => failure.path)).toEqual(["s.txt"]);
    expect((await checkoutTargets(repo, ["nc"])).failed).toEqual([]);
    await expect(checkoutTargets(repo, ["zz"])).rejects.toThrow(/'zz' does not exist/);
  });
});

describe("selectOuts", () => {
  it("resolves relative targets and bare stage names from its cwd, not the process's", async () => {
    mkdirSync(join(base, "elsewhere"));
    process.chdir(join(base, "elsewhere"));
    const outs = await trackedOuts(repo);
    expect(selectOuts(repo, outs, ["a.txt"], { cwd: dir }).map((out) => out.path)).toEqual(["a.txt"]);
  });
});

describe("status --cloud with history", () => {
  it("leaves out a cache: false out that a commit's dvc.lock records", async () => {
    git("add", "-A");
    git("commit", "-qm", "one");
    const status = await cloudStatus(repo, [], { cwd: dir, history: { allCommits: true } });
    expect(status.entries).toEqual({ "a.txt": "new" });
  });

  it("fails on a commit that lacks a target, naming the commit", async () => {
    // The first commit has no stage `a`.
    writeFileSync(join(dir, "dvc.yaml"), `stages:\n  nc:${PIPELINE.split("  nc:")[1]!}`);
    writeFileSync(join(dir, "dvc.lock"), `schema: '2.0'\nstages:\n  nc:${LOCK.split("  nc:")[1]!}`);
    git("add", "-A");
    git("commit", "-qm", "one");
    const first = git("rev-parse", "HEAD").trim();
    writeFileSync(join(dir, "dvc.yaml"), PIPELINE);
    writeFileSync(join(dir, "dvc.lock"), LOCK);
    git("add", "-A");
    git("commit", "-qm", "two");
    await expect(cloudStatus(repo, ["a"], { cwd: dir, history: { allCommits: true } })).rejects.toThrow(
      `Failed to collect '${first}': 'a' does not exist`,
    );
  });
});
