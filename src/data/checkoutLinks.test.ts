import { mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { checkoutTargets } from "./checkoutTargets.js";
import { closeDataRepo, type DataRepo } from "./dataRepo.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-checkout-links-", scm: "none" }));
  await writeFile(join(dir, "a.txt"), "a\n");
  await writeFile(join(dir, "b.txt"), "b\n");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "x"), "x\n");
  await mkdir(join(dir, "sub"));
  await writeFile(join(dir, "sub", "s.txt"), "s\n");
  await addTargets(repo, ["a.txt", "b.txt", "d", "sub/s.txt"], { cwd: dir });
});
afterEach(() => closeDataRepo(repo));

const untrack = (...names: string[]): Promise<void[]> =>
  Promise.all(names.map((name) => rm(join(dir, `${name}.dvc`))));

describe("checkout removes unused links, as dvc's _remove_unused_links", () => {
  it("removes added outs nothing tracks any more, directories first, and counts them", async () => {
    await untrack("a.txt", "d", "sub/s.txt");
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.removed).toEqual(["d/", "a.txt", "sub/s.txt"]);
    expect(summary.stats.deleted).toBe(3);
    expect((await readdir(dir)).sort()).toEqual([".dvc", ".dvcignore", "b.txt", "b.txt.dvc", "sub"]);
    expect((await checkoutTargets(repo, [], { cwd: dir })).removed).toEqual([]);
  });

  it("prints a path found from the cwd relative to it, and one not found there as recorded", async () => {
    await untrack("a.txt", "sub/s.txt");
    const summary = await checkoutTargets(repo, [], { cwd: join(dir, "sub") });
    expect(summary.removed).toEqual(["a.txt", "sub/s.txt"]);
    expect(existsSync(join(dir, "a.txt"))).toBe(false);
  });

  it("keeps outs changed since they were written, files never written, and tracked outs", async () => {
    await writeFile(join(dir, "a.txt"), "edited\n");
    await writeFile(join(dir, "d", "mine"), "mine\n");
    await writeFile(join(dir, "hand.txt"), "hand\n");
    await untrack("a.txt", "d");
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.removed).toEqual([]);
    expect(existsSync(join(dir, "a.txt")) && existsSync(join(dir, "d", "x"))).toBe(true);
    expect(existsSync(join(dir, "hand.txt")) && existsSync(join(dir, "b.txt"))).toBe(true);
  });

  it("records outs a checkout writes, and not one only touched since", async () => {
    await rm(join(dir, "a.txt"));
    await rm(join(dir, "b.txt"));
    expect((await checkoutTargets(repo, [], { cwd: dir })).added).toEqual(["a.txt", "b.txt"]);
    await utimes(join(dir, "b.txt"), 1, 1);
    await untrack("a.txt", "b.txt");
    expect((await checkoutTargets(repo, [], { cwd: dir })).removed).toEqual(["a.txt"]);
    expect(existsSync(join(dir, "b.txt"))).toBe(true);
  });

  it("removes nothing when checkout names targets", async () => {
    await untrack("a.txt");
    expect((await checkoutTargets(repo, ["b.txt"], { cwd: dir })).removed).toEqual([]);
    expect(existsSync(join(dir, "a.txt"))).toBe(true);
  });

  it("records nothing for an add with --no-relink, as dvc's commit without relink", async () => {
    await writeFile(join(dir, "n.txt"), "n\n");
    await addTargets(repo, ["n.txt"], { cwd: dir, noRelink: true });
    await untrack("n.txt");
    expect((await checkoutTargets(repo, [], { cwd: dir })).removed).toEqual([]);
    expect(existsSync(join(dir, "n.txt"))).toBe(true);
  });
});
