import { mkdir, mkdtemp, opendir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listUrl } from "./listUrl.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-ls-url-"));
  await mkdir(join(dir, "src", "dir", "sub"), { recursive: true });
  await writeFile(join(dir, "src", "dir", "a.txt"), "a\n");
  await writeFile(join(dir, "src", "dir", "sub", "b.txt"), "bb\n");
  await writeFile(join(dir, "src", "f.txt"), "f\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ls-url (dvc list-url) of a local directory", () => {
  it("lists a directory's files, then its directories; with -R every file, each directory before those below", async () => {
    expect((await listUrl("src", dir)).map((e) => [e.path, e.isdir])).toEqual([
      ["f.txt", false],
      ["dir", true],
    ]);
    expect((await listUrl("src", dir, { recursive: true })).map((e) => [e.path, e.size])).toEqual([
      ["f.txt", 2],
      ["dir/a.txt", 2],
      ["dir/sub/b.txt", 3],
    ]);
  });

  it("keeps the file system's order within a directory, as dvc's os.scandir walk does, not the names'", async () => {
    const many = join(dir, "many");
    await mkdir(join(many, "sub"), { recursive: true });
    for (const name of ["zeta", "Mid", "beta_2", "beta-1", "9x", "alpha"])
      await writeFile(join(many, name), name);
    const order: string[] = [];
    for await (const entry of await opendir(many)) if (entry.isFile()) order.push(entry.name);
    expect((await listUrl("many", dir)).map((e) => e.path)).toEqual([...order, "sub"]);
  });

  it("stops at --level, and names a file or level 0 by its full path", async () => {
    expect((await listUrl("src", dir, { recursive: true, level: 2 })).map((e) => e.path)).toEqual([
      "f.txt",
      "dir/a.txt",
      "dir/sub",
    ]);
    expect(await listUrl("src/f.txt", dir)).toEqual([
      { path: join(dir, "src", "f.txt"), isdir: false, size: null },
    ]);
    expect((await listUrl("src", dir, { level: 0 }))[0]!.path).toBe(join(dir, "src"));
  });

  it("walks a tree: the URL as given, then each entry by name, directories before their contents", async () => {
    expect((await listUrl("src", dir, { tree: true })).map((e) => [e.path, e.isdir])).toEqual([
      ["src", true],
      ["dir", true],
      ["dir/a.txt", false],
      ["dir/sub", true],
      ["dir/sub/b.txt", false],
      ["f.txt", false],
    ]);
    expect((await listUrl("src", dir, { tree: true, level: 1 })).map((e) => e.path)).toEqual([
      "src",
      "dir",
      "f.txt",
    ]);
  });

  it("refuses a missing path and a negative level", async () => {
    await expect(listUrl("nope", dir)).rejects.toThrow("The path 'nope' does not exist");
    await expect(listUrl("src", dir, { recursive: true, level: -1 })).rejects.toThrow(
      "maxdepth must be at least 1",
    );
  });
});
