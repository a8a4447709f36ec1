import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTempDataRepo, initDataRepoIn, tempDataRepo } from "./tempDataRepo.js";

describe("tempDataRepo", () => {
  it("makes a Git project in the folder `at` names, that git itself takes as a work tree", async () => {
    const { base, dir, repo } = await tempDataRepo({
      prefix: "flowops-temp-data-repo-",
      at: "ws",
      scm: "git",
    });
    expect(dir).toBe(join(base, "ws"));
    expect(repo.root).toBe(dir);
    expect(repo.scm).toBe(true);
    const inside = execFileSync("git", ["rev-parse", "--is-inside-work-tree"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(inside.trim()).toBe("true");
  });

  it("takes an empty .git folder as Git's and --no-scm as no SCM", async () => {
    const marked = await tempDataRepo({ prefix: "flowops-temp-data-repo-", scm: "gitFolder" });
    expect(marked.repo.scm).toBe(true);
    expect(existsSync(join(marked.dir, ".git", "HEAD"))).toBe(false);
    const plain = await tempDataRepo({ prefix: "flowops-temp-data-repo-", scm: "none" });
    expect(plain.repo.scm).toBe(false);
    expect(existsSync(join(plain.dir, ".git"))).toBe(false);
  });

  it("opens the project after writing the config it is given, so the repo sees it", async () => {
    const config =
      "[core]\n    no_scm = True\n    remote = storage\n['remote \"storage\"']\n    url = ../remote\n";
    const { dir, repo } = await tempDataRepo({ prefix: "flowops-temp-data-repo-", scm: "none", config });
    expect(await readFile(join(dir, ".dvc", "config"), "utf8")).toBe(config);
    expect(repo.config.core["remote"]).toBe("storage");
  });

  let madeInEarlierTest = "";
  it("is disposed of when the test that made it finishes (part one: make it)", async () => {
    ({ base: madeInEarlierTest } = await tempDataRepo({ prefix: "flowops-temp-data-repo-", scm: "none" }));
    expect(existsSync(madeInEarlierTest)).toBe(true);
  });
  it("is disposed of when the test that made it finishes (part two: it is gone)", () => {
    expect(madeInEarlierTest).not.toBe("");
    expect(existsSync(madeInEarlierTest)).toBe(false);
  });
});

describe("createTempDataRepo", () => {
  it("removes its folder and closes its repo on dispose, and a second dispose does no harm", async () => {
    const created = await createTempDataRepo({ prefix: "flowops-temp-data-repo-", scm: "none" });
    await created.dispose();
    expect(existsSync(created.base)).toBe(false);
    expect(() => created.repo.state.lookup(join(created.dir, "x"), "token")).toThrow();
    await created.dispose();
  });

  it("leaves no folder behind when the project cannot be made", async () => {
    const before = new Set(await listTempFolders());
    // A NUL byte makes the project's mkdir fail after the temp folder exists.
    await expect(
      createTempDataRepo({ prefix: "flowops-temp-data-repo-", at: "bad\0name", scm: "none" }),
    ).rejects.toThrow();
    expect((await listTempFolders()).filter((name) => !before.has(name))).toEqual([]);
  });
});

describe("initDataRepoIn", () => {
  it("makes the folder it is given and leaves closing the repo to the caller", async () => {
    const { base } = await tempDataRepo({ prefix: "flowops-temp-data-repo-", scm: "none" });
    const repo = await initDataRepoIn(join(base, "nested", "project"), { scm: "none" });
    expect(existsSync(join(base, "nested", "project", ".dvc", "config"))).toBe(true);
    repo.state.close();
  });
});

async function listTempFolders(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith("flowops-temp-data-repo-"));
}
