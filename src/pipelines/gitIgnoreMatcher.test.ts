import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitIgnoreMatcher } from "./gitIgnoreMatcher.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-gitignore-"));
  await mkdir(join(dir, ".git", "info"), { recursive: true });
  await mkdir(join(dir, "sub"), { recursive: true });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("GitIgnoreMatcher", () => {
  it("applies info/exclude, the root .gitignore and a deeper .gitignore that overrides it", async () => {
    await writeFile(join(dir, ".git", "info", "exclude"), "scratch/\n");
    await writeFile(join(dir, ".gitignore"), "/model.pkl\n*.log\n");
    await writeFile(join(dir, "sub", ".gitignore"), "!keep.log\nlocal/\n");
    const git = new GitIgnoreMatcher(dir);
    expect(git.ignores("scratch", true)).toBe(true);
    expect(git.ignores("model.pkl", false)).toBe(true);
    expect(git.ignores("sub/model.pkl", false)).toBe(false);
    expect(git.ignores("sub/run.log", false)).toBe(true);
    expect(git.ignores("sub/keep.log", false)).toBe(false);
    expect(git.ignores("sub/local", true)).toBe(true);
    expect(git.ignores("local", true)).toBe(false);
  });
});
