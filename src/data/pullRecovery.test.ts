import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { pull, push } from "./pushPull.js";

let repo: DataRepo;
beforeEach(async () => {
  ({ repo } = await tempDataRepo({
    prefix: "flowops-pull-recovery-",
    at: "ws",
    scm: "none",
    config:
      "[core]\n    no_scm = True\n    remote = storage\n['remote \"storage\"']\n    url = ../../remote\n",
  }));
  await writeFile(join(repo.root, "foo"), "foo\n");
  await mkdir(join(repo.root, "data", "sub"), { recursive: true });
  await writeFile(join(repo.root, "data", "a"), "a\n");
  await writeFile(join(repo.root, "data", "sub", "b"), "b\n");
  await addTargets(repo, ["foo", "data"], { cwd: repo.root });
  await push(repo);
});

describe("pull after cache corruption", () => {
  it("replaces corrupt cache objects from the remote and checks their outs out, as dvc pull does", async () => {
    // md5 of "foo\n" and of "b\n": one single-file out, one file inside a tracked directory.
    for (const oid of ["d3b07384d113edec49eaa6238ad5ff00", "3b5d5c3712955042212316173ccf37be"]) {
      const path = repo.cache.objectPath(oid);
      await chmod(path, 0o644);
      await writeFile(path, "tampered\n");
    }
    await rm(join(repo.root, "foo"));
    await rm(join(repo.root, "data"), { recursive: true });

    const result = await pull(repo);
    expect(result.fetch).toMatchObject({ transferred: 2, failed: [] });
    expect(result.checkout.failed).toEqual([]);
    expect(await readFile(join(repo.root, "foo"), "utf8")).toBe("foo\n");
    expect(await readFile(join(repo.root, "data", "sub", "b"), "utf8")).toBe("b\n");
  });
});
