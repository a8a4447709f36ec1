import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gcUnversionedOuts, missingVersionInfoWarning, unversionedOuts } from "./unversionedOuts.js";

const PIPELINE = `stages:
  s:
    cmd: echo
    outs:
    - out.txt
    - locked.txt
    - nc.txt:
        cache: false
    - np.txt:
        push: false
`;
const LOCK = `schema: '2.0'
stages:
  s:
    cmd: echo
    outs:
    - path: locked.txt
      hash: md5
      md5: 0cc175b9c0f1b6a831c399e269772661
      size: 1
`;

function project(): string {
  const root = mkdtempSync(join(tmpdir(), "flowops-unversioned-"));
  mkdirSync(join(root, ".dvc"));
  writeFileSync(join(root, "dvc.yaml"), PIPELINE);
  writeFileSync(join(root, "dvc.lock"), LOCK);
  writeFileSync(join(root, "out.txt"), "hi");
  return root;
}

describe("unversionedOuts", () => {
  it("lists the declared cached outs the lock has no hash for, push: false ones only outside a push", async () => {
    const root = project();
    const listed = await unversionedOuts({ root });
    expect(listed.map((out) => [out.path, out.exists])).toEqual([
      ["out.txt", true],
      ["np.txt", false],
    ]);
    expect((await unversionedOuts({ root }, { push: true })).map((out) => out.path)).toEqual(["out.txt"]);
  });

  // dvc 3.67.1 `gc -w` with an empty or damaged dvc.lock fails before any warning (test_dvc_damaged_config_and_lock).
  it("lists nothing when a dvc.lock is empty or damaged, as dvc's index then does not load", async () => {
    for (const lock of ["", "  \n\n", 'schema: "2.0"\nstages: [\n', 'schema: "2.0"\nstages:\n  a: 5\n']) {
      const root = project();
      writeFileSync(join(root, "dvc.lock"), lock);
      expect(await unversionedOuts({ root })).toEqual([]);
    }
  });

  it("words the warning as dvc, with the commit hint for an out that exists", async () => {
    const root = project();
    const [out] = await unversionedOuts({ root });
    expect(missingVersionInfoWarning(out!, root, root)).toBe(
      "WARNING: Output 'out.txt'(stage: 's') is missing version info. Cache for it will not be collected. " +
        "Use `dvc repro` to get your pipeline up to date.\n" +
        "You can also use `dvc commit s` to associate existing 'out.txt' with stage: 's'.",
    );
  });

  it("names a stage at a commit by its dvc.yaml seen from the cwd, as if the commit were at /", () => {
    const out = {
      revision: "a".repeat(40),
      path: "sub/x.txt",
      pipelineDir: "sub",
      stage: "t",
      exists: false,
    };
    expect(missingVersionInfoWarning(out, "/r/repo", "/r/repo/sub")).toBe(
      "WARNING: Output 'x.txt'(stage: '../../../sub/dvc.yaml:t') is missing version info. " +
        "Cache for it will not be collected. Use `dvc repro` to get your pipeline up to date.",
    );
  });

  // dvc 3.67.1 `status -c u b.txt s`: u's out, then b.txt, then all of s (b.txt again), as it collects them.
  it("with targets, lists only the outs they name, in their order, once per naming", async () => {
    const root = mkdtempSync(join(tmpdir(), "flowops-unversioned-"));
    mkdirSync(join(root, ".dvc"));
    mkdirSync(join(root, "sub"));
    writeFileSync(
      join(root, "dvc.yaml"),
      "stages:\n  s:\n    cmd: echo\n    outs:\n    - a.txt\n    - b.txt\n  u:\n    cmd: echo\n    outs:\n    - u.txt\n",
    );
    writeFileSync(join(root, "sub", "dvc.yaml"), "stages:\n  t:\n    cmd: echo\n    outs:\n    - x.txt\n");
    const listed = async (targets: string[], cwd = root): Promise<string[]> =>
      (await unversionedOuts({ root }, { targets, cwd })).map((out) => out.path);
    expect(await listed(["u", "b.txt", "s"])).toEqual(["u.txt", "b.txt", "a.txt", "b.txt"]);
    expect(await listed(["sub/dvc.yaml", "dvc.yaml:u"])).toEqual(["sub/x.txt", "u.txt"]);
    expect(await listed(["t", "../dvc.yaml"], join(root, "sub"))).toEqual([
      "sub/x.txt",
      "a.txt",
      "b.txt",
      "u.txt",
    ]);
    expect(await listed(["data.txt.dvc", "nothing"])).toEqual([]);
    expect(await listed([])).toEqual(["a.txt", "b.txt", "u.txt", "sub/x.txt"]);
  });

  // dvc 3.67.1 `gc -w -p ../other`: the other project's outs first, named from its root, then this one's.
  it("for gc, lists each other project's outs before this one's, each with its root", async () => {
    const main = project();
    const other = project();
    const found = await gcUnversionedOuts({ root: main }, {}, [other]);
    expect(found.map(({ root, outs }) => [root, outs.map((out) => out.path)])).toEqual([
      [other, ["out.txt", "np.txt"]],
      [main, ["out.txt", "np.txt"]],
    ]);
  });
});
