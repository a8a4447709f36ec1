import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { checkoutTargets } from "./checkoutTargets.js";
import { closeDataRepo, type DataRepo } from "./dataRepo.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-checkout-order-", scm: "none" }));
  await writeFile(join(dir, "a.txt"), "a\n");
  await writeFile(join(dir, "m.txt"), "m\n");
  await mkdir(join(dir, "zdir"));
  await writeFile(join(dir, "zdir", "z"), "z\n");
  await addTargets(repo, ["m.txt", "zdir", "a.txt"], { cwd: dir });
});
afterEach(() => closeDataRepo(repo));

// dvc 3.67.1 `dvc checkout` of the same three outs prints "A zdir/", "A a.txt", "A m.txt": each change list
// puts directories first, then files, alphabetically.
describe("checkout change order", () => {
  it("lists directories first, then files, each alphabetically, as dvc does", async () => {
    for (const name of ["a.txt", "m.txt", "zdir"]) await rm(join(dir, name), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.added).toEqual(["zdir/", "a.txt", "m.txt"]);
  });
});
