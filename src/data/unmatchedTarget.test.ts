import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unmatchedTarget } from "./unmatchedTarget.js";

// Each expected message is what dvc 3.67.1 printed for `dvc push <target>` in the same layout.
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowops-unmatched-"));
  writeFileSync(join(dir, "dvc.yaml"), "stages:\n  a:\n    cmd: echo a\n");
  writeFileSync(join(dir, "plain.txt"), "hi\n");
  mkdirSync(join(dir, "sub"));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const outcome = (cwd: string, target: string): [string, boolean] => {
  const { error, suggestsGit } = unmatchedTarget(cwd, target);
  return [error.message, suggestsGit];
};

describe("unmatchedTarget", () => {
  it("appends why a bare name is no stage of the cwd's dvc.yaml, as dvc appends the cause", () => {
    const missingStage = "Stage 's' not found inside 'dvc.yaml' file";
    expect(outcome(dir, "s")).toEqual([
      `'s' does not exist as an output or a stage name in 'dvc.yaml': ${missingStage}`,
      true,
    ]);
    expect(outcome(dir, "nope/x.txt")[0]).toBe(
      "'nope/x.txt' does not exist as an output or a stage name in 'dvc.yaml': " +
        "Stage 'nope/x.txt' not found inside 'dvc.yaml' file",
    );
    expect(outcome(join(dir, "sub"), "s")).toEqual([
      "'s' does not exist as an output or a stage name in 'dvc.yaml': 'dvc.yaml' does not exist",
      true,
    ]);
  });

  it("words a file:name target as the file's own load fails", () => {
    expect(outcome(dir, "dvc.yaml:s")).toEqual(["Stage 's' not found inside 'dvc.yaml' file", false]);
    expect(outcome(join(dir, "sub"), "../dvc.yaml:s")).toEqual([
      "Stage 's' not found inside '../dvc.yaml' file",
      false,
    ]);
    expect(outcome(join(dir, "sub"), "dvc.yaml:s")).toEqual([
      `'${join(dir, "sub", "dvc.yaml")}' does not exist`,
      true,
    ]);
    expect(outcome(dir, "nope.dvc")).toEqual([`'${join(dir, "nope.dvc")}' does not exist`, true]);
  });

  it("fails a file not named like a DVC file on its name, or as no out or stage when it is missing", () => {
    expect(outcome(dir, "plain.txt:s")).toEqual([
      "bad DVC file name 'plain.txt'. DVC files should be named 'dvc.yaml' or have a '.dvc' suffix " +
        "(e.g. 'plain.txt.dvc').",
      false,
    ]);
    const missing = join(dir, "nope.txt");
    expect(outcome(dir, "nope.txt:s")).toEqual([
      `'nope.txt:s' does not exist as an output or a stage name in '${missing}': '${missing}' does not exist`,
      true,
    ]);
  });
});
