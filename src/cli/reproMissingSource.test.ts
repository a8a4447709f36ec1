// `flowops repro` of a `.dvc` data source whose data is missing, under -k, -k -q and --ignore-errors: what dvc
// 3.67.1 prints for it, side by side (tests/compat/dvc/test_dvc_repro_missing_source.py).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess, type CliResult } from "../../test/support/cliInProcess.js";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";

let dir: string;
let previousCwd: string;

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
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

const repro = (...args: string[]): Promise<CliResult> => flowopsInProcess("repro", ...args);

const VERIFYING = "Verifying data sources in stage: 'data.txt.dvc'\n";
const MISSING = "WARNING: missing data 'source': data.txt\n";

describe("flowops repro of a data source whose data is missing", () => {
  // Regression: FlowOps warned of the cause only, without the stages it skips or the closing error.
  it("with -k warns of the stages it skips and names it in the closing error", async () => {
    const { code, stdout, stderr } = await repro("-k");
    expect(stdout).toBe(VERIFYING);
    expect(stderr).toBe(
      MISSING +
        "WARNING: Stages 'prep' and 'post' will be skipped due to this failure\n" +
        "ERROR: failed to reproduce 'data.txt.dvc'\n",
    );
    expect(code).toBe(255);
  });

  it("with -k and a failed stage too names both, the data source first", async () => {
    await writeFile(join(dir, "dvc.yaml"), PIPELINE + BAD);
    const { code, stdout, stderr } = await repro("-k");
    expect(stdout).toBe(VERIFYING + "Running stage 'bad':\n> exit 3\n");
    expect(stderr).toBe(
      MISSING +
        "WARNING: Stages 'prep' and 'post' will be skipped due to this failure\n" +
        "WARNING: failed to run: exit 3, exited with 3\n" +
        "ERROR: failed to reproduce stages: 'data.txt.dvc' and 'bad'\n",
    );
    expect(code).toBe(255);
  });

  // Regression: the closing error showed through -q, which in dvc hides it (only the exit status tells).
  it("with -k -q says nothing", async () => {
    await writeFile(join(dir, "dvc.yaml"), PIPELINE + BAD);
    const { code, stdout, stderr } = await repro("-k", "-q");
    expect([stdout, stderr]).toEqual(["", ""]);
    expect(code).toBe(255);
  });

  // Regression: a failed data source kept the summary from saying anything, ignored or not.
  it("with --ignore-errors warns of each failure and ends up to date", async () => {
    const { code, stdout, stderr } = await repro("--ignore-errors", "prep");
    expect(stdout).toBe(VERIFYING + "Data and pipelines are up to date.\n");
    expect(stderr).toBe(
      "WARNING: missing data 'source': data.txt (ignored)\n" +
        `WARNING: [Errno 2] No such file or directory: '${join(dir, "data.txt")}' (ignored)\n`,
    );
    expect(code).toBe(0);
  });
});
