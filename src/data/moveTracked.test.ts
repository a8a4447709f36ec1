import { access, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { moveTracked } from "./moveTracked.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-move-", scm: "gitFolder" }));
  await writeFile(join(dir, "a.txt"), "a\n");
  await addTargets(repo, ["a.txt"], { cwd: dir });
});

const gone = (name: string): Promise<boolean> =>
  access(join(dir, name)).then(
    () => false,
    () => true,
  );

it("moves the data, renames its .dvc file and moves the .gitignore entry", async () => {
  await mkdir(join(dir, "sub"));
  const moved = await moveTracked(repo, "a.txt", "sub", { cwd: dir });
  expect(moved).toEqual({
    dvcFile: "sub/a.txt.dvc",
    path: "sub/a.txt",
    toTrack: ["sub/.gitignore", "a.txt.dvc", "sub/a.txt.dvc"],
  });
  expect(await readFile(join(dir, "sub", "a.txt"), "utf8")).toBe("a\n");
  expect(await readFile(join(dir, "sub", "a.txt.dvc"), "utf8")).toContain("path: a.txt\n");
  expect(await gone("a.txt.dvc")).toBe(true);
  expect(await gone(".gitignore")).toBe(true);
  expect(await readFile(join(dir, "sub", ".gitignore"), "utf8")).toBe("/a.txt\n");
});

it("records a missing source at its new path with a warning, and checks everything before moving", async () => {
  await rm(join(dir, "a.txt"));
  const warnings: string[] = [];
  await expect(moveTracked(repo, "a.txt", "nodir/b.txt", { cwd: dir })).rejects.toThrow(
    `stage working dir '${join(dir, "nodir")}' does not exist`,
  );
  await moveTracked(repo, "a.txt", "b.txt", { cwd: dir, warn: (m) => warnings.push(m) });
  expect(warnings).toEqual([`'${join(dir, "a.txt")}' missing`]);
  expect(await readFile(join(dir, "b.txt.dvc"), "utf8")).toContain("path: b.txt\n");
  expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("/b.txt\n");
});
