import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureGitignored, gitignoreEntry, removeGitignored } from "./gitignoreEntries.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-gitignore-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ensureGitignored", () => {
  it("appends /name once, as dvc add does", async () => {
    expect(await ensureGitignored({ scm: true }, join(dir, "foo"))).toBe(join(dir, ".gitignore"));
    await ensureGitignored({ scm: true }, join(dir, "d"));
    expect(await ensureGitignored({ scm: true }, join(dir, "foo"))).toBeUndefined();
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("/foo\n/d\n");
  });

  it("adds a newline before its line when the file lacks one", async () => {
    await writeFile(join(dir, ".gitignore"), "*.log");
    await ensureGitignored({ scm: true }, join(dir, "data"));
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("*.log\n/data\n");
  });

  it("writes nothing in a repo without Git", async () => {
    expect(await ensureGitignored({ scm: false }, join(dir, "foo"))).toBeUndefined();
    await expect(readFile(join(dir, ".gitignore"), "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("escapes gitignore pattern characters in names", () => {
    expect(gitignoreEntry("a*b[1].csv")).toBe("/a\\*b\\[1\\].csv");
    expect(gitignoreEntry("!important")).toBe("/\\!important");
  });
});

describe("removeGitignored", () => {
  it("drops the out's line (either spelling), keeps the rest as it was, and deletes an emptied file", async () => {
    const gitignore = join(dir, ".gitignore");
    await writeFile(gitignore, "*.log\n /data \n/a\\[1\\].txt\n/keep");
    expect(await removeGitignored({ scm: true }, join(dir, "data"))).toBe(gitignore);
    expect(await removeGitignored({ scm: true }, join(dir, "a[1].txt"))).toBe(gitignore);
    expect(await removeGitignored({ scm: true }, join(dir, "other"))).toBeUndefined();
    expect(await readFile(gitignore, "utf8")).toBe("*.log\n/keep");
    await writeFile(gitignore, "/only\n");
    expect(await removeGitignored({ scm: false }, join(dir, "only"))).toBeUndefined();
    await removeGitignored({ scm: true }, join(dir, "only"));
    await expect(access(gitignore)).rejects.toThrow();
  });
});
