// What the dvc commands do with a damaged `.dvc/config` or dvc.lock, each observed with dvc 3.67.1 in a
// repository made by `git init` and `dvc init`: the exit codes, which output comes first, and what is left run.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess as flowops } from "../../test/support/cliInProcess.js";

const PIPELINE =
  "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n" +
  "  b:\n    cmd: echo b > b.txt\n    outs:\n    - b.txt\n";

let dir: string;
let previousCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvc-damaged-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  previousCwd = process.cwd();
  process.chdir(dir);
  await flowops("data", "init");
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

const COMMANDS = [
  ["data", "status"],
  ["repro"],
  ["dag"],
  ["data", "checkout"],
  ["data", "push"],
  ["data", "pull"],
  ["data", "fetch"],
  ["data", "gc", "-w", "-f"],
  ["data", "add", "x.txt"],
  ["metrics", "show"],
  ["params", "diff"],
];

describe("a .dvc/config that does not load", () => {
  // Regression: dvc fails every command with "configuration error" (251) as it opens the repository; ours
  // exited 1 or 255 by command, and dag, metrics show and params diff did not read the config at all.
  it.each([
    ["an unknown section", "[bogus]\n    a = 1\n", "extra keys not allowed @ data['bogus']"],
    ["a bad value", "[core]\n    autostage = maybe\n", "expected true or false"],
    ["a syntax error", "[core\nfoo\n", "config file error"],
  ])("with %s exits 251 from every command, before anything runs or warns", async (_what, text, message) => {
    await writeFile(join(dir, "x.txt"), "x\n");
    await appendFile(join(dir, ".dvc", "config"), text);
    for (const args of COMMANDS) {
      const result = await flowops(...args);
      expect([args.join(" "), result.code]).toEqual([args.join(" "), 251]);
      expect(result.stderr).toContain(message);
      // gc's warning comes after the repository opened: dvc prints only the error.
      expect(result.stderr).not.toContain("WARNING");
    }
    // `ls` reads the config inside its own handler: dvc reports it there ("failed to list") and exits 1.
    expect((await flowops("data", "ls", ".")).code).toBe(1);
    expect(existsSync(join(dir, "a.txt"))).toBe(false);
  });
});

describe("a damaged or empty dvc.lock", () => {
  // Regression: an empty dvc.lock was read as no lock, so repro reran every stage and status called them all
  // changed; dvc refuses it ("required key not provided") with these codes.
  it.each([
    ["empty", ""],
    ["whitespace-only", "  \n\n"],
  ])("%s: is refused by every command that reads it, as dvc refuses it", async (_what, text) => {
    await writeFile(join(dir, "dvc.lock"), text);
    const expected: [string[], number][] = [
      [["data", "status"], 1],
      [["repro"], 255],
      [["repro", "--dry"], 255],
      [["dag"], 255],
      [["data", "checkout"], 255],
    ];
    for (const [args, code] of expected) {
      const result = await flowops(...args);
      expect([args.join(" "), result.code]).toEqual([args.join(" "), code]);
      expect(result.stderr).toContain("dvc.lock:1: required key not provided @ data['schema']");
    }
    expect(readdirSync(dir).filter((name) => name.endsWith(".txt"))).toEqual([]);
  });

  // Regression: repro reported stage a's damaged entry, then went on to run b; dvc loads every lock before
  // it runs anything.
  it("stops repro before any stage runs", async () => {
    await writeFile(join(dir, "dvc.lock"), "schema: '2.0'\nstages:\n  a: 5\n");
    const result = await flowops("repro");
    expect(result.code).toBe(255);
    expect(result.stderr).toContain("stage 'a' must be a mapping");
    expect(existsSync(join(dir, "a.txt")) || existsSync(join(dir, "b.txt"))).toBe(false);
  });

  // Regression: the transfers failed with the lock's error alone; dvc first warns that it skips the workspace.
  it.each(["push", "pull", "fetch"])(
    "%s warns that the workspace is skipped, then fails (1)",
    async (command) => {
      await writeFile(join(dir, "dvc.lock"), "schema: '2.0'\nstages: [\n");
      const result = await flowops("data", command);
      expect(result.code).toBe(1);
      const lines = result.stderr.split("\n");
      expect(lines[0]).toBe("WARNING: failed to collect 'workspace', skipping");
      expect(lines[1]).toContain("dvc.lock:3: invalid YAML");
    },
  );

  // Regression: the workspace stopped `push -a`; dvc skips it as any other revision. gc --skip-failed does not
  // skip it, unlike dvc, which then removes every object the workspace uses.
  it("is skipped by push -a, and gc --skip-failed refuses it rather than remove its data", async () => {
    await writeFile(join(dir, "f.txt"), "f\n");
    expect((await flowops("data", "add", "f.txt")).code).toBe(0);
    const remote = join(dir, "..", `${join(dir).split("/").pop() ?? ""}-remote`);
    expect((await flowops("data", "remote", "add", "-d", "store", remote)).code).toBe(0);
    execFileSync("git", ["add", "-A"], { cwd: dir });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"], { cwd: dir });
    await writeFile(join(dir, "dvc.lock"), "schema: '2.0'\nstages: [\n");
    try {
      const pushed = await flowops("data", "push", "-a");
      expect([pushed.code, pushed.stdout]).toEqual([0, "1 file pushed\n"]);
      expect(pushed.stderr).toBe("WARNING: failed to collect 'workspace', skipping\n");
      const gc = await flowops("data", "gc", "-w", "-f", "--skip-failed");
      expect(gc.code).toBe(255);
      expect(gc.stderr).toContain("Failed to collect 'workspace'");
      expect(gc.stderr).toContain("never the workspace");
      expect(gc.stdout).toBe("");
      const cached = await readdir(join(dir, ".dvc", "cache", "files", "md5"), { recursive: true });
      expect(cached.filter((name) => name.length > 2)).toHaveLength(1);
    } finally {
      await rm(remote, { recursive: true, force: true });
    }
  });
});
