import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess } from "../../test/support/cliInProcess.js";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";

let dir: string;
let previousCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-dag-load-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  previousCwd = process.cwd();
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

// dvc 3.67.1 `dvc dag`, exit 255 for both:
//   ERROR: failed to parse 'stages.a.cmd' in 'dvc.yaml': Could not find 'nope'
//   ERROR: unable to read: 'params.yaml', YAML file structure is corrupted: <ruamel's account>
describe("flowops dag on a pipeline dvc cannot load", () => {
  // Regression: dag threw FlowOps' "INVALID_PARAMETER_VALUE: ..." with the absolute path.
  it("stops with dvc's ResolveError message for an undefined variable, exit 255", async () => {
    await writeFile(join(dir, "dvc.yaml"), "stages:\n  a:\n    cmd: echo ${nope}\n");
    const { code, stderr } = await flowopsInProcess("dag");
    expect(stderr).toBe("ERROR: failed to parse 'stages.a.cmd' in 'dvc.yaml': Could not find 'nope'\n");
    expect(code).toBe(255);
  });

  it("stops with dvc's message for a corrupt params.yaml, exit 255", async () => {
    await writeFile(join(dir, "dvc.yaml"), "stages:\n  a:\n    cmd: echo hi\n    params: [a]\n");
    await writeFile(join(dir, "params.yaml"), "a: [1\n");
    const { code, stderr } = await flowopsInProcess("dag");
    expect(stderr).toMatch(/^ERROR: unable to read: 'params.yaml', YAML file structure is corrupted: .+\n$/);
    expect(code).toBe(255);
  });
});
