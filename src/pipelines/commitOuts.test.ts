import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { commitOuts } from "./commitOuts.js";
import { readLock } from "./dvcLock.js";
import { repro } from "./repro.js";

let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-commit-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  repo = await initDataRepo(dir);
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const inCache = (md5: string | undefined): boolean =>
  md5 !== undefined && existsSync(join(dir, ".dvc", "cache", "files", "md5", md5.slice(0, 2), md5.slice(2)));

// A stage with a dep, so that its run is cacheable as dvc's is.
const PIPELINE = "stages:\n  make:\n    cmd: cat in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n";

describe("commitOuts", () => {
  it("puts what a --no-commit repro recorded into the cache and the run-cache, changing no hash", async () => {
    await writeFile(join(dir, "in.txt"), "made\n");
    await writeFile(join(dir, "dvc.yaml"), PIPELINE);
    await repro(repo, { noCommit: true });
    const md5 = (await readLock(dir)).stages.get("make")?.outs[0]?.md5;
    expect(inCache(md5)).toBe(false);
    expect(await commitOuts(repo, [], { cwd: dir })).toEqual({ committed: ["make"] });
    expect(inCache(md5)).toBe(true);
    expect((await readLock(dir)).stages.get("make")?.outs[0]?.md5).toBe(md5);
    expect(existsSync(join(dir, ".dvc", "cache", "runs"))).toBe(true);
  });

  it("refuses a stage whose output changed unless forced, then records the new hash", async () => {
    await writeFile(join(dir, "in.txt"), "made\n");
    await writeFile(join(dir, "dvc.yaml"), PIPELINE);
    await repro(repo);
    await writeFile(join(dir, "out.txt"), "edited\n");
    await expect(commitOuts(repo, ["make"], { cwd: dir })).rejects.toThrow(
      "unable to commit changed stage: 'make'. Use `-f|--force` to force.",
    );
    await commitOuts(repo, ["make"], { cwd: dir, force: true });
    const md5 = (await readLock(dir)).stages.get("make")?.outs[0]?.md5;
    expect(md5).toBe(createHash("md5").update("edited\n").digest("hex"));
    expect(inCache(md5)).toBe(true);
  });

  // dvc 3.67.1 judges a changed out by the workspace alone (`workspace_status`), whether or not the recorded
  // object is in the cache: "unable to commit changed stage: 'make'". Regression: FlowOps took the out's
  // "not in cache" status for the whole story and committed the edited output without -f.
  it("refuses an output edited after a --no-commit run, though its recorded object is not in the cache", async () => {
    await writeFile(join(dir, "in.txt"), "made\n");
    await writeFile(join(dir, "dvc.yaml"), PIPELINE);
    await repro(repo, { noCommit: true });
    await writeFile(join(dir, "out.txt"), "edited\n");
    await expect(commitOuts(repo, [], { cwd: dir })).rejects.toThrow(
      "unable to commit changed stage: 'make'. Use `-f|--force` to force.",
    );
    expect(inCache(createHash("md5").update("edited\n").digest("hex"))).toBe(false);
  });

  it("commits a .dvc file's out added with --no-commit, and refuses one edited since", async () => {
    await writeFile(join(dir, "data.csv"), "a,b\n");
    const [added] = await addTargets(repo, ["data.csv"], { cwd: dir, noCommit: true });
    expect(inCache(added?.hash.md5)).toBe(false);
    expect(await commitOuts(repo, ["data.csv.dvc"], { cwd: dir })).toEqual({ committed: ["data.csv.dvc"] });
    expect(inCache(added?.hash.md5)).toBe(true);
    await writeFile(join(dir, "data.csv"), "a,b\n1,2\n");
    // dvc 3.67.1 names a .dvc file as a stage too: "unable to commit changed stage: 'data.csv.dvc'. ...".
    await expect(commitOuts(repo, [], { cwd: dir })).rejects.toThrow(
      "unable to commit changed stage: 'data.csv.dvc'. Use `-f|--force` to force.",
    );
  });

  it("writes a forced commit into the .dvc file that tracks the out, whatever its name", async () => {
    await writeFile(join(dir, "data.csv"), "a,b\n");
    await writeFile(
      join(dir, "inputs.dvc"),
      "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: data.csv\n",
    );
    expect(await commitOuts(repo, ["inputs.dvc"], { cwd: dir, force: true })).toEqual({
      committed: ["inputs.dvc"],
    });
    const md5 = createHash("md5").update("a,b\n").digest("hex");
    // Over the old text, as dvc's apply_diff: known keys keep their place, new ones are appended.
    expect(await readFile(join(dir, "inputs.dvc"), "utf8")).toBe(
      `outs:\n- md5: ${md5}\n  path: data.csv\n  size: 4\n  hash: md5\n`,
    );
    expect(existsSync(join(dir, "data.csv.dvc"))).toBe(false);
    expect(inCache(md5)).toBe(true);
  });
});
