/**
 * push and fetch of `.dvc` file targets read those files alone, as dvc 3.67.1 does: damaged pipeline files
 * or other `.dvc` files elsewhere neither stop nor warn; an out-path target still reads everything.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { checkoutTargets } from "./checkoutTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { dvcFileTargets } from "./dvcFileTargets.js";
import { objectKey } from "./hashInfo.js";
import { fetch, pull, push } from "./pushPull.js";

let dir: string;
let root: string;
let repo: DataRepo;

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");
const onRemote = (text: string): boolean => existsSync(join(dir, "remote", objectKey(md5(text))));

beforeEach(async () => {
  ({
    base: dir,
    dir: root,
    repo,
  } = await tempDataRepo({
    prefix: "flowops-dvc-file-targets-",
    scm: "git",
    at: "ws",
    config: "[core]\n    remote = storage\n['remote \"storage\"']\n    url = ../../remote\n",
  }));
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "data.csv"), "a,b\n1,2\n");
  await addTargets(repo, ["data.csv"], { cwd: root });
  // Damaged in every way a full collection would meet: YAML errors in both pipeline files and another .dvc.
  writeFileSync(join(root, "dvc.yaml"), "stages:\n  s:\n    cmd: [\n");
  writeFileSync(join(root, "dvc.lock"), "schema: '2.0'\nstages: {s: [\n");
  writeFileSync(join(root, "sub", "dvc.lock"), "garbage: [\n");
  writeFileSync(join(root, "other.dvc"), "outs: [\n");
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

// dvc checks a .dvc target out from that file alone too (`dvc checkout data.csv.dvc`, `dvc pull data.csv.dvc`
// exit 0 beside an invalid dvc.yaml); `dvc checkout data.csv` fails on it.
describe("checkout and pull of .dvc file targets", () => {
  it("checks a .dvc target out although the pipeline files and another .dvc file are damaged", async () => {
    rmSync(join(root, "data.csv"));
    const summary = await checkoutTargets(repo, ["data.csv.dvc"], { cwd: root });
    expect(summary.failed).toEqual([]);
    expect(readFileSync(join(root, "data.csv"), "utf8")).toBe("a,b\n1,2\n");
  });

  it("pulls a .dvc target into an empty cache and workspace although the pipeline files are damaged", async () => {
    await push(repo, [join(root, "data.csv.dvc")]);
    rmSync(join(root, ".dvc", "cache"), { recursive: true, force: true });
    rmSync(join(root, "data.csv"));
    await pull(repo, [join(root, "data.csv.dvc")]);
    expect(readFileSync(join(root, "data.csv"), "utf8")).toBe("a,b\n1,2\n");
  });

  it("still reads every stage file to check out an out-path target", async () => {
    rmSync(join(root, "data.csv"));
    await expect(checkoutTargets(repo, ["data.csv"], { cwd: root })).rejects.toThrow(/invalid YAML/);
  });
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
