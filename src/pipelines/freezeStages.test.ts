import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { setFrozen } from "./freezeStages.js";

const STAGE = "stages:\n  a:\n    cmd: echo hi > out.txt\n    outs:\n    - out.txt\n";
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-freeze-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await writeFile(join(dir, "dvc.yaml"), STAGE);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Regression: freeze and unfreeze rewrote a stage whose dvc.yaml or dvc.lock Git ignores; dvc refuses to load it.
it("leaves a stage whose pipeline files Git ignores as it is, with dvc's reason for each target", async () => {
  await writeFile(join(dir, ".gitignore"), "dvc.lock\n");
  const options = { cwd: dir, root: dir, scm: true };
  expect(await setFrozen(["a", "dvc.yaml:a"], true, options)).toEqual([
    { target: "a", error: "'dvc.lock' is git-ignored." },
    { target: "dvc.yaml:a", error: `'${join(dir, "dvc.lock")}' is git-ignored.` },
  ]);
  await writeFile(join(dir, ".gitignore"), "dvc.yaml\n");
  expect(await setFrozen(["a"], false, options)).toEqual([
    { target: "a", error: "bad DVC file name 'dvc.yaml' is git-ignored." },
  ]);
  expect(await readFile(join(dir, "dvc.yaml"), "utf8")).toBe(STAGE);
  // Outside Git the stage is frozen as usual.
  expect(await setFrozen(["a"], true, { ...options, scm: false })).toEqual([{ target: "a" }]);
  expect(await readFile(join(dir, "dvc.yaml"), "utf8")).toContain("frozen: true");
});
