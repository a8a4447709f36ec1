import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gc, GC_SCOPE_REQUIRED } from "./garbageCollect.js";
import { push } from "./pushPull.js";
import { makeRepo, remoteHasObject, trackDir, trackFile, useScratchRoot } from "./pushPullFixtures.js";

useScratchRoot();

describe("gc", () => {
  it("requires a scope, in DVC's words", async () => {
    const repo = await makeRepo("project");
    await expect(gc(repo, {})).rejects.toThrow(GC_SCOPE_REQUIRED);
  });

  it("removes objects the workspace no longer uses, locally and with cloud on the remote; dry runs remove nothing", async () => {
    const repo = await makeRepo("project");
    const keep = await trackFile(repo, "foo", "foo\n");
    const drop = await trackFile(repo, "bar", "bar\n");
    await push(repo);
    rmSync(join(repo.root, "bar.dvc"));

    const dry = await gc(repo, { workspace: true, cloud: true, dryRun: true });
    expect(dry).toMatchObject({ removed: [drop], cloudRemoved: [drop], dryRun: true });
    expect(await repo.cache.has(drop)).toBe(true);
    expect(remoteHasObject(drop)).toBe(true);

    const done = await gc(repo, { workspace: true, cloud: true });
    expect(done).toMatchObject({ removed: [drop], cloudRemoved: [drop] });
    expect(await repo.cache.has(drop)).toBe(false);
    expect(remoteHasObject(drop)).toBe(false);
    expect(await repo.cache.has(keep)).toBe(true);
    expect(remoteHasObject(keep)).toBe(true);
  });

  it("keeps the files of a directory the workspace uses", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    expect((await gc(repo, { workspace: true })).removed).toEqual([]);
    for (const oid of [data.oid, ...data.fileOids]) expect(await repo.cache.has(oid)).toBe(true);
  });

  it("keeps objects any git commit references with allCommits", async () => {
    const repo = await makeRepo("project", "", { git: true });
    const v1 = await trackFile(repo, "foo", "version 1\n");
    execFileSync("git", ["add", "foo.dvc", ".dvc/config"], { cwd: repo.root });
    execFileSync("git", ["commit", "-q", "-m", "v1"], { cwd: repo.root });
    const v2 = await trackFile(repo, "foo", "version 2\n");

    expect((await gc(repo, { workspace: true, allCommits: true })).removed).toEqual([]);
    expect((await gc(repo, { workspace: true })).removed).toEqual([v1]);
    expect(await repo.cache.has(v2)).toBe(true);
  });
  it("keeps objects of branch tips with allBranches and of tags with allTags, not of older commits", async () => {
    const repo = await makeRepo("project", "", { git: true });
    const commit = (message: string) => {
      execFileSync("git", ["add", "foo.dvc", ".dvc/config"], { cwd: repo.root });
      execFileSync("git", ["commit", "-q", "-m", message], { cwd: repo.root });
    };
    const old = await trackFile(repo, "foo", "old\n");
    commit("old");
    const tagged = await trackFile(repo, "foo", "tagged\n");
    commit("tagged");
    execFileSync("git", ["tag", "v1"], { cwd: repo.root });
    const tip = await trackFile(repo, "foo", "tip\n");
    commit("tip");
    const workspace = await trackFile(repo, "foo", "workspace\n");

    const branches = await gc(repo, { allBranches: true, dryRun: true });
    expect(branches.removed.sort()).toEqual([old, tagged].sort());
    const tags = await gc(repo, { allTags: true, dryRun: true });
    expect(tags.removed.sort()).toEqual([old, tip].sort());
    await gc(repo, { workspace: true, allBranches: true, allTags: true });
    for (const oid of [tagged, tip, workspace]) expect(await repo.cache.has(oid)).toBe(true);
    expect(await repo.cache.has(old)).toBe(false);
  });
});
