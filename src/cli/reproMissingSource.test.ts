// `flowops repro` of a `.dvc` data source whose data is missing, under -k, -k -q and --ignore-errors: what dvc
// 3.67.1 prints for it, side by side (tests/compat/dvc/test_dvc_repro_missing_source.py).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";
import { reproCommand } from "./repro.js";

let dir: string;
let previousCwd: string;
let stdout: string;
let stderr: string;

// data.txt (data.txt.dvc) feeds prep -> post; bad reads nothing and fails.
const PIPELINE = `stages:
  prep:
    cmd: cp data.txt s.txt
    deps: [data.txt]
    outs: [s.txt]
  post:
    cmd: cp s.txt t.txt
    deps: [s.txt]
    outs: [t.txt]
`;
const BAD = "  bad:\n    cmd: exit 3\n    outs: [b.txt]\n";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-repro-missing-source-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  const repo = await initDataRepo(dir);
  await writeFile(join(dir, "data.txt"), "data\n");
  await addTargets(repo, ["data.txt"], { cwd: dir });
  closeDataRepo(repo);
  await rm(join(dir, "data.txt"));
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  previousCwd = process.cwd();
  process.chdir(dir);
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
});

afterEach(async () => {
  vi.restoreAllMocks();
  process.chdir(previousCwd);
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function flowops(...args: string[]): Promise<void> {
  const program = new Command("flowops").exitOverride();
  program.addCommand(reproCommand().exitOverride());
  await program.parseAsync(["node", "flowops", "repro", ...args]);
}

const VERIFYING = "Verifying data sources in stage: 'data.txt.dvc'\n";
const MISSING = "WARNING: missing data 'source': data.txt\n";

describe("flowops repro of a data source whose data is missing", () => {
  // Regression: FlowOps warned of the cause only, without the stages it skips or the closing error.
  it("with -k warns of the stages it skips and names it in the closing error", async () => {
    await flowops("-k");
    expect(stdout).toBe(VERIFYING);
    expect(stderr).toBe(
      MISSING +
        "WARNING: Stages 'prep' and 'post' will be skipped due to this failure\n" +
        "ERROR: failed to reproduce 'data.txt.dvc'\n",
    );
    expect(process.exitCode).toBe(255);
  });

  it("with -k and a failed stage too names both, the data source first", async () => {
    await writeFile(join(dir, "dvc.yaml"), PIPELINE + BAD);
    await flowops("-k");
    expect(stdout).toBe(VERIFYING + "Running stage 'bad':\n> exit 3\n");
    expect(stderr).toBe(
      MISSING +
        "WARNING: Stages 'prep' and 'post' will be skipped due to this failure\n" +
        "WARNING: failed to run: exit 3, exited with 3\n" +
        "ERROR: failed to reproduce stages: 'data.txt.dvc' and 'bad'\n",
    );
    expect(process.exitCode).toBe(255);
  });

  // Regression: the closing error showed through -q, which in dvc hides it (only the exit status tells).
  it("with -k -q says nothing", async () => {
    await writeFile(join(dir, "dvc.yaml"), PIPELINE + BAD);
    await flowops("-k", "-q");
    expect([stdout, stderr]).toEqual(["", ""]);
    expect(process.exitCode).toBe(255);
  });

  // Regression: a failed data source kept the summary from saying anything, ignored or not.
  it("with --ignore-errors warns of each failure and ends up to date", async () => {
    await flowops("--ignore-errors", "prep");
    expect(stdout).toBe(VERIFYING + "Data and pipelines are up to date.\n");
    expect(stderr).toBe(
      "WARNING: missing data 'source': data.txt (ignored)\n" +
        `WARNING: [Errno 2] No such file or directory: '${join(dir, "data.txt")}' (ignored)\n`,
    );
    expect(process.exitCode).toBeUndefined();
  });
});
