import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addFromSource, resolveOutput } from "./addFromSource.js";
import type { DataRepo } from "./dataRepo.js";

let base: string;
let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ base, dir, repo } = await tempDataRepo({ prefix: "flowops-add-out-", at: "repo", scm: "git" }));
  await mkdir(join(base, "outside"));
  await writeFile(join(base, "outside", "f.csv"), "a,b\n");
});

describe("add -o", () => {
  it("resolves the destination as dvc's resolve_output: into a directory, to a path, refused when taken", async () => {
    await mkdir(join(dir, "data"));
    expect(resolveOutput("../outside/f.csv", "data", dir, false)).toBe(join(dir, "data", "f.csv"));
    expect(resolveOutput("../outside/f.csv", "data/g.csv", dir, false)).toBe(join(dir, "data", "g.csv"));
    expect(resolveOutput("../outside/f.csv", undefined, dir, false)).toBe(join(dir, "f.csv"));
    await writeFile(join(dir, "data", "f.csv"), "old\n");
    expect(() => resolveOutput("../outside/f.csv", "data", dir, false)).toThrow(
      "The file 'data/f.csv' already exists locally. \nTo override it, re-run with '--force'.",
    );
    expect(resolveOutput("../outside/f.csv", "data", dir, true)).toBe(join(dir, "data", "f.csv"));
  });

  it("copies outside data into the cache and the workspace, leaving the source alone", async () => {
    const added = await addFromSource(repo, join(base, "outside", "f.csv"), "input.csv", { cwd: dir });
    expect(added.dvcFile).toBe(join(dir, "input.csv.dvc"));
    expect(await readFile(join(dir, "input.csv"), "utf8")).toBe("a,b\n");
    expect(await readFile(join(base, "outside", "f.csv"), "utf8")).toBe("a,b\n");
    expect(await readFile(added.dvcFile, "utf8")).toContain("path: input.csv\n");
    expect(await repo.cache.has(added.hash.md5)).toBe(true);
    await expect(
      addFromSource(repo, join(dir, "input.csv"), "input.csv", { cwd: dir, force: true }),
    ).rejects.toThrow(/overlap/);
  });
});
