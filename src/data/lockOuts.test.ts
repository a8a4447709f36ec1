import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockOuts } from "./lockOuts.js";

// dvc reads a dvc.lock only through the dvc.yaml beside it, filling each declared out's hash from its entry
// (`fill_from_lock`); checked against dvc 3.67.1 push, status -c, gc and checkout.
describe("lockOuts and the dvc.yaml beside each lock", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-lockouts-yaml-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const lock = (stage: string, path: string, md5: string): string =>
    `schema: '2.0'\nstages:\n  ${stage}:\n    cmd: make\n    outs:\n    - path: ${path}\n      hash: md5\n      md5: ${md5}\n      size: 1\n`;
  const pipeline = (stage: string, out: string): string =>
    `stages:\n  ${stage}:\n    cmd: make\n    outs:\n    - ${out}\n`;
  const write = (path: string, text: string): void => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it("reads nothing from a dvc.lock with no dvc.yaml beside it", async () => {
    write("dvc.lock", lock("prep", "data.csv", "a".repeat(32)));
    write("sub/dvc.yaml", pipeline("train", "model.pkl"));
    write("sub/dvc.lock", lock("train", "model.pkl", "b".repeat(32)));
    write("other/dvc.lock", lock("eval", "report.json", "c".repeat(32)));
    const outs = await lockOuts({ root });
    expect(outs.map((out) => [out.dvcFile, out.stage, out.path])).toEqual([
      ["sub/dvc.lock", "sub/dvc.yaml:train", "sub/model.pkl"],
    ]);
  });

  it("reads no entry of a stage, nor an out, that dvc.yaml no longer declares", async () => {
    write("dvc.yaml", pipeline("prep", "kept.csv"));
    write(
      "dvc.lock",
      `${lock("prep", "kept.csv", "a".repeat(32))}    - path: dropped.csv\n      hash: md5\n      md5: ${"b".repeat(32)}\n` +
        `  gone:\n    cmd: make\n    outs:\n    - path: gone.csv\n      hash: md5\n      md5: ${"c".repeat(32)}\n`,
    );
    const outs = await lockOuts({ root });
    expect(outs.map((out) => [out.stage, out.path])).toEqual([["prep", "kept.csv"]]);
  });

  // Regression: a stage below the root writing `../top.txt` (inside the repository) failed gc, status -c and
  // checkout as "outside the repository"; dvc 3.67.1 tracks it (gc -w keeps it, checkout restores it).
  it("reads a cached out a stage below the root writes beside its folder", async () => {
    write("sub/dvc.yaml", pipeline("s", "../top.txt"));
    write("sub/dvc.lock", lock("s", "../top.txt", "a".repeat(32)));
    write("sub/deep/dvc.yaml", "stages:\n  t:\n    cmd: make\n    outs:\n    - ../../outside.txt\n");
    const outs = await lockOuts({ root });
    expect(outs.map((out) => [out.stage, out.path])).toEqual([["sub/dvc.yaml:s", "top.txt"]]);
    write("sub/deep/dvc.yaml", "stages:\n  t:\n    cmd: make\n    outs:\n    - ../../../outside.txt\n");
    await expect(lockOuts({ root })).rejects.toThrow(/is outside the repository/);
  });

  it("does not look for dvc.lock files inside a pipeline's outputs", async () => {
    write("dvc.yaml", pipeline("prep", "out"));
    write("dvc.lock", lock("prep", "out", `${"a".repeat(32)}.dir`));
    write("out/dvc.yaml", pipeline("inner", "x"));
    write("out/dvc.lock", lock("inner", "x", "b".repeat(32)));
    const outs = await lockOuts({ root });
    expect(outs.map((out) => out.stage)).toEqual(["prep"]);
  });

  // dvc 3.67.1 checkout, push, status and gc -w all stop on a dvc.yaml that does not load, lock or none.
  it("refuses a dvc.yaml that does not load even when no dvc.lock is beside it", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: x: y: z\n");
    await expect(lockOuts({ root })).rejects.toThrow(`${join(root, "dvc.yaml")}:3`);
  });
});
