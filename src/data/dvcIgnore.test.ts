import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDvcIgnore, parsePatterns, rebase } from "./dvcIgnore.js";

describe("DvcIgnore", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-ignore-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(rel: string, text: string) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }

  it("always ignores .git, .hg and .dvc at any depth, and nothing else by default", async () => {
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores(".git", true)).toBe(true);
    expect(ignore.ignores(".git", false)).toBe(true);
    expect(ignore.ignores("data/.git/config", false)).toBe(true);
    expect(ignore.ignores(".dvc/config", false)).toBe(true);
    expect(ignore.ignores("sub/.hg", true)).toBe(true);
    expect(ignore.ignores("data/file.csv", false)).toBe(false);
    expect(ignore.ignores(".dvcignore", false)).toBe(false);
    expect(ignore.ignores(".dvc", false)).toBe(false);
  });

  it("matches walked entries by name alone with only the built-in patterns, as the full matcher does", async () => {
    const ignore = await loadDvcIgnore(root);
    const names = [".git", ".hg", ".dvc", ".gitignore", ".dvcignore", "git", "a.git", ".hg.txt", "data"];
    for (const name of names) {
      for (const isDir of [true, false]) {
        for (const path of [name, `sub/dir/${name}`]) {
          expect(ignore.ignoresWalkedEntry(path, isDir), `${path} (dir: ${isDir})`).toBe(
            ignore.ignores(path, isDir),
          );
        }
      }
    }
  });

  it("applies root patterns with gitignore semantics: globs, dir-only, anchors, negation", async () => {
    write(".dvcignore", "# comment\n*.tmp\n  logs/  \n/top.txt\n!keep.tmp\n");
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores("a.tmp", false)).toBe(true);
    expect(ignore.ignores("deep/b.tmp", false)).toBe(true);
    expect(ignore.ignores("keep.tmp", false)).toBe(false);
    expect(ignore.ignores("logs", true)).toBe(true);
    expect(ignore.ignores("logs", false)).toBe(false);
    expect(ignore.ignores("logs/x.txt", false)).toBe(true);
    expect(ignore.ignores("top.txt", false)).toBe(true);
    expect(ignore.ignores("sub/top.txt", false)).toBe(false);
  });

  it("applies a subdirectory's .dvcignore below that directory only", async () => {
    write("data/.dvcignore", "*.bak\nraw/cache\n");
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores("x.bak", false)).toBe(false);
    expect(ignore.ignores("data/x.bak", false)).toBe(true);
    expect(ignore.ignores("data/deep/x.bak", false)).toBe(true);
    expect(ignore.ignores("data/raw/cache", true)).toBe(true);
    expect(ignore.ignores("data/other/raw/cache", true)).toBe(false);
  });

  it("cannot re-include a file below an ignored directory", async () => {
    write(".dvcignore", "build/\n!build/keep.txt\n");
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores("build/keep.txt", false)).toBe(true);
  });

  it("lets a deeper .dvcignore re-include what a parent's pattern ignores", async () => {
    write(".dvcignore", "*.csv\n");
    write("data/.dvcignore", "!important.csv\n");
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores("data/other.csv", false)).toBe(true);
    expect(ignore.ignores("data/important.csv", false)).toBe(false);
    expect(ignore.ignores("important.csv", false)).toBe(true);
  });

  it("leaves out nested DVC repositories", async () => {
    mkdirSync(join(root, "subrepo", ".dvc"), { recursive: true });
    write("subrepo/data.csv", "x");
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores("subrepo/data.csv", false)).toBe(true);
  });

  it("does not judge paths outside the root", async () => {
    write(".dvcignore", "*\n");
    const ignore = await loadDvcIgnore(root);
    expect(ignore.ignores("../elsewhere", false)).toBe(false);
    expect(ignore.ignores("", true)).toBe(false);
  });

  it("parses and rebases patterns as DVC's change_rule does", () => {
    expect(parsePatterns("a\r\n\n  # c\n b \n")).toEqual(["a", "b"]);
    expect(rebase("*.csv", "data")).toBe("/data/**/*.csv");
    expect(rebase("raw/", "data")).toBe("/data/**/raw/");
    expect(rebase("/raw", "data")).toBe("/data/raw");
    expect(rebase("raw/x", "data")).toBe("/data/raw/x");
    expect(rebase("!keep", "d/e")).toBe("!/d/e/**/keep");
    expect(rebase("**/x/y", "d")).toBe("/d/**/x/y");
  });
});
