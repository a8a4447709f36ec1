import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDataRepo, type TempDataRepo } from "../../test/support/tempDataRepo.js";
import type { DataRepo } from "./dataRepo.js";
import { expandDataTargets } from "./targetExpansion.js";

let dir: string;
let repo: DataRepo;
let project: TempDataRepo;

const dvcFile = (path: string): string =>
  `outs:\n- md5: 0cc175b9c0f1b6a831c399e269772661\n  size: 2\n  hash: md5\n  path: ${path}\n`;

// a.txt.dvc feeds prep -> train; sub/ holds c.txt.dvc and its own stage s; other stands apart.
beforeAll(async () => {
  project = await createTempDataRepo({ prefix: "flowops-target-expansion-", scm: "none" });
  ({ dir, repo } = project);
  const files: Record<string, string> = {
    "a.txt.dvc": dvcFile("a.txt"),
    "b.txt.dvc": dvcFile("b.txt"),
    "sub/c.txt.dvc": dvcFile("c.txt"),
    "dvc.yaml":
      "stages:\n  prep:\n    cmd: x\n    deps: [a.txt]\n    outs: [p.txt]\n  train:\n    cmd: x\n    deps: [p.txt]\n    outs: [m.txt]\n  other:\n    cmd: x\n    outs: [o.txt]\n",
    "sub/dvc.yaml": "stages:\n  s:\n    cmd: x\n    outs: [s.txt]\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});
afterAll(() => project.dispose());

const expand = (targets: string[], options: Parameters<typeof expandDataTargets>[2]) =>
  expandDataTargets(repo, targets, { cwd: dir, ...options });

describe("expandDataTargets", () => {
  it("leaves targets alone without a flag", async () => {
    expect(await expand(["train", "a.txt"], {})).toEqual(["train", "a.txt"]);
  });

  it("with withDeps, adds the upstream stages and the .dvc files they read, upstream first", async () => {
    expect(await expand(["train"], { withDeps: true })).toEqual([
      join(dir, "a.txt.dvc"),
      `${join(dir, "dvc.yaml")}:prep`,
      `${join(dir, "dvc.yaml")}:train`,
    ]);
    // An output path selects only that output, with or without -d, as in dvc.
    expect(await expand(["m.txt"], { withDeps: true })).toEqual(["m.txt"]);
  });

  it("with recursive, turns a directory into the stages and .dvc files inside it", async () => {
    expect(await expand(["sub"], { recursive: true })).toEqual([
      `${join(dir, "sub", "dvc.yaml")}:s`,
      join(dir, "sub", "c.txt.dvc"),
    ]);
    expect(await expand(["a.txt.dvc"], { recursive: true })).toEqual(["a.txt.dvc"]);
  });

  it("with glob, expands path patterns and refuses one that matches nothing", async () => {
    expect(await expand(["*.txt.dvc"], { glob: true })).toEqual(["a.txt.dvc", "b.txt.dvc"]);
    await expect(expand(["none*"], { glob: true })).rejects.toThrow("Glob ['none*'] has no matches.");
  });
});
