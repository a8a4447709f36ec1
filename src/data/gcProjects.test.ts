import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initDataRepoIn } from "../../test/support/tempDataRepo.js";
import { closeDataRepo, isNotADvcRepository } from "./dataRepo.js";
import { checkGcProjects } from "./gcProjects.js";

let base: string;
let dir: string;

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), "flowops-gc-projects-"));
  dir = join(base, "ws");
  closeDataRepo(await initDataRepoIn(dir, { scm: "none" }));
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

describe("gc projects", () => {
  it("refuses a project that does not exist or is no DVC repository, as dvc's NotDvcRepoError", async () => {
    const missing = checkGcProjects(["../nowhere"], dir);
    await expect(missing).rejects.toThrow("directory '../nowhere' does not exist");
    await missing.catch((error: unknown) => expect(isNotADvcRepository(error)).toBe(true));
    mkdirSync(join(base, "plain"));
    await expect(checkGcProjects([join(base, "plain")], dir)).rejects.toThrow(
      /^you are not inside of a DVC repository \(checked up to mount point '.+'\)$/,
    );
    await expect(checkGcProjects([dir], dir)).resolves.toEqual([dir]);
  });

  it("stands a path inside a repository for the repository's root, as dvc's Repo(path) finds it", async () => {
    const other = join(base, "other");
    closeDataRepo(await initDataRepoIn(other, { scm: "none" }));
    mkdirSync(join(other, "sub", "deeper"), { recursive: true });
    await expect(checkGcProjects(["../other/sub/deeper"], dir, dir)).resolves.toEqual([other]);
  });

  it("fails on dvc's lock error for a repository opened twice: the current one, or one named before", async () => {
    const other = join(base, "other");
    closeDataRepo(await initDataRepoIn(other, { scm: "none" }));
    mkdirSync(join(dir, "sub"));
    mkdirSync(join(other, "sub"));
    const lock = /^Unable to acquire lock\. Most likely another DVC process is running/;
    await expect(checkGcProjects(["sub"], dir, dir)).rejects.toThrow(lock);
    await expect(checkGcProjects([".."], join(dir, "sub"), dir)).rejects.toThrow(lock);
    await expect(checkGcProjects(["../other", "../other/sub"], dir, dir)).rejects.toThrow(lock);
  });
});
