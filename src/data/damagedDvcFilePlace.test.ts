/**
 * Regression: push/pull/fetch/gc (usedObjects.ts), `data diff` (diffRevisions.ts) and history scans
 * (historyOuts.ts) parsed dvc files themselves, so a file that is not YAML failed there without dvc's
 * "in line L, column C" and its YAMLSyntaxError class, which every other command gives (dvcFileErrors.ts).
 * `data diff` also compared against a damaged workspace dvc.lock without reading it, where `dvc diff` fails.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import type { DataRepo } from "./dataRepo.js";
import { diffRevisions } from "./diffRevisions.js";
import { dvcFileErrorType } from "./dvcFileErrors.js";
import { gitIn } from "./gitFixtures.js";
import { historyTrackedOuts } from "./historyOuts.js";
import { usedObjects } from "./usedObjects.js";

const PIPELINE = "stages:\n  s:\n    cmd: echo hi > o\n    outs:\n    - o\n";
/** An unclosed flow sequence: dvc 3.67.1 places it "in line 4, column 10" and "in line 5, column 1". */
const DAMAGED_LOCK = 'schema: "2.0"\nstages:\n  s:\n    cmd: [unclosed\n';
/** dvc 3.67.1 places it "in line 3, column 1" (twice: the flow node, then the end of the text). */
const DAMAGED_DVC_FILE = "outs:\n- md5: [\n";

/** A project in Git with a pipeline, committed, whose next commit (if `commit`) holds `file` as `text`. */
async function projectWith(
  file: string,
  text: string,
  commit: boolean,
): Promise<{ repo: DataRepo; dir: string }> {
  const { repo, dir } = await tempDataRepo({ prefix: "flowops-damaged-place-", scm: "git" });
  const git = gitIn(() => dir);
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  git("add", "-A");
  git("commit", "-qm", "pipeline");
  await writeFile(join(dir, file), text);
  if (commit) {
    git("add", "-A");
    git("commit", "-qm", "damaged");
  }
  return { repo, dir };
}

/** What `work` fails with; fails the test when it does not fail. */
async function failureOf(work: Promise<unknown>): Promise<Error> {
  const error: unknown = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

function expectPlaced(error: Error, file: RegExp, place: string): void {
  expect(error.message).toMatch(file);
  expect(error.message).toMatch(new RegExp(`: invalid YAML: .*, ${place}$`));
  expect(dvcFileErrorType(error)).toBe("YAMLSyntaxError");
}

describe("a dvc file that is not YAML, read by the data transfer and diff commands", () => {
  it("is placed as dvc places it when push, fetch or gc collect the workspace's dvc.lock", async () => {
    const { repo } = await projectWith("dvc.lock", DAMAGED_LOCK, false);
    expectPlaced(await failureOf(usedObjects(repo)), /dvc\.lock:5: /, "in line 5, column 1");
  });

  it("fails a diff against the workspace, placed, as dvc's diff does", async () => {
    const { repo, dir } = await projectWith("dvc.lock", DAMAGED_LOCK, false);
    expectPlaced(
      await failureOf(diffRevisions(repo, "HEAD", undefined, { cwd: dir })),
      /dvc\.lock:5: /,
      "in line 5, column 1",
    );
  });

  it("is placed in a revision's .dvc file that diff reads", async () => {
    const { repo, dir } = await projectWith("x.dvc", DAMAGED_DVC_FILE, true);
    expectPlaced(
      await failureOf(diffRevisions(repo, "HEAD~1", "HEAD", { cwd: dir })),
      /^HEAD:x\.dvc:3: /,
      "in line 3, column 1",
    );
  });

  it("is placed in a commit's dvc.lock or .dvc file that a history scan reads", async () => {
    for (const [file, text, place] of [
      ["dvc.lock", DAMAGED_LOCK, "in line 5, column 1"],
      ["x.dvc", DAMAGED_DVC_FILE, "in line 3, column 1"],
    ] as const) {
      const { repo } = await projectWith(file, text, true);
      expectPlaced(
        await failureOf(historyTrackedOuts(repo, { allCommits: true })),
        new RegExp(`^[0-9a-f]{7}:${file.replace(".", "\\.")}:\\d+: `),
        place,
      );
    }
  });
});
