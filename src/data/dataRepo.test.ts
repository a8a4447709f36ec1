import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo } from "./dataRepo.js";
import { mountPointOf } from "./mountPoint.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-datarepo-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// What `dvc init` writes (dvc 3.67.1).
const DVCIGNORE =
  "# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n";

describe("initDataRepo", () => {
  it("writes exactly what dvc init writes in a Git repo", async () => {
    await mkdir(join(dir, ".git"));
    const repo = await initDataRepo(dir);
    closeDataRepo(repo);
    expect(await readFile(join(dir, ".dvc", "config"), "utf8")).toBe("");
    expect(await readFile(join(dir, ".dvc", ".gitignore"), "utf8")).toBe("/config.local\n/tmp\n/cache\n");
    expect(await readFile(join(dir, ".dvcignore"), "utf8")).toBe(DVCIGNORE);
    expect((await stat(join(dir, ".dvc", "tmp"))).isDirectory()).toBe(true);
    expect(repo.scm).toBe(true);
  });

  it("writes core.no_scm and no .gitignore with noScm, as dvc init --no-scm does", async () => {
    const repo = await initDataRepo(dir, { noScm: true });
    closeDataRepo(repo);
    expect(await readFile(join(dir, ".dvc", "config"), "utf8")).toBe("[core]\n    no_scm = True\n");
    await expect(stat(join(dir, ".dvc", ".gitignore"))).rejects.toThrow(/ENOENT/);
    expect(repo.scm).toBe(false);
  });

  it("refuses a directory that is not a Git root unless noScm", async () => {
    await expect(initDataRepo(dir)).rejects.toThrow(/is not tracked by any supported SCM tool.*--no-scm/);
  });

  it("refuses an existing .dvc without force and recreates it with force", async () => {
    closeDataRepo(await initDataRepo(dir, { noScm: true }));
    await writeFile(join(dir, ".dvc", "config"), "[core]\n    remote = r\n");
    await expect(initDataRepo(dir, { noScm: true })).rejects.toThrow("'.dvc' exists. Use `-f` to force.");
    closeDataRepo(await initDataRepo(dir, { noScm: true, force: true }));
    expect(await readFile(join(dir, ".dvc", "config"), "utf8")).toBe("[core]\n    no_scm = True\n");
  });
});

describe("openDataRepo", () => {
  it("finds the repo from a subdirectory and applies cache settings", async () => {
    closeDataRepo(await initDataRepo(dir, { noScm: true }));
    await writeFile(
      join(dir, ".dvc", "config"),
      "[core]\n    no_scm = True\n[cache]\n    type = hardlink\n    dir = ../store\n",
    );
    await mkdir(join(dir, "a", "b"), { recursive: true });
    const repo = await openDataRepo(join(dir, "a", "b"));
    closeDataRepo(repo);
    expect(repo.root).toBe(dir);
    expect(repo.cacheDir).toBe(join(dir, "store"));
    expect(repo.linkTypes).toEqual(["hardlink"]);
  });

  // dvc 3.67.1: "you are not inside of a DVC repository (checked up to mount point '/')", exit 253.
  it("words a missing repository as dvc does, naming the mount point where the search stopped", async () => {
    await expect(openDataRepo(dir)).rejects.toThrow(
      `you are not inside of a DVC repository (checked up to mount point '${mountPointOf(dir)}')`,
    );
  });
});
