/**
 * push and fetch with a history scope (`-a`, `-T`, `-A`): the data `.dvc` files name at branch tips, tags or
 * every commit moves too, as dvc's brancher collects it; the workspace's data always does.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initDataRepoIn } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { closeDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { objectKey } from "./hashInfo.js";
import { cloudStatus } from "./cloudStatus.js";
import { fetch, push } from "./pushPull.js";

let dir: string;
const repos: DataRepo[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowops-history-transfer-"));
});
afterEach(() => {
  for (const repo of repos.splice(0)) closeDataRepo(repo);
  rmSync(dir, { recursive: true, force: true });
});

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");
const onRemote = (text: string): boolean => existsSync(join(dir, "remote", objectKey(md5(text))));

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd, stdio: "ignore" });
}

/** main: a.txt "one" then "main"; branch other: "two", tagged t2, then "three". The workspace: "main". */
async function project(): Promise<DataRepo> {
  const root = join(dir, "ws");
  const repo = await initDataRepoIn(root, {
    scm: "git",
    config: "[core]\n    remote = storage\n['remote \"storage\"']\n    url = ../../remote\n",
  });
  repos.push(repo);
  const version = async (text: string, message: string): Promise<void> => {
    writeFileSync(join(root, "a.txt"), text);
    await addTargets(repo, ["a.txt"], { cwd: root });
    git(root, "add", "-A");
    git(root, "commit", "-qm", message);
  };
  await version("one\n", "one");
  git(root, "branch", "-M", "main");
  git(root, "checkout", "-q", "-b", "other");
  await version("two\n", "two");
  git(root, "tag", "t2");
  await version("three\n", "three");
  git(root, "checkout", "-q", "main");
  await version("main\n", "main");
  return repo;
}

describe("push with a history scope", () => {
  it("sends the workspace's data and that of branch tips, tags or every commit", async () => {
    const repo = await project();
    await push(repo, undefined, { history: { allBranches: true } });
    expect(["main\n", "three\n"].map(onRemote)).toEqual([true, true]);
    expect(["one\n", "two\n"].map(onRemote)).toEqual([false, false]);
    await push(repo, undefined, { history: { allTags: true } });
    expect(onRemote("two\n")).toBe(true);
    expect(onRemote("one\n")).toBe(false);
    expect(await push(repo, undefined, { history: { allCommits: true } })).toMatchObject({
      transferred: 1,
      failed: [],
    });
    expect(onRemote("one\n")).toBe(true);
  });

  it("skips a past commit whose dvc.lock does not parse, naming it, and sends the rest, as dvc push -A does", async () => {
    const repo = await project();
    writeFileSync(join(repo.root, "dvc.yaml"), "stages:\n  s:\n    cmd: echo\n");
    writeFileSync(join(repo.root, "dvc.lock"), "schema: '2.0'\nstages: [\n");
    git(repo.root, "add", "dvc.yaml", "dvc.lock");
    git(repo.root, "commit", "-qm", "damaged");
    const damaged = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.root, encoding: "utf8" }).trim();
    git(repo.root, "rm", "-q", "dvc.yaml", "dvc.lock");
    git(repo.root, "commit", "-qm", "mended");
    const skipped: string[] = [];
    const result = await push(repo, undefined, {
      history: { allCommits: true },
      onSkippedRevision: (revision) => skipped.push(revision),
    });
    expect(skipped).toEqual([damaged]);
    expect(result.failed).toEqual([]);
    expect(["one\n", "two\n", "three\n", "main\n"].map(onRemote)).toEqual([true, true, true, true]);
  });

  it("sends what the targets name at each revision, as dvc push -A <target> does", async () => {
    const repo = await project();
    writeFileSync(join(repo.root, "b.txt"), "bee\n");
    await addTargets(repo, ["b.txt"], { cwd: repo.root });
    const result = await push(repo, [join(repo.root, "a.txt")], { history: { allCommits: true } });
    expect(result).toMatchObject({ transferred: 4, failed: [] });
    expect(result.skippedRevisions).toBeUndefined();
    expect(["one\n", "two\n", "three\n", "main\n"].map(onRemote)).toEqual([true, true, true, true]);
    expect(onRemote("bee\n")).toBe(false);
  });

  it("skips the revisions where a target names nothing, and fails only when none has it", async () => {
    const repo = await project();
    writeFileSync(join(repo.root, "b.txt"), "bee\n");
    await addTargets(repo, ["b.txt"], { cwd: repo.root });
    git(repo.root, "add", "-A");
    git(repo.root, "commit", "-qm", "bee");
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.root, encoding: "utf8" }).trim();
    const result = await push(repo, [join(repo.root, "b.txt.dvc")], { history: { allBranches: true } });
    expect(result).toMatchObject({ transferred: 1, failed: [] });
    // The tip of `other` never had b.txt.dvc; main's tip and the workspace do.
    expect(result.skippedRevisions).toHaveLength(1);
    expect(result.skippedRevisions?.[0]).not.toBe(head);
    expect(onRemote("bee\n")).toBe(true);
    expect(onRemote("three\n")).toBe(false);

    rmSync(join(repo.root, "b.txt.dvc"));
    const pastOnly = await fetch(repo, [join(repo.root, "b.txt.dvc")], { history: { allBranches: true } });
    expect(pastOnly.skippedRevisions).toContain("workspace");
    await expect(
      push(repo, [join(repo.root, "nowhere.dvc")], { history: { allCommits: true } }),
    ).rejects.toThrow(/nowhere\.dvc' does not exist/);
  });

  it("selects a stage's outs at each revision by the stage's name", async () => {
    const repo = await project();
    const lock = (text: string): string =>
      `schema: '2.0'\nstages:\n  make:\n    cmd: echo\n    outs:\n    - path: out.txt\n      hash: md5\n      md5: ${md5(text)}\n      size: ${text.length}\n`;
    for (const text of ["v1\n", "v2\n"]) {
      writeFileSync(
        join(repo.root, "dvc.yaml"),
        "stages:\n  make:\n    cmd: echo\n    outs:\n    - out.txt\n",
      );
      writeFileSync(join(repo.root, "dvc.lock"), lock(text));
      mkdirSync(dirname(repo.cache.objectPath(md5(text))), { recursive: true });
      writeFileSync(repo.cache.objectPath(md5(text)), text);
      git(repo.root, "add", "dvc.yaml", "dvc.lock");
      git(repo.root, "commit", "-qm", text);
    }
    const result = await push(repo, ["make"], { history: { allCommits: true } });
    expect(result).toMatchObject({ transferred: 2, failed: [] });
    expect(["v1\n", "v2\n"].map(onRemote)).toEqual([true, true]);
    expect(onRemote("main\n")).toBe(false);
  });
});

describe("fetch with a history scope", () => {
  it("brings the data of every commit into a clone's cache", async () => {
    const repo = await project();
    await push(repo, undefined, { history: { allCommits: true } });
    const clone = join(dir, "clone");
    git(dir, "clone", "-q", repo.root, clone);
    const cloned = await openDataRepo(clone);
    repos.push(cloned);
    expect(await fetch(cloned, undefined, { history: { allCommits: true } })).toMatchObject({
      transferred: 4,
      failed: [],
    });
    for (const text of ["one\n", "two\n", "three\n", "main\n"])
      expect(await cloned.cache.has(md5(text))).toBe(true);
  });
});

// dvc 3.67.1 (`push -a -T nosuch` in such a project) warns "failed to collect '<rev>', skipping" for
// 'workspace', then each revision by its brancher name, before raising the last revision's error.
describe("revisions a target names nothing in", () => {
  const NOWHERE =
    "'nosuch' does not exist as an output or a stage name in 'dvc.yaml': 'dvc.yaml' does not exist";
  const revList = (root: string): string[] =>
    execFileSync("git", ["rev-list", "--all"], { cwd: root, encoding: "utf8" }).trim().split("\n");

  it("warns about every revision, by branch and tag names, before push fails", async () => {
    const repo = await project();
    git(repo.root, "tag", "t3", "other");
    const warned: string[] = [];
    const history = { allBranches: true, allTags: true };
    await expect(
      push(repo, ["nosuch"], { history, onSkippedRevision: (revision) => warned.push(revision) }),
    ).rejects.toThrow(NOWHERE);
    // A branch and a tag at one commit are one revision, named both ways.
    expect(warned).toEqual(["workspace", "main", "other,t3", "t2"]);
  });

  it("warns about every commit by its full hash before fetch -A fails", async () => {
    const repo = await project();
    const warned: string[] = [];
    await expect(
      fetch(repo, ["nosuch"], { history: { allCommits: true }, onSkippedRevision: (r) => warned.push(r) }),
    ).rejects.toThrow(NOWHERE);
    expect(warned).toEqual(["workspace", ...revList(repo.root)]);
  });

  it("fails status -c on the workspace first, with dvc's full reason", async () => {
    const repo = await project();
    const status = (targets: string[]): Promise<unknown> =>
      cloudStatus(repo, targets, { cwd: repo.root, history: { allCommits: true } });
    await expect(status(["nosuch"])).rejects.toThrow(`Failed to collect 'workspace': ${NOWHERE}`);
    // Every commit has a.txt.dvc, but dvc's used_objs collects the workspace first and skips nothing.
    rmSync(join(repo.root, "a.txt.dvc"));
    await expect(status(["a.txt.dvc"])).rejects.toThrow(
      `Failed to collect 'workspace': '${join(repo.root, "a.txt.dvc")}' does not exist`,
    );
  });

  it("names a tag in status -c and says why the commit lacks a stage", async () => {
    const repo = await project();
    writeFileSync(join(repo.root, "dvc.yaml"), "stages:\n  y:\n    cmd: echo\n    outs: [y.txt]\n");
    git(repo.root, "add", "-A");
    git(repo.root, "commit", "-qm", "pipeline");
    git(repo.root, "tag", "v1");
    writeFileSync(join(repo.root, "dvc.yaml"), "stages:\n  x:\n    cmd: echo\n    outs: [x.txt]\n");
    writeFileSync(
      join(repo.root, "dvc.lock"),
      `schema: '2.0'\nstages:\n  x:\n    cmd: echo\n    outs:\n    - path: x.txt\n      md5: ${md5("x\n")}\n      size: 2\n      hash: md5\n`,
    );
    await expect(cloudStatus(repo, ["x"], { cwd: repo.root, history: { allTags: true } })).rejects.toThrow(
      "Failed to collect 't2': 'x' does not exist as an output or a stage name in 'dvc.yaml': 'dvc.yaml' does not exist",
    );
    git(repo.root, "tag", "-d", "t2");
    await expect(cloudStatus(repo, ["x"], { cwd: repo.root, history: { allTags: true } })).rejects.toThrow(
      "Failed to collect 'v1': 'x' does not exist as an output or a stage name in 'dvc.yaml': Stage 'x' not found inside 'dvc.yaml' file",
    );
  });
});
