import { chmod, link, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { unprotectOut, unprotectTargets } from "./unprotectOut.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-unprotect-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("turns hard links and symlinks into the cache into writable copies, leaving the cache as it was", async () => {
  const object = join(dir, "object");
  await writeFile(object, "data\n");
  await chmod(object, 0o444);
  await mkdir(join(dir, "out/sub"), { recursive: true });
  await link(object, join(dir, "out/hard"));
  await symlink(object, join(dir, "out/sub/soft"));
  await writeFile(join(dir, "out/plain"), "p\n");
  await chmod(join(dir, "out/plain"), 0o755);

  await unprotectOut(join(dir, "out"));
  await unprotectOut(join(dir, "missing"));

  for (const name of ["out/hard", "out/sub/soft"]) {
    const info = await lstat(join(dir, name));
    expect(info.isSymbolicLink()).toBe(false);
    expect(info.nlink).toBe(1);
    expect(info.mode & 0o200).toBe(0o200);
    expect(await readFile(join(dir, name), "utf8")).toBe("data\n");
  }
  expect((await lstat(join(dir, "out/plain"))).mode & 0o111).not.toBe(0);
  expect((await lstat(object)).mode & 0o777).toBe(0o444);
  expect((await lstat(object)).nlink).toBe(1);
});

it("unprotects targets relative to the cwd and names a missing one as dvc does", async () => {
  await writeFile(join(dir, "f"), "f\n");
  await link(join(dir, "f"), join(dir, "g"));
  await unprotectTargets(dir, ["g"]);
  expect((await lstat(join(dir, "g"))).nlink).toBe(1);
  await expect(unprotectTargets(dir, ["nope"])).rejects.toThrow("can't unprotect non-existing data 'nope'");
});
