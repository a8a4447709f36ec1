import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess } from "../../test/support/cliInProcess.js";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";

let dir: string;
let previousCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-repro-params-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  await writeFile(join(dir, "dvc.yaml"), "stages:\n  train:\n    cmd: echo hi\n    params:\n    - lr\n");
  previousCwd = process.cwd();
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

// dvc 3.67.1 printed "ERROR: unable to read: 'params.yaml', YAML file structure is corrupted: <ruamel's account>"
// (and "..., is not valid utf-8: <codec's account>"), exit 255, for both `repro` and `repro --dry`.
describe("flowops repro on a params.yaml dvc cannot read", () => {
  // Regression: repro threw FlowOps' "INVALID_PARAMETER_VALUE: <abs>/params.yaml:2: invalid YAML: ...".
  it("stops with dvc's message for a corrupt params.yaml, then FlowOps' line and reason, exit 255", async () => {
    await writeFile(join(dir, "params.yaml"), "lr: [0.1\nb: 2\n");
    const { code, stderr } = await flowopsInProcess("repro", "--dry");
    expect(stderr).toMatch(
      /^ERROR: unable to read: 'params.yaml', YAML file structure is corrupted: line 2: invalid YAML: .+\n$/,
    );
    expect(code).toBe(255);
  });

  it("stops with dvc's message for a params.yaml that is not UTF-8", async () => {
    await writeFile(join(dir, "params.yaml"), Buffer.from("lr: 0.1\n\xff\xfe: 2\n", "latin1"));
    const { code, stderr } = await flowopsInProcess("repro");
    expect(stderr).toMatch(/^ERROR: unable to read: 'params.yaml', is not valid utf-8: line 2: .+\n$/);
    expect(code).toBe(255);
  });

  // dvc 3.67.1, from a directory without a dvc.yaml and a corrupt params.yaml at the root: `repro` said
  // "ERROR: '<abs>/sub/dvc.yaml' does not exist" and `repro s` "ERROR: 'dvc.yaml' does not exist", exit 255.
  // Regression: FlowOps loaded every dvc.yaml (and the root's params.yaml) first and reported the params.
  // An error that escapes a dvc command is printed as dvc prints it (program.ts, dvcErrorLine.ts).
  it("names the cwd's missing dvc.yaml before reading the root's params.yaml, as dvc loads targets first", async () => {
    await writeFile(join(dir, "params.yaml"), "lr: [0.1\nb: 2\n");
    const sub = join(dir, "sub");
    await mkdir(sub);
    process.chdir(sub);
    const all = await flowopsInProcess("repro");
    expect(all).toMatchObject({
      code: 255,
      stderr: `ERROR: '${join(process.cwd(), "dvc.yaml")}' does not exist\n`,
    });
    const one = await flowopsInProcess("repro", "s");
    expect(one).toMatchObject({
      code: 255,
      stderr: "ERROR: 'dvc.yaml' does not exist\n",
    });
  });
});
