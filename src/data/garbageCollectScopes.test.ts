import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gc, validateGcOptions } from "./garbageCollect.js";
import { commitDateStamp } from "./historyOuts.js";
import { push } from "./pushPull.js";
import { makeRepo, trackFile, useScratchRoot } from "./pushPullFixtures.js";

useScratchRoot();

const commit = (root: string, message: string): void => {
  execFileSync("git", ["add", "-A"], { cwd: root });
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message], { cwd: root });
};

describe("gc scopes beyond -w/-a/-T/-A", () => {
  // Regression: gc -w collected a pipeline whose dvc.lock Git ignores and removed what it judged unused.
  it("stops, removing nothing, when the workspace cannot be collected, naming it as dvc's RevCollectionError", async () => {
    const repo = await makeRepo("ignored-lock", "", { git: true });
    const kept = await trackFile(repo, "f", "one\n");
    writeFileSync(join(repo.root, "dvc.yaml"), "stages:\n  a:\n    cmd: echo\n");
    writeFileSync(join(repo.root, ".gitignore"), "dvc.lock\n");
    await expect(gc(repo, { workspace: true })).rejects.toThrow(
      `Failed to collect 'workspace': '${join(repo.root, "dvc.lock")}' is git-ignored.`,
    );
    expect(await repo.cache.has(kept)).toBe(true);
  });

  it("refuses what dvc refuses, in its words", () => {
    expect(() => validateGcOptions({ workspace: true, cloud: true, notInRemote: true })).toThrow(
      "`--not-in-remote` and `--cloud` are mutually exclusive",
    );
    expect(() => validateGcOptions({ workspace: true, num: 2 })).toThrow(
      "`--num` can only be used alongside `--rev` or `--all-branches`",
    );
    expect(() => validateGcOptions({ rev: "HEAD", num: 2 })).not.toThrow();
    expect(() => validateGcOptions({ commitDate: "2024-01-01" })).not.toThrow();
    expect(() => commitDateStamp("2024-13-01")).toThrow("not a date as yyyy-mm-dd");
    expect(commitDateStamp("2024-02-29")).toBe(new Date(2024, 1, 29).getTime() / 1000);
  });

  it("--rev keeps one commit's objects; --not-in-remote drops what the remote holds", async () => {
    const repo = await makeRepo("project", "", { git: true });
    const first = await trackFile(repo, "f", "one\n");
    commit(repo.root, "one");
    const second = await trackFile(repo, "f", "two\n");
    commit(repo.root, "two");
    const third = await trackFile(repo, "f", "three\n");
    expect((await gc(repo, { rev: "HEAD~1" })).removed).toEqual([second]);
    expect(await repo.cache.has(first)).toBe(true);
    await push(repo);
    // The push sent the workspace's object only: --not-in-remote drops it (it can be pulled again) and keeps
    // the first commit's, which exists nowhere else.
    expect((await gc(repo, { workspace: true, rev: "HEAD~1", notInRemote: true })).removed).toEqual([third]);
    expect(await repo.cache.has(first)).toBe(true);
  });

  it("stops on a revision it cannot read, or skips it with skipFailed", async () => {
    const repo = await makeRepo("project", "", { git: true });
    await trackFile(repo, "f", "one\n");
    writeFileSync(join(repo.root, "broken.dvc"), "outs: [\n");
    commit(repo.root, "broken");
    rmSync(join(repo.root, "broken.dvc"));
    await expect(gc(repo, { allCommits: true, dryRun: true })).rejects.toThrow(/broken\.dvc/);
    const skipped: string[] = [];
    await gc(repo, {
      allCommits: true,
      dryRun: true,
      skipFailed: true,
      onSkipped: (rev) => skipped.push(rev),
    });
    expect(skipped).toHaveLength(1);
  });

  it("--all-experiments keeps the objects of dvc's experiment commits (refs/exps/<baseline>/<name>)", async () => {
    const repo = await makeRepo("project", "", { git: true });
    await trackFile(repo, "f", "one\n");
    commit(repo.root, "baseline");
    const git = (...args: string[]): string =>
      execFileSync("git", args, { cwd: repo.root, encoding: "utf8" }).trim();
    const baseline = git("rev-parse", "HEAD");
    const tried = await trackFile(repo, "f", "tried\n");
    commit(repo.root, "experiment");
    git("update-ref", `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/exp-1`, "HEAD");
    git("reset", "-q", "--hard", baseline);
    expect((await gc(repo, { workspace: true, dryRun: true })).removed).toEqual([tried]);
    expect((await gc(repo, { workspace: true, allExperiments: true, dryRun: true })).removed).toEqual([]);
  });
});
