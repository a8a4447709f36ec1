import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess } from "../../test/support/cliInProcess.js";

let dir: string;
let cwd: string;

beforeEach(async () => {
  cwd = process.cwd();
  dir = await mkdtemp(join(tmpdir(), "flowops-log-level-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  process.chdir(dir);
  expect((await flowopsInProcess("data", "init")).code).toBe(0);
});

afterEach(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

describe("dvc's -q and -v on the dvc commands", () => {
  it("-q prints nothing but errors, and keeps the exit codes", async () => {
    await writeFile(join(dir, "f.txt"), "x\n");
    const added = await flowopsInProcess("data", "add", "-q", "f.txt");
    expect(added).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(join(dir, "f.txt.dvc"))).toBe(true);
    const missing = await flowopsInProcess("data", "add", "--quiet", "missing.txt");
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    // dvc 3.67.1: `dvc add -q missing.txt` prints nothing and exits 1.
    expect(missing.stderr).toBe("");
    // Output comes back for the next command in the same process.
    const listed = await flowopsInProcess("data", "ls");
    expect(listed.stdout).toContain("f.txt");
  });

  it("-v starts with the version and the command line; -q with -v is a usage error, as dvc's", async () => {
    const verbose = await flowopsInProcess("data", "remote", "list", "-v");
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/^DEBUG: flowops v\S+, Node\.js v\S+ on \S+\nDEBUG: command: /);
    const both = await flowopsInProcess("data", "ls", "-q", "-v");
    expect(both.code).toBe(254);
    expect(both.stderr).toContain("cannot be used with option '-v, --verbose'");
  });

  it("takes -q and -v before the command and ignores them, as dvc's top-level parser does", async () => {
    // dvc 3.67.1: `dvc -q add missing.txt` prints its ERROR line and exits 1.
    const missing = await flowopsInProcess("data", "-q", "add", "missing.txt");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ERROR: output 'missing\.txt' does not exist/);
  });

  it("hides the error of a command whose -q is its own, as dvc's status -q does", async () => {
    // dvc 3.67.1: `dvc status -q nowhere` prints nothing and exits 1.
    expect(await flowopsInProcess("data", "status", "-q", "nowhere")).toEqual({
      code: 1,
      stdout: "",
      stderr: "",
    });
  });

  it("leaves the commands that give -q a meaning of their own alone", async () => {
    await writeFile(join(dir, "f.txt"), "x\n");
    await flowopsInProcess("data", "add", "f.txt");
    await writeFile(join(dir, "f.txt"), "changed\n");
    // data status -q: dvc's exit 1 when anything changed.
    expect((await flowopsInProcess("data", "status", "-q")).code).toBe(1);
  });
});
