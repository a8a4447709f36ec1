import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dataCommand } from "./data.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-data-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `flowops data <args>` in `cwd`, capturing output; rejects as main() would see the error. */
async function data(
  args: string[],
  cwd = dir,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const previous = process.cwd();
  process.exitCode = undefined;
  process.chdir(cwd);
  try {
    const command = dataCommand();
    const override = (c: typeof command): void => {
      c.exitOverride();
      c.commands.forEach(override);
    };
    override(command);
    await command.parseAsync(args, { from: "user" });
    return { stdout: stdout.join(""), stderr: stderr.join(""), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.chdir(previous);
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}

describe("flowops data", () => {
  it("says when a project tracks nothing yet, and exits 1 with --quiet once something changed", async () => {
    await mkdir(join(dir, ".git"));
    await data(["init"]);
    expect((await data(["status"])).stdout).toMatch(
      /^There are no data or pipelines tracked in this project yet\.\n/,
    );
    await writeFile(join(dir, "foo"), "foo\n");
    await data(["add", "foo"]);
    expect((await data(["status"])).stdout).toBe("Data and pipelines are up to date.\n");
    expect(await data(["status", "-q"])).toMatchObject({ stdout: "", exitCode: 0 });
    await writeFile(join(dir, "foo"), "bar\n");
    expect(await data(["status", "-q"])).toMatchObject({ stdout: "", exitCode: 1 });
  });

  it("quotes paths in the git add hint as dvc does (shlex.quote), so it pastes into a shell", async () => {
    await mkdir(join(dir, ".git"));
    await data(["init"]);
    await writeFile(join(dir, "single file.bin"), "x\n");
    await writeFile(join(dir, "it's.txt"), "y\n");
    const added = await data(["add", "single file.bin", "it's.txt"]);
    expect(added.stdout).toBe(
      `\nTo track the changes with git, run:\n\n\tgit add 'single file.bin.dvc' .gitignore 'it'"'"'s.txt.dvc'\n` +
        "\nTo enable auto staging, run:\n\n\tflowops data config core.autostage true\n",
    );
  });

  it("runs init, add, status and checkout end to end with JSON output", async () => {
    await mkdir(join(dir, ".git"));
    await data(["init"]);
    await writeFile(join(dir, "foo"), "foo\n");
    const added = await data(["add", "foo"]);
    expect(added.stdout).toBe(
      "\nTo track the changes with git, run:\n\n\tgit add foo.dvc .gitignore\n\nTo enable auto staging, run:\n\n\tflowops data config core.autostage true\n",
    );
    expect(JSON.parse((await data(["status", "--json"])).stdout)).toEqual({});
    await writeFile(join(dir, "foo"), "bar\n");
    expect(JSON.parse((await data(["status", "--json"])).stdout)).toEqual({
      "foo.dvc": [{ "changed outs": { foo: "modified" } }],
    });
    // dvc's refusal reaches its main: `ERROR: <message>` and exit 255.
    const refused = await data(["checkout"]);
    expect([refused.exitCode, refused.stdout]).toEqual([255, ""]);
    expect(refused.stderr).toMatch(/^ERROR: .*unsaved files/);
    const forced = await data(["checkout", "--force", "--json"]);
    expect(JSON.parse(forced.stdout)).toEqual({
      added: [],
      modified: ["foo"],
      deleted: [],
      removed: [],
      failed: [],
      stats: { added: 0, modified: 1, deleted: 0 },
    });
    expect(await readFile(join(dir, "foo"), "utf8")).toBe("foo\n");
  });

  it("exits 255, as dvc, and names the out when checkout cannot find an object", async () => {
    await data(["init", "--no-scm"]);
    await writeFile(
      join(dir, "foo.dvc"),
      "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: foo\n",
    );
    const result = await data(["checkout"]);
    expect(result.exitCode).toBe(255);
    // dvc 3.67.1 prints exactly this and nothing else.
    expect(result.stderr).toBe(
      "ERROR: Checkout failed for following targets:\nfoo\nIs your cache up to date?\n<https://error.dvc.org/missing-files>\n",
    );
  });

  it("warns as dvc for an out of a stage never run, then names it alone among the failed targets", async () => {
    // dvc 3.67.1 `dvc checkout s`: WARNING: No file hash info found for '<abs>/s.txt'. It won't be created.
    // ERROR: Checkout failed for following targets:\ns.txt\nIs your cache up to date? (exit 255)
    await data(["init", "--no-scm"]);
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  s:\n    cmd: echo s > s.txt\n    outs:\n    - s.txt\n",
    );
    const result = await data(["checkout", "s"]);
    expect(result.exitCode).toBe(255);
    expect(result.stderr).toContain(
      `WARNING: No file hash info found for '${join(dir, "s.txt")}'. It won't be created.\n`,
    );
    expect(result.stderr).toContain(
      "ERROR: Checkout failed for following targets:\ns.txt\nIs your cache up to date?\n<https://error.dvc.org/missing-files>\n",
    );
  });

  it("lets --allow-missing pass outs whose objects are absent, and --summary count the rest, as dvc", async () => {
    await data(["init", "--no-scm"]);
    await writeFile(join(dir, "bar"), "bar\n");
    await data(["add", "bar"]);
    await rm(join(dir, "bar"));
    await writeFile(
      join(dir, "foo.dvc"),
      "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: foo\n",
    );
    expect(await data(["checkout", "--summary", "--allow-missing"])).toMatchObject({
      stdout: "1 file added\n",
      stderr: "",
      exitCode: 0,
    });
    expect((await data(["checkout", "--summary", "--allow-missing"])).stdout).toBe("No changes.\n");
    expect((await data(["checkout", "--summary"])).exitCode).toBe(255);
  });

  it("adds what --glob patterns match, and with --no-commit leaves the cache empty", async () => {
    await data(["init", "--no-scm"]);
    await mkdir(join(dir, "data"));
    for (const name of ["a.csv", "b.csv", "c.txt"]) await writeFile(join(dir, "data", name), name);
    const added = await data(["add", "--glob", "--no-commit", "--json", "data/*.csv"]);
    expect(JSON.parse(added.stdout).map((r: { path: string }) => r.path)).toEqual([
      "data/a.csv",
      "data/b.csv",
    ]);
    expect(JSON.parse((await data(["status", "--json"])).stdout)["data/a.csv.dvc"]).toEqual([
      { "changed outs": { "data/a.csv": "not in cache" } },
    ]);
    await expect(data(["add", "--glob", "none-*"])).rejects.toThrow("Glob ['none-*'] has no matches.");
  });

  it("manages remotes as dvc remote does", async () => {
    await data(["init", "--no-scm"]);
    expect((await data(["remote", "add", "-d", "storage", "../store"])).stdout).toBe(
      "Setting 'storage' as a default remote.\n",
    );
    expect(await readFile(join(dir, ".dvc", "config"), "utf8")).toBe(
      "[core]\n    no_scm = True\n    remote = storage\n['remote \"storage\"']\n    url = ../../store\n",
    );
    expect((await data(["remote", "default"])).stdout).toBe("storage\n");
    await data(["remote", "modify", "storage", "jobs", "8"]);
    expect(JSON.parse((await data(["remote", "list", "--json"])).stdout)).toEqual([
      { name: "storage", url: "../../store", resolvedUrl: join(dir, "..", "store"), isDefault: true },
    ]);
    await data(["remote", "remove", "storage"]);
    expect(await readFile(join(dir, ".dvc", "config"), "utf8")).toBe("[core]\n    no_scm = True\n");
  });

  it("lists remotes in dvc's tab-expanded columns, one level with --local, and answers a missing default on stdout", async () => {
    await data(["init", "--no-scm"]);
    expect(await data(["remote", "default"])).toMatchObject({
      stdout: "No default remote set\n",
      stderr: "",
      exitCode: 1,
    });
    await data(["remote", "add", "-d", "r3", "s3://bucket/prefix"]);
    await data(["remote", "add", "verylongname", "/x"]);
    await data(["remote", "add", "--local", "mine", "/y"]);
    expect((await data(["remote", "list"])).stdout).toBe(
      "r3      s3://bucket/prefix      (default)\nverylongname    /x\nmine    /y\n",
    );
    expect((await data(["remote", "list", "--local"])).stdout).toBe("mine    /y\n");
    expect(await data(["remote", "default", "--local"])).toMatchObject({ exitCode: 1 });
  });

  it("says Relinked successfully after checkout --relink and lists only outs whose content changed", async () => {
    await data(["init", "--no-scm"]);
    await writeFile(join(dir, "foo"), "foo\n");
    await writeFile(join(dir, "bar"), "bar\n");
    await data(["add", "foo", "bar"]);
    await rm(join(dir, "bar"));
    expect(await data(["checkout", "--relink"])).toMatchObject({
      stdout: "A       bar\nRelinked successfully\n",
      exitCode: 0,
    });
  });

  it("registers the transfer and log commands, each with help", () => {
    const names = dataCommand().commands.map((c) => c.name());
    expect(names).toEqual([
      "init",
      "add",
      "status",
      "checkout",
      "commit",
      "remove",
      "move",
      "unprotect",
      "freeze",
      "unfreeze",
      "get",
      "get-url",
      "ls-url",
      "du",
      "import",
      "import-url",
      "update",
      "check-ignore",
      "ls",
      "diff",
      "remote",
      "config",
      "cache",
      "push",
      "pull",
      "fetch",
      "gc",
      "log",
      "root",
      "destroy",
      "install",
      "git-hook",
    ]);
    for (const command of dataCommand().commands) expect(command.description()).not.toBe("");
  });

  it("rejects a command outside a repository as dvc does", async () => {
    await expect(data(["status"])).rejects.toThrow(
      /^you are not inside of a DVC repository \(checked up to mount point '.+'\)$/,
    );
  });
});
