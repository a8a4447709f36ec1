import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  chmod,
  lstat,
  mkdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-add-", scm: "gitFolder" }));
});
// A test opens the repo again; the helper closes only the one it opened.
afterEach(() => closeDataRepo(repo));

async function reopenWithCacheType(type: string): Promise<void> {
  closeDataRepo(repo);
  await writeFile(join(dir, ".dvc", "config"), `[cache]\n    type = ${type}\n`);
  repo = await openDataRepo(dir);
}

const read = (...parts: string[]): Promise<string> => readFile(join(dir, ...parts), "utf8");
const objectPath = (md5: string): string =>
  join(dir, ".dvc", "cache", "files", "md5", md5.slice(0, 2), md5.slice(2));

describe("addTargets", () => {
  it("writes foo.dvc and .gitignore byte-identical to dvc add and caches the content", async () => {
    await writeFile(join(dir, "foo"), "foo\n");
    const [result] = await addTargets(repo, ["foo"], { cwd: dir });
    expect(await read("foo.dvc")).toBe(
      "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: foo\n",
    );
    expect(await read(".gitignore")).toBe("/foo\n");
    expect(result?.gitignore).toBe(join(dir, ".gitignore"));
    expect(await readFile(objectPath("d3b07384d113edec49eaa6238ad5ff00"), "utf8")).toBe("foo\n");
    // cache.type unset means copy: the workspace file stays a regular, writable file.
    const st = await lstat(join(dir, "foo"));
    expect(st.isFile() && st.nlink === 1 && (st.mode & 0o200) !== 0).toBe(true);
  });

  it("adds a directory with its manifest, as dvc add d does", async () => {
    await mkdir(join(dir, "d", "s"), { recursive: true });
    await writeFile(join(dir, "d", "a"), "a\n");
    await writeFile(join(dir, "d", "s", "b"), "b\n");
    await addTargets(repo, ["d"], { cwd: dir });
    // Observed with dvc 3.67.1 for the same tree.
    expect(await read("d.dvc")).toBe(
      "outs:\n- md5: bd5f7a491966b5a813ccca4122146872.dir\n  size: 4\n  nfiles: 2\n  hash: md5\n  path: d\n",
    );
    expect(await readFile(objectPath("bd5f7a491966b5a813ccca4122146872.dir"), "utf8")).toBe(
      '[{"md5": "60b725f10c9c85c70d97880dfe8191b3", "relpath": "a"}, {"md5": "3b5d5c3712955042212316173ccf37be", "relpath": "s/b"}]',
    );
  });

  it("re-adding an edited file updates its .dvc file and keeps extra keys", async () => {
    await writeFile(join(dir, "foo"), "foo\n");
    await addTargets(repo, ["foo"], { cwd: dir });
    await writeFile(join(dir, "foo.dvc"), `${await read("foo.dvc")}  remote: r\n`);
    await writeFile(join(dir, "foo"), "bar\n");
    const [result] = await addTargets(repo, ["foo"], { cwd: dir });
    expect(result?.changed).toBe(true);
    expect(await read("foo.dvc")).toBe(
      "outs:\n- md5: c157a79031e1c40f85931829bc5fc552\n  size: 4\n  hash: md5\n  path: foo\n  remote: r\n",
    );
    expect(await read(".gitignore")).toBe("/foo\n");
  });

  it("adding a file inside a tracked directory updates that directory's .dvc file, as DVC 3 does", async () => {
    await mkdir(join(dir, "d"));
    await writeFile(join(dir, "d", "a"), "a\n");
    await writeFile(join(dir, "d", "b"), "b\n");
    await addTargets(repo, ["d"], { cwd: dir });
    await writeFile(join(dir, "d", "a"), "A\n");
    await writeFile(join(dir, "d", "c"), "c\n");
    await addTargets(repo, ["d/a"], { cwd: dir });
    // dvc 3.67.1 `dvc add d/a` after the same edits: only d/a is taken, and size is dropped.
    expect(await read("d.dvc")).toBe(
      "outs:\n- md5: be2ceed51266c7133e19c02b09cac29b.dir\n  nfiles: 2\n  hash: md5\n  path: d\n",
    );
  });

  it("adding an unchanged file inside a tracked directory leaves its .dvc file untouched, size included", async () => {
    await mkdir(join(dir, "d"));
    await writeFile(join(dir, "d", "a"), "a\n");
    await addTargets(repo, ["d"], { cwd: dir });
    const before = await read("d.dvc");
    expect(before).toContain("  size: 2\n");
    const [result] = await addTargets(repo, ["d/a"], { cwd: dir });
    expect(result?.changed).toBe(false);
    expect(await read("d.dvc")).toBe(before);
  });

  it("refuses a symlink to a directory and a path below one, as dvc, and takes a symlink to a file", async () => {
    await mkdir(join(dir, "real"));
    await writeFile(join(dir, "real", "f"), "f\n");
    await symlink("real", join(dir, "linkdir"));
    await symlink(join("real", "f"), join(dir, "linkfile"));
    for (const target of ["linkdir", "linkdir/f"]) {
      await expect(addTargets(repo, [target], { cwd: dir })).rejects.toThrow(
        "Cannot add files inside symlinked directories to DVC.",
      );
    }
    expect((await addTargets(repo, ["linkfile"], { cwd: dir }))[0]?.hash.md5).toBe(
      createHash("md5").update("f\n").digest("hex"),
    );
  });

  it("refuses a directory that holds another tracked output, naming it", async () => {
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub", "z"), "z\n");
    await addTargets(repo, ["sub/z"], { cwd: dir });
    await expect(addTargets(repo, ["sub"], { cwd: dir })).rejects.toThrow(
      "Cannot add 'sub', because it is overlapping with other DVC tracked output: 'sub/z'.",
    );
  });

  it("sees the outs it added earlier in the same call: an overlap, a granular add, the same target twice", async () => {
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub", "z"), "z\n");
    await expect(addTargets(repo, ["sub/z", "sub"], { cwd: dir })).rejects.toThrow(
      "Cannot add 'sub', because it is overlapping with other DVC tracked output: 'sub/z'.",
    );
    await mkdir(join(dir, "d"));
    await writeFile(join(dir, "d", "a"), "a\n");
    const [whole, inside] = await addTargets(repo, ["d", "d/a", "d/a"], { cwd: dir });
    expect(inside?.dvcFile).toBe(whole?.dvcFile);
    expect(existsSync(join(dir, "d", "a.dvc"))).toBe(false);
  });

  it("updates a renamed .dvc file in place instead of calling its out an overlap, as dvc does", async () => {
    await writeFile(join(dir, "t.txt"), "a\n");
    await addTargets(repo, ["t.txt"], { cwd: dir });
    await rename(join(dir, "t.txt.dvc"), join(dir, "t.dvc"));
    await writeFile(join(dir, "t.txt"), "a\nb\n");
    const [result] = await addTargets(repo, ["t.txt"], { cwd: dir });
    expect(result?.dvcFile).toBe(join(dir, "t.dvc"));
    expect(result?.changed).toBe(true);
    expect(await read("t.dvc")).toBe(
      "outs:\n- md5: dd8c6a395b5dd36c56d23275028f526c\n  size: 4\n  hash: md5\n  path: t.txt\n",
    );
    await expect(stat(join(dir, "t.txt.dvc"))).rejects.toThrow();
  });

  it("names flowops commands when a directory holds another tracked output", async () => {
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub", "z"), "z\n");
    await addTargets(repo, ["sub/z"], { cwd: dir });
    await expect(addTargets(repo, ["sub"], { cwd: dir })).rejects.toThrow(
      "run 'flowops data remove sub/z.dvc' and then 'flowops data add sub'",
    );
  });

  it("refuses an output of a pipeline stage, a path inside one, and a directory holding one", async () => {
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  train:\n    cmd: echo\n    outs: [model.bin, reports]\n",
    );
    await writeFile(join(dir, "model.bin"), "m\n");
    await mkdir(join(dir, "reports", "a"), { recursive: true });
    await writeFile(join(dir, "reports", "a", "r.txt"), "r\n");
    await expect(addTargets(repo, ["model.bin"], { cwd: dir })).rejects.toThrow(
      "output 'model.bin' is already specified in stage: 'train'",
    );
    await expect(addTargets(repo, ["reports/a"], { cwd: dir })).rejects.toThrow(
      "overlaps with output 'reports' of stage 'train'",
    );
    await writeFile(join(dir, "free.txt"), "f\n");
    await expect(addTargets(repo, ["free.txt"], { cwd: dir })).resolves.toHaveLength(1);
  });

  it("names a target that does not exist, a .dvc file, and paths inside .dvc/", async () => {
    await expect(addTargets(repo, ["nope"], { cwd: dir })).rejects.toThrow(/output 'nope' does not exist/);
    await writeFile(join(dir, "x.dvc"), "outs: []\n");
    await expect(addTargets(repo, ["x.dvc"], { cwd: dir })).rejects.toThrow(
      "DVC file 'x.dvc' cannot be an output.",
    );
    await expect(addTargets(repo, [".dvc/config"], { cwd: dir })).rejects.toThrow(/is ignored by \.dvc\//);
  });

  it("records isexec for an executable file", async () => {
    await writeFile(join(dir, "run.sh"), "#!/bin/sh\n");
    await chmod(join(dir, "run.sh"), 0o755);
    await addTargets(repo, ["run.sh"], { cwd: dir });
    expect(await read("run.sh.dvc")).toMatch(
      / {2}size: 10\n {2}isexec: true\n {2}hash: md5\n {2}path: run.sh\n$/,
    );
  });

  it("relinks the workspace to the cache with hardlink and symlink cache types", async () => {
    await reopenWithCacheType("hardlink");
    await writeFile(join(dir, "foo"), "foo\n");
    await addTargets(repo, ["foo"], { cwd: dir });
    const object = objectPath("d3b07384d113edec49eaa6238ad5ff00");
    expect((await stat(join(dir, "foo"))).ino).toBe((await stat(object)).ino);

    await reopenWithCacheType("symlink");
    await writeFile(join(dir, "bar"), "bar\n");
    await addTargets(repo, ["bar"], { cwd: dir });
    expect(await readlink(join(dir, "bar"))).toBe(objectPath("c157a79031e1c40f85931829bc5fc552"));
  });

  it("with noRelink copies into the cache and leaves the workspace file as it was (dvc's --no-relink)", async () => {
    await reopenWithCacheType("hardlink");
    await writeFile(join(dir, "foo"), "foo\n");
    const before = await stat(join(dir, "foo"));
    await addTargets(repo, ["foo"], { cwd: dir, noRelink: true });
    const after = await stat(join(dir, "foo"));
    expect(after.ino).toBe(before.ino);
    expect(after.nlink).toBe(1);
    expect(await readFile(objectPath("d3b07384d113edec49eaa6238ad5ff00"), "utf8")).toBe("foo\n");
  });

  it("writes no .gitignore in a repo without Git", async () => {
    closeDataRepo(repo);
    await rm(join(dir, ".git"), { recursive: true });
    repo = await initDataRepo(dir, { noScm: true, force: true });
    await writeFile(join(dir, "foo"), "foo\n");
    const [result] = await addTargets(repo, ["foo"], { cwd: dir });
    expect(result?.gitignore).toBeUndefined();
    await expect(read(".gitignore")).rejects.toThrow(/ENOENT/);
  });
});
