import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo } from "../data/dataRepo.js";
import { push } from "../data/pushPull.js";
import { reproCommand } from "./repro.js";

let dir: string;
let previousCwd: string;
let stdout: string;
let stderr: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-repro-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  await writeFile(
    join(dir, "dvc.yaml"),
    `stages:
  hello:
    cmd: echo hi there > hello.txt && echo said hi
    outs: [hello.txt]
  broken:
    cmd: echo about to fail && exit 4
    outs: [broken.txt]
`,
  );
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
  vi.unstubAllEnvs();
  process.chdir(previousCwd);
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function flowops(...args: string[]): Promise<void> {
  const program = new Command("flowops").exitOverride();
  program.addCommand(reproCommand().exitOverride());
  await program.parseAsync(["node", "flowops", "repro", ...args]);
}

describe("flowops repro", () => {
  it("streams each stage's output with its name and ends on stderr with dvc's error and its cause", async () => {
    await flowops();
    expect(stdout).toContain("[hello] said hi\n");
    expect(stdout).toContain("[broken] about to fail\n");
    // As dvc: nothing on stdout about the failure, one closing line on stderr.
    expect(stdout).not.toContain("ERROR");
    expect(stderr).toBe(
      "ERROR: failed to reproduce 'broken': failed to run: echo about to fail && exit 4, exited with 4\n",
    );
    expect(process.exitCode).toBe(255);
  });

  it("with -v names the failed stage's log, which holds its output", async () => {
    await flowops("-v", "broken");
    const log = /Stage 'broken' log: (\S+)\n {4}about to fail\n/.exec(stdout)?.[1];
    expect(log).toBeDefined();
    expect(await readFile(join(dir, log ?? ""), "utf8")).toContain("about to fail");
  });

  // Regression: FlowOps printed "Stage 'x' not run: upstream stage 'broken' failed" lines that dvc never does,
  // and with -k dvc warns of each failure and of the stages it skips, then names every failed stage.
  it("says nothing of the stages a failure stops; with -k warns as dvc and names every failed stage", async () => {
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  prep:\n    cmd: exit 3\n    outs: [p.txt]\n  train:\n    cmd: cp p.txt t.txt\n    deps: [p.txt]\n" +
        "    outs: [t.txt]\n  eval:\n    cmd: cp t.txt e.txt\n    deps: [t.txt]\n    outs: [e.txt]\n" +
        "  other:\n    cmd: exit 4\n    outs: [o.txt]\n",
    );
    await flowops();
    expect(stdout).toBe("Running stage 'prep':\n> exit 3\n");
    expect(stderr).toBe("ERROR: failed to reproduce 'prep': failed to run: exit 3, exited with 3\n");
    stdout = "";
    stderr = "";
    await flowops("-k");
    expect(stdout).toBe("Running stage 'prep':\n> exit 3\nRunning stage 'other':\n> exit 4\n");
    expect(stderr).toBe(
      "WARNING: failed to run: exit 3, exited with 3\n" +
        "WARNING: Stages 'train' and 'eval' will be skipped due to this failure\n" +
        "WARNING: failed to run: exit 4, exited with 4\n" +
        "ERROR: failed to reproduce stages: 'prep' and 'other'\n",
    );
    expect(process.exitCode).toBe(255);
  });

  // Regression: the summary named .dvc/tmp/flowops/logs/<run>/, which a stage that never ran had not created.
  it("creates no log directory when the failed stage never ran its command (a GPU request no machine meets)", async () => {
    vi.stubEnv("FLOWOPS_GPUS", "0:T4");
    await writeFile(join(dir, "flowops.yaml"), "stages:\n  hello: {gpus: 2, gpu_type: A100}\n");
    await flowops("hello");
    expect(stderr).toMatch(
      /^ERROR: failed to reproduce 'hello': .*2 GPU\(s\) of type 'A100' requested but this machine has 0.*\n$/,
    );
    expect(existsSync(join(dir, ".dvc", "tmp", "flowops", "logs"))).toBe(false);
    expect(process.exitCode).toBe(255);
  });

  it("prints one JSON document with --json and keeps stage output off stdout", async () => {
    await flowops("hello", "--json");
    const result = JSON.parse(stdout) as { ok: boolean; stages: { name: string; outcome: string }[] };
    expect(result.ok).toBe(true);
    expect(result.stages.map((s) => [s.name, s.outcome])).toEqual([["hello", "ran"]]);
    expect(stderr).toContain("[hello] said hi");
    expect(process.exitCode).toBeUndefined();
  });

  it("says what would run with --dry", async () => {
    await flowops("hello", "--dry");
    // dvc's dry cmd_run: its announcement, then each command, interpolated.
    expect(stdout).toContain("Running stage 'hello':\n> echo hi there > hello.txt && echo said hi\n");
    expect(stdout).not.toContain("Would run");
  });

  it("with --pull checks out a stage's pushed outputs instead of running it", async () => {
    await appendFile(
      join(dir, ".dvc", "config"),
      `[core]\n    remote = storage\n['remote "storage"']\n    url = ${join(dir, "..", `${dir.split("/").at(-1)}-remote`)}\n`,
    );
    await flowops("hello");
    const repo = await openDataRepo(dir);
    try {
      expect((await push(repo)).failed).toEqual([]);
      await rm(join(repo.cacheDir, "files"), { recursive: true, force: true });
    } finally {
      closeDataRepo(repo);
    }
    await rm(join(dir, "hello.txt"));
    stdout = "";

    await flowops("hello", "--pull");

    expect(stdout).toBe("Pulling data for stage: 'hello'\nData and pipelines are up to date.\n");
    expect(await readFile(join(dir, "hello.txt"), "utf8")).toBe("hi there\n");
    await rm(join(dir, "..", `${dir.split("/").at(-1)}-remote`), { recursive: true, force: true });
  });

  // Regression: FlowOps said only "WARNING: unable to pull data for stage 'hello' (hello.txt); running it".
  it("with --pull warns as dvc of an out missing everywhere, says it is unable to pull, then runs", async () => {
    const remote = join(dir, "..", `${dir.split("/").at(-1)}-remote`);
    await appendFile(
      join(dir, ".dvc", "config"),
      `[core]\n    remote = storage\n['remote "storage"']\n    url = ${remote}\n`,
    );
    await flowops("hello");
    await rm(join(dir, ".dvc", "cache"), { recursive: true, force: true });
    await rm(join(dir, "hello.txt"));
    stdout = "";
    stderr = "";

    await flowops("hello", "--pull");

    const warning =
      "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\n";
    const oid = createHash("md5").update("hi there\n").digest("hex");
    expect(stderr).toBe(`${warning}md5: ${oid}\n${warning}name: hello.txt, md5: ${oid}\n`);
    expect(stdout).toMatch(
      /^Pulling data for stage: 'hello'\nUnable to pull data for stage: 'hello'\nRunning stage/,
    );
    expect(await readFile(join(dir, "hello.txt"), "utf8")).toBe("hi there\n");

    await rm(join(dir, ".dvc", "cache"), { recursive: true, force: true });
    await rm(join(dir, "hello.txt"));
    stdout = "";
    stderr = "";
    await flowops("hello", "--pull", "-q");
    // dvc's -q keeps its warnings and info lines to itself.
    expect(stderr).toBe("");
    expect(stdout).toBe("[hello] said hi\n");
    await rm(remote, { recursive: true, force: true });
  });

  it("from a subdirectory reproduces only the cwd's dvc.yaml and accepts a ../dvc.yaml:stage target", async () => {
    await mkdir(join(dir, "pipe"));
    await writeFile(join(dir, "pipe", "in"), "1\n");
    await writeFile(
      join(dir, "pipe", "dvc.yaml"),
      "stages:\n  s:\n    cmd: cp in out\n    deps: [in]\n    outs: [out]\n",
    );
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  top:\n    cmd: cp pipe/out top.txt\n    deps: [pipe/out]\n    outs: [top.txt]\n",
    );
    const ran = async (...args: string[]): Promise<string[][]> => {
      stdout = "";
      await flowops(...args, "--json");
      const result = JSON.parse(stdout) as { stages: { name: string; outcome: string }[] };
      return result.stages.map((s) => [s.name, s.outcome]);
    };
    await flowops();
    await writeFile(join(dir, "pipe", "in"), "2\n");
    process.chdir(join(dir, "pipe"));

    stdout = "";
    await flowops();
    // Named as dvc names them from here; JSON keeps the repo-relative addresses.
    // Then dvc's reminder of what to `git add`: the dvc.lock entry changed; .gitignore already lists out.
    // Last, dvc's line for a repro that reproduced something.
    expect(stdout).toMatch(
      /^Running stage 's':\n> cp in out\nStage 's' ran in \d+\.\d s\.\nUpdating lock file 'dvc\.lock'\n\nTo track the changes with git, run:\n\n\tgit add dvc\.lock\n\nTo enable auto staging, run:\n\n\tflowops data config core\.autostage true\nUse `flowops data push` to send your updates to remote storage\.\n$/,
    );
    expect(await ran("../dvc.yaml:top")).toEqual([
      ["pipe/dvc.yaml:s", "skipped"],
      ["top", "ran"],
    ]);
    stdout = "";
    await flowops("../dvc.yaml:top", "--force", "--dry");
    expect(stdout).toContain("Running stage '../dvc.yaml:top':\n");
    expect(await ran("--all-pipelines", "--dry")).toEqual([
      ["pipe/dvc.yaml:s", "skipped"],
      ["top", "skipped"],
    ]);
    // dvc's short form of --all-pipelines.
    expect(await ran("-P", "--dry")).toEqual([
      ["pipe/dvc.yaml:s", "skipped"],
      ["top", "skipped"],
    ]);
  });

  it("refuses a plain repro in a directory without a dvc.yaml, as dvc does", async () => {
    await mkdir(join(dir, "empty"));
    process.chdir(join(dir, "empty"));
    await expect(flowops()).rejects.toThrow(`'${join(dir, "empty", "dvc.yaml")}' does not exist`);
  });

  it("rejects --jobs 0 as a usage error", async () => {
    await expect(flowops("-j", "0")).rejects.toThrow(/--jobs must be at least 1/);
  });

  it("with --ignore-errors reports the failure as a warning and exits 0, as dvc", async () => {
    await flowops("--ignore-errors");
    expect(stderr).toBe("WARNING: failed to run: echo about to fail && exit 4, exited with 4 (ignored)\n");
    expect(stdout).toContain("Stage 'hello' ran in");
    // As dvc: the stage that ran is something to push.
    expect(stdout).toContain("Use `flowops data push` to send your updates to remote storage.\n");
    expect(process.exitCode).toBeUndefined();
  });

  it("with -q prints only the stages' own output; with -v also why each stage runs", async () => {
    await flowops("-q", "hello");
    expect(stdout).toBe("[hello] said hi\n");
    stdout = "";
    await flowops("-v", "-f", "hello");
    expect(stdout).toContain("Running stage 'hello':\nReason: forced\n> echo hi there");
  });
});
