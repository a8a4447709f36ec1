import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandPathGlobs } from "./pathGlob.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "flowops-path-glob-"));
  for (const path of [
    "a.csv",
    "b.csv",
    "c.txt",
    ".hidden.csv",
    "data/x.csv",
    "data/deep/y.csv",
    "data/.h/z.csv",
  ]) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), path);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Expected lists are Python's sorted(glob.iglob(pattern, recursive=True)) in the same tree.
describe("expandPathGlobs", () => {
  it("matches within a segment, never hidden names unless asked", async () => {
    expect(await expandPathGlobs(dir, ["*.csv"])).toEqual(["a.csv", "b.csv"]);
    expect(await expandPathGlobs(dir, [".*.csv"])).toEqual([".hidden.csv"]);
    expect(await expandPathGlobs(dir, ["[ab].csv", "?.txt"])).toEqual(["a.csv", "b.csv", "c.txt"]);
    expect(await expandPathGlobs(dir, ["data/*"])).toEqual(["data/deep", "data/x.csv"]);
  });

  it("takes ** for any number of directories", async () => {
    expect(await expandPathGlobs(dir, ["**/*.csv"])).toEqual([
      "a.csv",
      "b.csv",
      "data/deep/y.csv",
      "data/x.csv",
    ]);
    expect(await expandPathGlobs(dir, ["data/**"])).toEqual([
      "data/",
      "data/deep",
      "data/deep/y.csv",
      "data/x.csv",
    ]);
  });

  it("keeps an absolute pattern absolute and a plain existing path as it is", async () => {
    expect(await expandPathGlobs(dir, [join(dir, "data", "*.csv")])).toEqual([join(dir, "data", "x.csv")]);
    expect(await expandPathGlobs(dir, ["c.txt", "nothing-*"])).toEqual(["c.txt"]);
  });

  it("fails with dvc's message when nothing matches", async () => {
    await expect(expandPathGlobs(dir, ["nothing-*", "none"])).rejects.toThrow(
      "Glob ['nothing-*', 'none'] has no matches.",
    );
  });
});
