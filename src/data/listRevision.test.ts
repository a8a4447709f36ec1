import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRepository } from "./listRevision.js";
import { makeSourceRepo } from "./sourceRepoFixtures.js";

let base: string;
let source: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "flowops-ls-"));
  source = await makeSourceRepo(base);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const gitSize = (rev: string): number =>
  Number(execFileSync("git", ["cat-file", "-s", rev], { cwd: source, encoding: "utf8" }).trim());

describe("ls of another repository (dvc ls <url>)", () => {
  it("lists a revision from its Git tree and its outs, with the sizes dvc's filesystems report", async () => {
    const entries = await listRepository(source, undefined, base, { rev: "HEAD~1" });
    expect(entries.map((e) => e.path)).toEqual([
      ".dvcignore",
      ".gitignore",
      "data",
      "data.dvc",
      "model.bin",
      "model.bin.dvc",
      "train.py",
    ]);
    const data = entries.find((e) => e.path === "data")!;
    // A directory out: the size its .dvc file records (4 + 4 bytes), not the workspace's.
    expect(data).toMatchObject({ isout: true, isdir: true, size: 8 });
    expect(data.md5).toMatch(/\.dir$/);
    expect(entries.find((e) => e.path === "train.py")).toMatchObject({ isout: false, size: 9, md5: null });
    expect(entries.find((e) => e.path === "data.dvc")!.size).toBe(gitSize("HEAD~1:data.dvc"));
  });

  it("expands a directory out from its manifest: files with their md5 and no size, as dvc shows them", async () => {
    const entries = await listRepository(source, "data", base, { rev: "HEAD", recursive: true });
    expect(entries.map((e) => [e.path, e.size, e.isout])).toEqual([
      ["a.txt", null, true],
      ["c.txt", null, true],
      ["sub/b.txt", null, true],
    ]);
    const only = await listRepository(source, undefined, base, { rev: "HEAD", dvcOnly: true });
    expect(only.map((e) => e.path)).toEqual(["data", "model.bin"]);
  });

  it("lists a local repository's workspace without --rev, and a Git-only repository at its HEAD", async () => {
    const workspace = await listRepository(source, "data", base);
    expect(workspace.map((e) => e.path)).toEqual(["a.txt", "c.txt", "sub"]);
    const plain = join(base, "plain");
    await mkdir(join(plain, "src"), { recursive: true });
    await writeFile(join(plain, "src", "x.py"), "x = 1\n");
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: plain, encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "one");
    const entries = await listRepository(plain, undefined, base);
    expect(entries).toEqual([
      {
        isout: false,
        isdir: true,
        isexec: false,
        size: Number(git("cat-file", "-s", "HEAD:src").trim()),
        md5: null,
        path: "src",
      },
    ]);
  });

  it("stops at --level: deeper directories are listed, 0 lists the path itself", async () => {
    const two = await listRepository(source, undefined, base, { rev: "HEAD", recursive: true, level: 2 });
    expect(two.filter((e) => e.path.startsWith("data/")).map((e) => [e.path, e.isdir])).toEqual([
      ["data/a.txt", false],
      ["data/c.txt", false],
      ["data/sub", true],
    ]);
    const self = await listRepository(source, "data", base, { rev: "HEAD", recursive: true, level: 0 });
    expect(self.map((e) => [e.path, e.isout, e.isdir])).toEqual([["data", true, true]]);
    await expect(listRepository(source, undefined, base, { recursive: true, level: -1 })).rejects.toThrow(
      "maxdepth must be at least 1",
    );
  });

  it("fails to expand a directory out whose manifest neither the cache nor a remote has, as dvc does", async () => {
    const copy = join(base, "no-cache");
    execFileSync("git", ["clone", "-q", source, copy]);
    const top = await listRepository(copy, undefined, base, { rev: "HEAD" });
    expect(top.map((e) => e.path)).toContain("data");
    await expect(listRepository(copy, undefined, base, { rev: "HEAD", recursive: true })).rejects.toThrow(
      /failed to load directory 'data': 'data' \([0-9a-f]{32}\.dir\) is not in the repository's cache/,
    );
    await expect(listRepository(copy, "data/a.txt", base, { rev: "HEAD" })).rejects.toThrow(
      "failed to load directory 'data'",
    );
  });

  it("says which path is missing", async () => {
    await expect(listRepository(source, "nope", base, { rev: "HEAD" })).rejects.toThrow(
      "'nope' does not exist",
    );
  });
});
