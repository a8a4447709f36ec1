import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { gitIn } from "./gitFixtures.js";
import { diffRevisions, diffTableRows, formatDiff, isEmptyDiff } from "./diffRevisions.js";

let dir: string;
let repo: DataRepo;
const git = gitIn(() => dir);
const commit = (message: string): void => {
  git("add", "-A");
  git("commit", "-q", "-m", message);
};

beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-diff-", scm: "git" }));
  await writeFile(join(dir, "foo"), "foo\n");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "a"), "a\n");
  await writeFile(join(dir, "d", "b"), "b\n");
  await addTargets(repo, ["foo", "d"], { cwd: dir });
  commit("data");
});

describe("diffRevisions", () => {
  it("is empty before the first commit, whatever the revisions, as dvc's diff", async () => {
    const { dir: fresh, repo: other } = await tempDataRepo({ prefix: "flowops-diff-fresh-", scm: "git" });
    await writeFile(join(fresh, "g"), "g\n");
    await addTargets(other, ["g"], { cwd: fresh });
    const empty = { added: [], deleted: [], modified: [], renamed: [] };
    expect(await diffRevisions(other, "HEAD", undefined, { cwd: fresh })).toEqual(empty);
    expect(await diffRevisions(other, "nope", undefined, { cwd: fresh })).toEqual(empty);
  });

  it("is empty when the workspace matches HEAD", async () => {
    expect(isEmptyDiff(await diffRevisions(repo, "HEAD", undefined, { cwd: dir }))).toBe(true);
  });

  it("lists added, deleted and modified files against the workspace in dvc diff --json shape", async () => {
    await writeFile(join(dir, "foo"), "bar\n");
    await writeFile(join(dir, "d", "c"), "c\n");
    await rm(join(dir, "d", "a"));
    await writeFile(join(dir, "n"), "n\n");
    await addTargets(repo, ["foo", "d", "n"], { cwd: dir });
    const diff = await diffRevisions(repo, "HEAD", undefined, { cwd: dir });
    // Observed: `dvc diff --json` after the same changes (dvc 3.67.1).
    expect(JSON.stringify(diff)).toBe(
      JSON.stringify({
        added: [{ path: "d/c" }, { path: "n" }],
        deleted: [{ path: "d/a" }],
        modified: [{ path: "d/" }, { path: "foo" }],
        renamed: [],
        "not in cache": [],
      }),
    );
    expect(formatDiff(diff)).toBe(
      "Added:\n    d/c\n    n\n\nDeleted:\n    d/a\n\nModified:\n    d/\n    foo\n\nfiles summary: 2 added, 1 deleted, 1 modified\n",
    );
  });

  it("detects a rename by hash and shows hashes like dvc diff --show-hash", async () => {
    await rename(join(dir, "d", "a"), join(dir, "d", "a2"));
    await addTargets(repo, ["d"], { cwd: dir });
    commit("rename");
    const diff = await diffRevisions(repo, "HEAD~1", "HEAD", { cwd: dir, showHash: true });
    expect(diff.renamed).toEqual([
      { path: { old: "d/a", new: "d/a2" }, hash: "60b725f10c9c85c70d97880dfe8191b3" },
    ]);
    expect(diff.modified).toEqual([
      {
        path: "d/",
        hash: { old: "562ee692a592790b08e880eff9046f72.dir", new: "8608a6580a428ef1bf80ea6fd6b45432.dir" },
      },
    ]);
    expect(diff["not in cache"]).toBeUndefined();
    expect(formatDiff(diff)).toBe(
      "Renamed:\n    60b725f1  d/a -> d/a2\n\nModified:\n    562ee692..8608a658  d/\n\nfiles summary: 1 renamed\n",
    );
    // dvc diff --md --show-hash's rows.
    expect(diffTableRows(diff, true)).toEqual({
      header: ["Status", "Hash", "Path"],
      rows: [
        ["renamed", "60b725f1", "d/a -> d/a2"],
        ["modified", "562ee692..8608a658", "d/"],
      ],
    });
  });

  it("prints no files summary when only directories changed, as dvc", () => {
    const diff = {
      added: [],
      deleted: [],
      modified: [
        {
          path: "d/",
          hash: { old: "562ee692a592790b08e880eff9046f72.dir", new: "8608a6580a428ef1bf80ea6fd6b45432.dir" },
        },
      ],
      renamed: [],
    };
    expect(formatDiff(diff)).toBe("Modified:\n    562ee692..8608a658  d/\n\n");
  });

  it("limits the diff to targets and names an unknown revision", async () => {
    await writeFile(join(dir, "foo"), "bar\n");
    await writeFile(join(dir, "d", "c"), "c\n");
    await addTargets(repo, ["foo", "d"], { cwd: dir });
    const diff = await diffRevisions(repo, "HEAD", undefined, { cwd: dir, targets: ["d"] });
    expect(diff.modified).toEqual([{ path: "d/" }]);
    expect(diff.added).toEqual([{ path: "d/c" }]);
    await expect(diffRevisions(repo, "nope", undefined, { cwd: dir })).rejects.toThrow(
      "unknown Git revision 'nope'",
    );
  });
});
