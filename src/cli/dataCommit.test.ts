import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";
import { repro } from "../pipelines/repro.js";
import { commitCommand } from "./dataCommit.js";
import { DVC_EXIT, dvcExitCode } from "./dvcExitCodes.js";

let dir: string;
let previousCwd: string;
let stdout: string;

// s and t write their outs, u also reads in.txt; all run with --no-commit, so nothing is in the cache yet.
const PIPELINE = `stages:
  s:
    cmd: echo s > s.txt
    outs: [s.txt]
  t:
    cmd: echo t > t.txt
    outs: [t.txt]
  u:
    cmd: echo u > u.txt
    deps: [in.txt]
    outs: [u.txt]
`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-commit-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  await writeFile(join(dir, "in.txt"), "in\n");
  const repo = await initDataRepo(dir);
  try {
    await repro(repo, { noCommit: true });
  } finally {
    closeDataRepo(repo);
  }
  previousCwd = process.cwd();
  process.chdir(dir);
  stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
});

afterEach(async () => {
  vi.restoreAllMocks();
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

const inCache = (text: string): boolean => {
  const md5 = createHash("md5").update(text).digest("hex");
  return existsSync(join(dir, ".dvc", "cache", "files", "md5", md5.slice(0, 2), md5.slice(2)));
};

/** `flowops data commit <args>`: the error it ends with (undefined when none) and the exit code dvc's gives. */
async function commit(...args: string[]): Promise<{ error?: string; exit: number }> {
  const program = new Command("flowops").exitOverride();
  program.addCommand(new Command("data").addCommand(commitCommand()));
  const argv = ["node", "flowops", "data", "commit", ...args];
  try {
    await program.parseAsync(argv);
    return { exit: 0 };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), exit: dvcExitCode(argv, error) };
  }
}

const refused = (stage: string): string =>
  `unable to commit changed stage: '${stage}'. Use \`-f|--force\` to force.`;

// dvc 3.67.1 (its CmdCommit commits one target at a time, `logger.exception("failed to commit %s")` on the
// first that fails, exit 1, nothing on stdout):
//   dvc commit t      -> ERROR: failed to commit t - unable to commit changed stage: 't'. Use `-f|--force` to force.
//   dvc commit s t    -> the same line; s is committed (in the cache), t is not
//   dvc commit t s    -> the same line; s is not committed
//   dvc commit        -> ERROR: failed to commit - unable to commit changed stage: 't'. ...; s is committed
//   dvc commit -f t   (t.txt deleted)  -> ERROR: failed to commit t - output 't.txt' does not exist
//   dvc commit -f u   (in.txt deleted) -> ERROR: failed to commit u - dependency 'in.txt' does not exist
// Regression: FlowOps resolved every target together, checked all before committing any, and said only
// "unable to commit changed stage: 't'..." (or "stage 't': output 't.txt' does not exist").
describe("flowops data commit, a target that fails", () => {
  it("names the failing target before dvc's reason and exits 1, printing nothing", async () => {
    await writeFile(join(dir, "t.txt"), "edited\n");
    expect(await commit("t")).toEqual({
      error: `failed to commit t - ${refused("t")}`,
      exit: DVC_EXIT.failed,
    });
    expect(inCache("edited\n")).toBe(false);
    expect(stdout).toBe("");
  });

  it("commits the targets before the failing one and none after it", async () => {
    await writeFile(join(dir, "t.txt"), "edited\n");
    expect(await commit("t", "s")).toEqual({ error: `failed to commit t - ${refused("t")}`, exit: 1 });
    expect(inCache("s\n")).toBe(false);
    expect(await commit("s", "t")).toEqual({ error: `failed to commit t - ${refused("t")}`, exit: 1 });
    expect(inCache("s\n")).toBe(true);
  });

  it("without targets, says `failed to commit -` and keeps the stages committed before the failing one", async () => {
    await writeFile(join(dir, "t.txt"), "edited\n");
    expect(await commit()).toEqual({ error: `failed to commit - ${refused("t")}`, exit: 1 });
    expect(inCache("s\n")).toBe(true);
    expect(inCache("u\n")).toBe(false);
  });

  it("reports a forced stage's missing output or dependency as dvc does, relative to the cwd", async () => {
    await rm(join(dir, "t.txt"));
    await rm(join(dir, "in.txt"));
    expect(await commit("-f", "t")).toEqual({
      error: "failed to commit t - output 't.txt' does not exist",
      exit: 1,
    });
    expect(await commit("-f", "u")).toEqual({
      error: "failed to commit u - dependency 'in.txt' does not exist",
      exit: 1,
    });
    await mkdir(join(dir, "sub"));
    process.chdir(join(dir, "sub"));
    expect((await commit("-f", "../dvc.yaml:u")).error).toBe(
      "failed to commit ../dvc.yaml:u - dependency '../in.txt' does not exist",
    );
  });

  it("prints what was committed only with --json", async () => {
    expect(await commit("s", "t")).toEqual({ exit: 0 });
    expect(stdout).toBe("");
    expect(await commit("--json", "s")).toEqual({ exit: 0 });
    expect(JSON.parse(stdout)).toEqual({ committed: ["s"] });
  });
});
