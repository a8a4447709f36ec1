/**
 * push and fetch read each `.dvc` file once: the outs and the versioned imports that record no hash yet are
 * found in the same walk. Regression: every push and fetch without targets read each file twice, which a
 * repo of thousands of `.dvc` files paid for in every no-op push.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import * as dvcFile from "./dvcFile.js";
import { workspaceUsed } from "./dvcFileTargets.js";

vi.mock("./dvcFile.js", async (importOriginal) => {
  const actual = await importOriginal<typeof dvcFile>();
  return { ...actual, readDvcFile: vi.fn(actual.readDvcFile) };
});

const UNHASHED_IMPORT = `deps:
- path: s3://bucket/data/a.csv
  etag: 0123456789abcdef0123456789abcdef
  size: 8
  version_id: v1
  fs_config:
    version_aware: true
outs:
- path: imported.csv
  push: false
frozen: true
`;

let root: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ dir: root, repo } = await tempDataRepo({ prefix: "flowops-workspace-used-reads-", scm: "gitFolder" }));
  for (const name of ["a.txt", "b.txt", "c.txt"]) writeFileSync(join(root, name), `${name}\n`);
  await addTargets(repo, ["a.txt", "b.txt", "c.txt"], { cwd: root });
  writeFileSync(join(root, "imported.csv.dvc"), UNHASHED_IMPORT);
  vi.mocked(dvcFile.readDvcFile).mockClear();
});

/** How many times each `.dvc` file (relative to the root) was read. */
function readsPerFile(): Map<string, number> {
  const reads = new Map<string, number>();
  for (const [path] of vi.mocked(dvcFile.readDvcFile).mock.calls) {
    const rel = path.slice(root.length + 1);
    reads.set(rel, (reads.get(rel) ?? 0) + 1);
  }
  return reads;
}

describe("workspaceUsed", () => {
  it("reads every .dvc file once without targets and finds both the outs and the unhashed import", async () => {
    const { used, unhashedImports } = await workspaceUsed(repo, undefined);
    expect(used.size).toBe(3);
    expect(unhashedImports.map((found) => found.outPath)).toEqual(["imported.csv"]);
    expect(Object.fromEntries(readsPerFile())).toEqual({
      "a.txt.dvc": 1,
      "b.txt.dvc": 1,
      "c.txt.dvc": 1,
      "imported.csv.dvc": 1,
    });
  });

  it("reads each named .dvc file once, and no other", async () => {
    const targets = [join(root, "a.txt.dvc"), join(root, "imported.csv.dvc")];
    const { used, unhashedImports } = await workspaceUsed(repo, targets);
    expect([...used.values()].map((owner) => owner.path)).toEqual(["a.txt"]);
    expect(unhashedImports.map((found) => found.dvcFile)).toEqual(["imported.csv.dvc"]);
    expect(Object.fromEntries(readsPerFile())).toEqual({ "a.txt.dvc": 1, "imported.csv.dvc": 1 });
  });

  it("reads every .dvc file once for an out-path target and answers the import's path by the import", async () => {
    const { used, unhashedImports } = await workspaceUsed(repo, [
      join(root, "b.txt"),
      join(root, "imported.csv"),
    ]);
    expect([...used.values()].map((owner) => owner.path)).toEqual(["b.txt"]);
    expect(unhashedImports.map((found) => found.outPath)).toEqual(["imported.csv"]);
    expect([...readsPerFile().values()]).toEqual([1, 1, 1, 1]);
  });
});
