import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { listTracked } from "./listTracked.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-ls-", scm: "gitFolder" }));
  await writeFile(join(dir, "foo"), "foo\n");
  await mkdir(join(dir, "d", "s"), { recursive: true });
  await writeFile(join(dir, "d", "a"), "a\n");
  await writeFile(join(dir, "d", "s", "b"), "b\n");
  await writeFile(join(dir, "plain"), "x\n");
  await addTargets(repo, ["foo", "d"], { cwd: dir });
});

describe("listTracked", () => {
  it("lists the top level with outs marked, like dvc ls . --json", async () => {
    const entries = await listTracked(repo, ".", { cwd: dir });
    expect(entries.map((e) => e.path)).toEqual([
      ".dvcignore",
      ".gitignore",
      "d",
      "d.dvc",
      "foo",
      "foo.dvc",
      "plain",
    ]);
    expect(entries.find((e) => e.path === "foo")).toEqual({
      isout: true,
      isdir: false,
      isexec: false,
      size: 4,
      md5: "d3b07384d113edec49eaa6238ad5ff00",
      path: "foo",
    });
    expect(entries.find((e) => e.path === "d")).toMatchObject({
      isout: true,
      isdir: true,
      md5: "bd5f7a491966b5a813ccca4122146872.dir",
    });
    expect(entries.find((e) => e.path === "plain")).toMatchObject({ isout: false, md5: null });
  });

  it("descends into tracked directories through the manifest with -R", async () => {
    const entries = await listTracked(repo, ".", { cwd: dir, recursive: true, dvcOnly: true });
    // dvc ls -R --dvc-only lists files only.
    expect(entries.map((e) => [e.path, e.md5])).toEqual([
      ["d/a", "60b725f10c9c85c70d97880dfe8191b3"],
      ["d/s/b", "3b5d5c3712955042212316173ccf37be"],
      ["foo", "d3b07384d113edec49eaa6238ad5ff00"],
    ]);
  });

  it("orders -R listings by whole path as dvc does, so d.dvc precedes the files of d", async () => {
    const entries = await listTracked(repo, ".", { cwd: dir, recursive: true });
    expect(entries.map((e) => e.path)).toEqual([
      ".dvcignore",
      ".gitignore",
      "d.dvc",
      "d/a",
      "d/s/b",
      "foo",
      "foo.dvc",
      "plain",
    ]);
  });

  it("lists inside a tracked directory even when the workspace lacks it", async () => {
    await rm(join(dir, "d"), { recursive: true });
    const entries = await listTracked(repo, "d", { cwd: dir });
    expect(entries).toEqual([
      {
        isout: true,
        isdir: false,
        isexec: false,
        size: null,
        md5: "60b725f10c9c85c70d97880dfe8191b3",
        path: "a",
      },
      { isout: true, isdir: true, isexec: false, size: null, md5: null, path: "s" },
    ]);
  });

  it("fails, as dvc does, to enter a directory out that neither the workspace nor the cache has", async () => {
    const manifest = (await listTracked(repo, ".", { cwd: dir })).find((e) => e.path === "d")!.md5!;
    await rm(join(dir, ".dvc", "cache", "files", "md5", manifest.slice(0, 2), manifest.slice(2)));
    // The top level still lists d: only its contents are unknown.
    expect((await listTracked(repo, ".", { cwd: dir })).map((e) => e.path)).toContain("d");
    // With the directory on disk, its files are listed from there.
    expect((await listTracked(repo, ".", { cwd: dir, recursive: true })).map((e) => e.path)).toContain(
      "d/s/b",
    );
    expect((await listTracked(repo, "d/a", { cwd: dir })).map((e) => e.path)).toEqual(["a"]);
    await rm(join(dir, "d"), { recursive: true });
    const failure = `failed to load directory 'd': its manifest ${manifest} is not in the cache`;
    await expect(listTracked(repo, ".", { cwd: dir, recursive: true })).rejects.toThrow(failure);
    await expect(listTracked(repo, "d/a", { cwd: dir })).rejects.toThrow(failure);
    await expect(listTracked(repo, ".", { cwd: dir, tree: true })).rejects.toThrow(failure);
  });

  it("names a path that is neither in the workspace nor tracked", async () => {
    await expect(listTracked(repo, "nope", { cwd: dir })).rejects.toThrow(/'nope' does not exist/);
  });
});
