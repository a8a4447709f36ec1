import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { isNotADvcRepository } from "./dataRepo.js";
import { mountPointOf, relativeDataRepoRoot } from "./repoRoot.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-root-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("answers the root relative to the cwd, `.` at the root, as dvc root prints it", async () => {
  await mkdir(join(dir, ".dvc"));
  await mkdir(join(dir, "a/b"), { recursive: true });
  expect(await relativeDataRepoRoot(dir)).toBe(".");
  expect(await relativeDataRepoRoot(join(dir, "a/b"))).toBe("../..");
  // Inside .dvc/ itself, the search goes on up to the directory that holds it.
  await mkdir(join(dir, ".dvc/x"));
  expect(await relativeDataRepoRoot(join(dir, ".dvc/x"))).toBe("../..");
});

it("fails outside a repository with dvc's NotDvcRepoError, naming the mount point", async () => {
  const error = await relativeDataRepoRoot(dir).catch((caught: unknown) => caught);
  expect(isNotADvcRepository(error)).toBe(true);
  expect((error as Error).message).toBe(
    `you are not inside of a DVC repository (checked up to mount point '${mountPointOf(dir)}')`,
  );
  expect(mountPointOf("/")).toBe("/");
});
