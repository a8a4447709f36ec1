import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import type { DataRepo } from "./dataRepo.js";
import { gitIn } from "./gitFixtures.js";
import { diffRevisions } from "./diffRevisions.js";
import { revisionStageOuts } from "./stageOutsSnapshot.js";

let dir: string;
let repo: DataRepo;
const git = gitIn(() => dir);
const MD5_ONE = "b026324c6904b2a9cb4b88d6d61c81d1"; // "1\n"
const MD5_TWO = "26ab0db90d72e28ad0ba1e22ee510510"; // "2\n"
const lock = (md5: string): string =>
  `schema: '2.0'\nstages:\n  s:\n    cmd: cp in out\n    outs:\n    - path: out\n      hash: md5\n      md5: ${md5}\n      size: 2\n`;

beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-diff-stages-", scm: "git" }));
  await writeFile(
    join(dir, "dvc.yaml"),
    "stages:\n  s:\n    cmd: cp in out\n    outs: [out]\n    metrics:\n    - m.json:\n        cache: false\n" +
      "  never:\n    cmd: echo > never.txt\n    outs: [never.txt]\n",
  );
  await writeFile(join(dir, "dvc.lock"), lock(MD5_ONE));
  git("add", "-A");
  git("commit", "-qm", "one");
});

describe("diff of stage outputs", () => {
  it("reads a revision's declared cached outs with the hashes its dvc.lock records", async () => {
    const outs = await revisionStageOuts(dir, "HEAD");
    expect(outs.map(({ path, md5, size }) => ({ path, md5, size }))).toEqual([
      { path: "out", md5: MD5_ONE, size: 2 },
      { path: "never.txt", md5: undefined, size: undefined },
    ]);
  });

  it("compares them as dvc diff does, revision to revision and against the workspace", async () => {
    await writeFile(join(dir, "dvc.lock"), lock(MD5_TWO));
    await writeFile(join(dir, "out"), "2\n");
    git("add", "dvc.lock");
    git("commit", "-qm", "two");
    const between = await diffRevisions(repo, "HEAD~1", "HEAD");
    expect(between).toMatchObject({ added: [], deleted: [], modified: [{ path: "out" }] });
    const workspace = await diffRevisions(repo, "HEAD~1");
    // The never-run stage's out is declared with no hash: absent from the workspace, so deleted.
    expect(workspace.modified).toEqual([{ path: "out" }]);
    expect(workspace.deleted).toEqual([{ path: "never.txt" }]);
    expect(workspace["not in cache"]).toEqual([{ path: "out" }]);
    await writeFile(join(dir, "never.txt"), "\n");
    expect((await diffRevisions(repo)).modified).toEqual([{ path: "never.txt" }]);
  });
});
