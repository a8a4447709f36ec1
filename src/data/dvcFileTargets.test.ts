/**
 * push and fetch of `.dvc` file targets read those files alone, as dvc 3.67.1 does: damaged pipeline files
 * or other `.dvc` files elsewhere neither stop nor warn; an out-path target still reads everything.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addTargets } from "./addTargets.js";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { dvcFileTargets } from "./dvcFileTargets.js";
import { objectKey } from "./hashInfo.js";
import { fetch, push } from "./pushPull.js";

let dir: string;
let root: string;
let repo: DataRepo;

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");
const onRemote = (text: string): boolean => existsSync(join(dir, "remote", objectKey(md5(text))));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "flowops-dvc-file-targets-"));
  root = join(dir, "ws");
  mkdirSync(join(root, "sub"), { recursive: true });
  execFileSync("git", ["init", "-q"], { cwd: root });
  closeDataRepo(await initDataRepo(root));
  writeFileSync(
    join(root, ".dvc", "config"),
    "[core]\n    remote = storage\n['remote \"storage\"']\n    url = ../../remote\n",
  );
  repo = await openDataRepo(root);
  writeFileSync(join(root, "data.csv"), "a,b\n1,2\n");
  await addTargets(repo, ["data.csv"], { cwd: root });
  // Damaged in every way a full collection would meet: YAML errors in both pipeline files and another .dvc.
  writeFileSync(join(root, "dvc.yaml"), "stages:\n  s:\n    cmd: [\n");
  writeFileSync(join(root, "dvc.lock"), "schema: '2.0'\nstages: {s: [\n");
  writeFileSync(join(root, "sub", "dvc.lock"), "garbage: [\n");
  writeFileSync(join(root, "other.dvc"), "outs: [\n");
});

afterEach(() => {
  closeDataRepo(repo);
  rmSync(dir, { recursive: true, force: true });
});

describe("push and fetch of .dvc file targets", () => {
  it("pushes a .dvc target although dvc.yaml, dvc.lock and another .dvc file are damaged", async () => {
    const skipped: string[] = [];
    const result = await push(repo, [join(root, "data.csv.dvc")], {
      onSkippedRevision: (revision) => skipped.push(revision),
    });
    expect(result.transferred).toBe(1);
    expect(result.failed).toEqual([]);
    expect(skipped).toEqual([]);
    expect(onRemote("a,b\n1,2\n")).toBe(true);
  });

  it("fetches a .dvc target into an empty cache although the pipeline files are damaged", async () => {
    await push(repo, [join(root, "data.csv.dvc")]);
    rmSync(join(root, ".dvc", "cache"), { recursive: true, force: true });
    const result = await fetch(repo, [join(root, "data.csv.dvc")]);
    expect(result.transferred).toBe(1);
    expect(await repo.cache.verify(md5("a,b\n1,2\n"))).toBe(true);
  });

  // dvc resolves both by collecting every stage file, so the first damaged one stops the command.
  it.each(["data.csv", "missing.dvc"])(
    "still reads every stage file for the target %s, failing on a damaged one as dvc does",
    async (target) => {
      const skipped: string[] = [];
      await expect(
        push(repo, [join(root, target)], { onSkippedRevision: (revision) => skipped.push(revision) }),
      ).rejects.toThrow(/invalid YAML/);
      expect(skipped).toEqual(["workspace"]);
      expect(onRemote("a,b\n1,2\n")).toBe(false);
    },
  );
});

describe("dvcFileTargets", () => {
  it("is the files only when every target is an existing .dvc file inside the repo", () => {
    const file = join(root, "data.csv.dvc");
    expect(dvcFileTargets(root, [file])).toEqual([file]);
    expect(dvcFileTargets(root, [file, join(root, "data.csv")])).toBeUndefined();
    expect(dvcFileTargets(root, [join(root, "missing.dvc")])).toBeUndefined();
    expect(dvcFileTargets(root, [])).toBeUndefined();
  });
});
