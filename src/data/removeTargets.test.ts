import { access, lstat, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { removeTargets } from "./removeTargets.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({
    prefix: "flowops-remove-",
    scm: "gitFolder",
    config: "[cache]\n    type = hardlink\n",
  }));
});

const exists = (...parts: string[]): Promise<boolean> =>
  access(join(dir, ...parts)).then(
    () => true,
    () => false,
  );

it("stops tracking a .dvc file's outs, keeping them as files of their own, or deleting them with outs", async () => {
  await writeFile(join(dir, "a.txt"), "a\n");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "x"), "x\n");
  await addTargets(repo, ["a.txt", "d"], { cwd: dir });
  expect((await lstat(join(dir, "a.txt"))).nlink).toBe(2);

  const kept = await removeTargets(repo, ["a.txt.dvc"], { cwd: dir });
  expect(kept).toEqual({
    removed: [{ removed: "a.txt.dvc", outs: ["a.txt"], deleted: false }],
    gitignores: [".gitignore"],
  });
  expect((await lstat(join(dir, "a.txt"))).nlink).toBe(1);
  expect(await exists("a.txt.dvc")).toBe(false);
  expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("/d\n");

  await removeTargets(repo, ["d.dvc"], { cwd: dir, outs: true });
  expect(await exists("d")).toBe(false);
  expect(await exists(".gitignore")).toBe(false);
});

it("removes a stage with its lock entry and stops at the first bad target, keeping what it did", async () => {
  await writeFile(join(dir, "dvc.yaml"), "stages:\n  s:\n    cmd: echo s > s.txt\n    outs:\n    - s.txt\n");
  await writeFile(join(dir, "dvc.lock"), "schema: '2.0'\nstages:\n  s:\n    cmd: echo s > s.txt\n");
  await writeFile(join(dir, "b.txt"), "b\n");
  await addTargets(repo, ["b.txt"], { cwd: dir });
  await expect(removeTargets(repo, ["s", "b.txt", "b.txt.dvc"], { cwd: dir })).rejects.toThrow(
    "'b.txt' is not a .dvc file. Do you mean 'b.txt.dvc'?: 'dvc.yaml' does not exist",
  );
  expect(await exists("dvc.yaml")).toBe(false);
  expect(await exists("dvc.lock")).toBe(false);
  expect(await exists("b.txt.dvc")).toBe(true);
});

// Regression: `remove` rewrote a dvc.yaml whose dvc.lock Git ignores, where dvc refuses to load it.
it("refuses a stage whose dvc.lock Git ignores, naming the lock as dvc does, and changes nothing", async () => {
  const stage = "stages:\n  a:\n    cmd: echo hi > out.txt\n    outs:\n    - out.txt\n";
  await writeFile(join(dir, "dvc.yaml"), stage);
  await writeFile(join(dir, ".gitignore"), "dvc.lock\n");
  await expect(removeTargets(repo, ["a"], { cwd: dir })).rejects.toThrow(/^'dvc\.lock' is git-ignored\.$/);
  await expect(removeTargets(repo, ["dvc.yaml:a"], { cwd: dir })).rejects.toThrow(
    `'${join(dir, "dvc.lock")}' is git-ignored.`,
  );
  expect(await readFile(join(dir, "dvc.yaml"), "utf8")).toBe(stage);
});
