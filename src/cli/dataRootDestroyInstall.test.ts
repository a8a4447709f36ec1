import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";
import { dataCommand } from "./data.js";
import { runCommandLine } from "./program.js";

let dir = "";
let previousCwd = "";
let stdout = "";
let stderr = "";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-destroy-"));
  previousCwd = process.cwd();
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
});

afterEach(async () => {
  vi.restoreAllMocks();
  process.chdir(previousCwd);
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function data(cwd: string, ...args: string[]): Promise<number> {
  process.chdir(cwd);
  process.exitCode = undefined;
  return runCommandLine(["node", "flowops", "data", ...args], [["data", async () => dataCommand()]]);
}

it("root prints the relative root (JSON with --json) and exits 253 outside a repository", async () => {
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  await mkdir(join(dir, "a"));
  expect(await data(join(dir, "a"), "root")).toBe(0);
  expect(await data(join(dir, "a"), "root", "--json")).toBe(0);
  expect(stdout).toBe('..\n{\n  "root": ".."\n}\n');
  await mkdir(join(dir, "outside"));
  await rm(join(dir, ".dvc"), { recursive: true });
  expect(await data(join(dir, "outside"), "root")).toBe(253);
  expect(stderr).toMatch(/you are not inside of a DVC repository \(checked up to mount point '.+'\)/);
});

it("destroy -f removes the project silently; install refuses a second time with exit 1", async () => {
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  expect(await data(dir, "install")).toBe(0);
  expect(await readFile(join(dir, ".git/hooks/pre-push"), "utf8")).toContain(
    "exec flowops data git-hook pre-push $@",
  );
  expect(await data(dir, "install")).toBe(1);
  expect(stderr).toContain("Hook 'post-checkout' already exists.");
  await writeFile(join(dir, "f.txt"), "f\n");
  expect(await data(dir, "destroy", "-f")).toBe(0);
  expect(stdout).toBe("");
  expect(existsSync(join(dir, ".dvc"))).toBe(false);
  // A hook run where the branch has no .dvc/ does nothing, as dvc's.
  expect(await data(dir, "git-hook", "post-checkout", "a", "b", "1")).toBe(0);
});
