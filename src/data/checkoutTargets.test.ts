import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addTargets } from "./addTargets.js";
import { checkoutTargets } from "./checkoutTargets.js";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-checkout-"));
  repo = await initDataRepo(dir, { noScm: true });
  await writeFile(join(dir, "foo"), "foo\n");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "a"), "a\n");
  await writeFile(join(dir, "d", "b"), "b\n");
  await addTargets(repo, ["foo", "d"], { cwd: dir });
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const read = (...parts: string[]): Promise<string> => readFile(join(dir, ...parts), "utf8");

describe("checkoutTargets", () => {
  it("does nothing when the workspace matches", async () => {
    expect(await checkoutTargets(repo, [], { cwd: dir })).toEqual({
      added: [],
      modified: [],
      deleted: [],
      failed: [],
    });
  });

  it("restores deleted outs and reports them as added", async () => {
    await rm(join(dir, "foo"));
    await rm(join(dir, "d"), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.added.sort()).toEqual(["d/", "foo"]);
    expect(await read("foo")).toBe("foo\n");
    expect((await readdir(join(dir, "d"))).sort()).toEqual(["a", "b"]);
  });

  it("restores an edited file whose content is in the cache without --force", async () => {
    await writeFile(join(dir, "foo"), "v1\n");
    await addTargets(repo, ["foo"], { cwd: dir });
    await writeFile(
      join(dir, "foo.dvc"),
      "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: foo\n",
    );
    expect((await checkoutTargets(repo, [], { cwd: dir })).modified).toEqual(["foo"]);
    expect(await read("foo")).toBe("foo\n");
  });

  it("refuses to overwrite unsaved content without force, touching nothing, and lists every such file", async () => {
    await writeFile(join(dir, "foo"), "bar\n");
    await writeFile(join(dir, "d", "c"), "c\n");
    await rm(join(dir, "d", "a"));
    await expect(checkoutTargets(repo, [], { cwd: dir })).rejects.toThrow(
      `Can't remove the following unsaved files without confirmation. Use \`--force\` to force.\n${join(dir, "d", "c")}\n${join(dir, "foo")}`,
    );
    expect(await read("foo")).toBe("bar\n");
    await expect(stat(join(dir, "d", "a"))).rejects.toThrow(/ENOENT/);

    const summary = await checkoutTargets(repo, [], { cwd: dir, force: true });
    expect(summary.modified.sort()).toEqual(["d/", "foo"]);
    expect(summary.deleted).toEqual(["d/c"]);
    expect(await read("foo")).toBe("foo\n");
    expect((await readdir(join(dir, "d"))).sort()).toEqual(["a", "b"]);
  });

  it("reports an out whose object is missing and still restores the others", async () => {
    await rm(join(dir, "foo"));
    await rm(join(dir, "d", "a"));
    await rm(join(dir, ".dvc", "cache", "files", "md5", "d3"), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.failed.map((f) => f.path)).toEqual(["foo"]);
    expect(summary.failed[0]?.reason).toMatch(/d3b07384d113edec49eaa6238ad5ff00/);
    expect(summary.modified).toEqual(["d/"]);
    expect(await read("d", "a")).toBe("a\n");
  });

  it("checks out only the targets given", async () => {
    await rm(join(dir, "foo"));
    await rm(join(dir, "d", "a"));
    expect((await checkoutTargets(repo, ["foo.dvc"], { cwd: dir })).added).toEqual(["foo"]);
    await expect(stat(join(dir, "d", "a"))).rejects.toThrow(/ENOENT/);
  });

  it("relinks a copied file as a hardlink after the cache type changes", async () => {
    closeDataRepo(repo);
    await writeFile(join(dir, ".dvc", "config"), "[core]\n    no_scm = True\n[cache]\n    type = hardlink\n");
    repo = await openDataRepo(dir);
    expect((await lstat(join(dir, "foo"))).nlink).toBe(1);
    const summary = await checkoutTargets(repo, ["foo"], { cwd: dir, relink: true });
    expect(summary.modified).toEqual(["foo"]);
    expect((await lstat(join(dir, "foo"))).nlink).toBe(2);
  });
});
