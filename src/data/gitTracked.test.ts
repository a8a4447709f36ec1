import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { repro } from "../pipelines/repro.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { trackedByGit, trackedByGitAmong } from "./gitTracked.js";

let dir: string;
let repo: DataRepo;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir });

beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-git-tracked-", scm: "git" }));
  await mkdir(join(dir, "data"));
  await writeFile(join(dir, "data", "in.txt"), "in\n");
  await writeFile(join(dir, "o.txt"), "old\n");
  git("add", "o.txt", "data/in.txt");
});

describe("outputs Git already tracks", () => {
  it("are what Git's index holds: a file, or a directory with a file in it", async () => {
    await writeFile(join(dir, "new.txt"), "new\n");
    expect(await trackedByGit(dir, join(dir, "o.txt"))).toBe(true);
    expect(await trackedByGit(dir, join(dir, "data"))).toBe(true);
    expect(await trackedByGit(dir, join(dir, "new.txt"))).toBe(false);
    expect(await trackedByGit(dir, join(dir, "missing"))).toBe(false);
  });

  it("are answered alike for many paths by one listing, names taken literally", async () => {
    await writeFile(join(dir, "o*"), "glob\n");
    const paths = ["o.txt", "data", "data/in.txt", "new.txt", "missing", "o*", "dat"].map((p) =>
      join(dir, p),
    );
    const tracked = await trackedByGitAmong(dir, paths);
    expect(paths.map((p) => tracked?.(p))).toEqual([true, true, true, false, false, false, false]);
    // One path at a time the same, `o*` included (a glob to git, matching o.txt, unless told it is literal).
    expect(await Promise.all(paths.map((p) => trackedByGit(dir, p)))).toEqual(paths.map((p) => tracked?.(p)));
  });

  it("are refused by an add of many targets, each before it is written", async () => {
    await writeFile(join(dir, "new.txt"), "new\n");
    await expect(addTargets(repo, ["new.txt", "data"], { cwd: dir })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
    expect(existsSync(join(dir, "data.dvc"))).toBe(false);
  });

  it("include what data init created, staged as dvc init stages it", () => {
    const staged = execFileSync("git", ["diff", "--cached", "--name-only"], { cwd: dir, encoding: "utf8" });
    expect(
      staged
        .split("\n")
        .filter((line) => line !== "")
        .sort(),
    ).toEqual([".dvc/.gitignore", ".dvc/config", ".dvcignore", "data/in.txt", "o.txt"]);
  });

  it("are refused by add, as dvc, before a .dvc file, a .gitignore line or a cache object is written", async () => {
    for (const target of ["o.txt", "data"]) {
      await expect(addTargets(repo, [target], { cwd: dir })).rejects.toMatchObject({
        code: "INVALID_PARAMETER_VALUE",
        message: expect.stringContaining(
          `output '${target}' is already tracked by SCM (e.g. Git).\n    You can remove it from Git, then add to DVC.\n        To stop tracking from Git:\n            git rm -r --cached '${target}'`,
        ),
      });
      expect(existsSync(join(dir, `${target}.dvc`))).toBe(false);
    }
    expect(existsSync(join(dir, ".gitignore"))).toBe(false);
    git("rm", "-q", "--cached", "o.txt");
    expect((await addTargets(repo, ["o.txt"], { cwd: dir }))[0]?.changed).toBe(true);
  });

  it("fail the stage that writes them in repro, and no dvc.lock entry is recorded", async () => {
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  s:\n    cmd: echo new > o.txt\n    outs: [o.txt]\n  t:\n    cmd: echo t > t.txt\n    outs: [t.txt]\n",
    );
    const result = await repro(repo, { cwd: dir, keepGoing: true });
    const s = result.stages.find((stage) => stage.name === "s");
    expect(s?.outcome).toBe("failed");
    expect(JSON.stringify(result)).toContain("output 'o.txt' is already tracked by SCM");
    const lock = await readFile(join(dir, "dvc.lock"), "utf8");
    expect(lock).not.toMatch(/^ {2}s:/m);
    expect(lock).toMatch(/^ {2}t:/m);
  });
});
