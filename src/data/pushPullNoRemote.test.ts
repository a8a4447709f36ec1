import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { objectKey } from "./hashInfo.js";
import { fetch, pull, push } from "./pushPull.js";
import { makeRepo, scratchRoot, trackFile, useScratchRoot } from "./pushPullFixtures.js";

useScratchRoot();

const reopened: DataRepo[] = [];
afterEach(() => {
  for (const repo of reopened.splice(0)) closeDataRepo(repo);
});

/** A project with no default remote: `core.remote` unset, and only the remotes `extraConfig` adds. */
async function repoWithoutDefaultRemote(extraConfig = ""): Promise<DataRepo> {
  const made = await makeRepo("project");
  writeFileSync(join(made.dvcDir, "config"), `[core]\n    no_scm = True\n${extraConfig}`);
  const repo = await openDataRepo(made.root);
  reopened.push(repo);
  return repo;
}

describe("push, fetch and pull with no default remote (regressions against dvc 3.67.1)", () => {
  it("pulls from the local cache alone instead of failing, and says no remote was selected", async () => {
    const repo = await repoWithoutDefaultRemote();
    await trackFile(repo, "a", "a\n");
    rmSync(join(repo.root, "a"));
    const result = await pull(repo);
    expect(result.fetch).toMatchObject({ transferred: 0, failed: [], noRemoteSelected: true });
    expect(result.checkout.added).toEqual([expect.stringMatching(/a$/)]);
    expect(readFileSync(join(repo.root, "a"), "utf8")).toBe("a\n");
  });

  it("fetches nothing and fails nothing for objects with no remote, run-cache included", async () => {
    const repo = await repoWithoutDefaultRemote();
    const oid = await trackFile(repo, "a", "a\n");
    rmSync(repo.cache.objectPath(oid));
    expect(await fetch(repo, undefined, { runCache: true })).toMatchObject({
      transferred: 0,
      skipped: 0,
      failed: [],
      noRemoteSelected: true,
    });
    // With the object gone from the cache too, the checkout (not the fetch) is what fails, as in dvc.
    rmSync(join(repo.root, "a"));
    const result = await pull(repo);
    expect(result.fetch.failed).toEqual([]);
    expect(result.checkout.failed).toEqual([expect.objectContaining({ path: expect.stringMatching(/a$/) })]);
  });

  it("still fetches an out that names its own remote", async () => {
    const otherDir = join(scratchRoot(), "other");
    const repo = await repoWithoutDefaultRemote(`['remote "other"']\n    url = ${otherDir}\n`);
    const routed = await trackFile(repo, "routed", "routed\n", "  remote: other\n");
    const plain = await trackFile(repo, "plain", "plain\n");
    // dvc pushes an out with its own remote without a default one (and warns that none is set).
    expect(await push(repo, [join(repo.root, "routed.dvc")])).toMatchObject({
      transferred: 1,
      noRemoteSelected: true,
    });
    expect(existsSync(join(otherDir, objectKey(routed)))).toBe(true);
    rmSync(repo.cache.objectPath(routed));
    rmSync(repo.cache.objectPath(plain));
    expect(await fetch(repo)).toMatchObject({ transferred: 1, failed: [], remotes: ["other"] });
    expect(await repo.cache.verify(routed)).toBe(true);
    expect(await repo.cache.has(plain)).toBe(false);
  });

  it("fails push with the config error even when nothing is tracked, as dvc does", async () => {
    const repo = await repoWithoutDefaultRemote();
    await expect(push(repo)).rejects.toThrow(
      "Create a default remote with\n    flowops data remote add -d <remote name> <remote url>",
    );
    await trackFile(repo, "a", "a\n");
    await expect(push(repo)).rejects.toThrow(/no remote specified/);
  });
});
