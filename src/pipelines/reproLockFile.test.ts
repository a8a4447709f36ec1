// Which dvc.lock each stage changed, for dvc's "Generating lock file" / "Updating lock file" lines (dvc 3.67.1
// `ProjectFile.dump_stages`: Generating when the lock held nothing, Updating when the stage's entry changed).
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { dir, run, setUp, useReproWorkspace } from "./reproFixtures.js";
import type { ReproResult } from "./repro.js";

useReproWorkspace();

const STAGES = `stages:
  a:
    cmd: cp data.txt a.txt
    deps:
    - data.txt
    outs:
    - a.txt
  b:
    cmd: cp a.txt b.txt
    deps:
    - a.txt
    outs:
    - b.txt
`;

const lockFiles = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(
    result.stages.map((s) => [
      s.name,
      s.lockFile === undefined ? "-" : `${s.lockFile.path.slice(dir.length + 1)}:${s.lockFile.generated}`,
    ]),
  );

it("says a new dvc.lock is generated, then updated for each stage whose entry changed", async () => {
  await setUp({ "dvc.yaml": STAGES, "data.txt": "one\n" });
  expect(lockFiles(await run({ cwd: dir }))).toEqual({ a: "dvc.lock:true", b: "dvc.lock:false" });
  await writeFile(join(dir, "data.txt"), "two\n");
  expect(lockFiles(await run({ cwd: dir }))).toEqual({ a: "dvc.lock:false", b: "dvc.lock:false" });
  // Restored from its own unchanged entry: nothing in dvc.lock changes, so nothing is said.
  await rm(join(dir, "a.txt"));
  expect(lockFiles(await run({ cwd: dir }))).toEqual({ a: "-", b: "-" });
});
