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
