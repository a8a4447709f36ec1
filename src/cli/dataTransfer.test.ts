import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo } from "../data/dataRepo.js";
import { GC_SCOPE_REQUIRED } from "../data/garbageCollect.js";
import { runCacheKey, runCachePath, runCacheValue, serializeRunCacheEntry } from "../pipelines/runCache.js";
import { gcCommand } from "./dataGc.js";
import { fetchCommand, pullCommand, pushCommand, summaryLine } from "./dataTransfer.js";

function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flowops-cli-transfer-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A no-scm project with default remote `../remote` and the tracked files given. */
async function project(name: string, files: Record<string, string>, withData = true): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  closeDataRepo(await initDataRepo(dir, { noScm: true }));
  writeFileSync(
    join(dir, ".dvc", "config"),
    `[core]\n    no_scm = True\n    remote = storage\n['remote "storage"']\n    url = ../../remote\n`,
  );
  const repo = await openDataRepo(dir);
  try {
    for (const [path, content] of Object.entries(files)) {
      if (withData) {
        writeFileSync(join(dir, path), content);
        await repo.cache.addBytes(md5(content), Buffer.from(content));
      }
      writeFileSync(
        join(dir, `${path}.dvc`),
        `outs:\n- md5: ${md5(content)}\n  size: ${content.length}\n  hash: md5\n  path: ${path}\n`,
      );
    }
  } finally {
    closeDataRepo(repo);
  }
  return dir;
}

async function run(command: Command, cwd: string, args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const previous = process.cwd();
  process.exitCode = undefined;
  process.chdir(cwd);
  try {
    await command.exitOverride().parseAsync(args, { from: "user" });
  } catch (error) {
    // What was written before the failure, which program.ts would print the error after.
    throw Object.assign(error as object, { stderr: stderr.join("") });
  } finally {
    process.chdir(previous);
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { stdout: stdout.join(""), stderr: stderr.join(""), exitCode };
}

/** Overwrites the cache's object of `content` (cache files are read-only) with other bytes. */
function corruptCachedObject(dir: string, content: string): void {
  const digest = md5(content);
  const object = join(dir, ".dvc", "cache", "files", "md5", digest.slice(0, 2), digest.slice(2));
  chmodSync(object, 0o644);
  writeFileSync(object, "rotten\n");
}

describe("flowops data push/fetch/pull/gc", () => {
  it("reports pushes in DVC's words and says when everything is up to date", async () => {
    const dir = await project("p", { foo: "foo\n", bar: "bar\n" });
    expect(await run(pushCommand(), dir, [])).toMatchObject({ stdout: "2 files pushed\n", exitCode: 0 });
    expect((await run(pushCommand(), dir, [])).stdout).toBe("Everything is up to date.\n");
  });

  it("prints a JSON summary with --json", async () => {
    const dir = await project("p", { foo: "foo\n" });
    const { stdout } = await run(pushCommand(), dir, ["--json", "-j", "2"]);
    expect(JSON.parse(stdout)).toEqual({
      remotes: ["storage"],
      transferred: 1,
      skipped: 0,
      bytes: 4,
      failed: [],
    });
  });

  it("fetches and pulls into a clone", async () => {
    const dir = await project("p", { foo: "foo\n", bar: "bar\n" });
    await run(pushCommand(), dir, []);
    const clone = await project("clone", { foo: "foo\n", bar: "bar\n" }, false);
    expect((await run(fetchCommand(), clone, ["foo.dvc"])).stdout).toBe("1 file fetched\n");
    const pulled = await run(pullCommand(), clone, []);
    expect(pulled.stdout).toBe("A       bar\nA       foo\n1 file fetched and 2 files added\n");
    expect(readFileSync(join(clone, "bar"), "utf8")).toBe("bar\n");
  });

  it("pulls what the remote has with --allow-missing, warning of the rest as dvc", async () => {
    const dir = await project("p", { foo: "foo\n" });
    await run(pushCommand(), dir, []);
    const clone = await project("clone", { foo: "foo\n", bar: "bar\n" }, false);
    expect((await run(pullCommand(), clone, [])).exitCode).toBe(1);
    const allowed = await run(pullCommand(), clone, ["--allow-missing"]);
    expect(allowed).toMatchObject({
      exitCode: 0,
      stderr: `WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\nmd5: ${md5("bar\n")}\n`,
    });
    expect(readFileSync(join(clone, "foo"), "utf8")).toBe("foo\n");
  });

  it("moves the run-cache with --run-cache, counting its entries as pushed as DVC does", async () => {
    const dir = await project("p", { foo: "foo\n" });
    const entry = {
      cmd: "make foo",
      deps: [{ path: "src", hash: "md5" as const, md5: md5("src"), size: 3 }],
      params: {},
      outs: [{ path: "foo", hash: "md5" as const, md5: md5("foo\n"), size: 4 }],
    };
    const file = runCachePath(join(dir, ".dvc", "cache"), runCacheKey(entry), runCacheValue(entry));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, serializeRunCacheEntry(entry));
    expect((await run(pushCommand(), dir, ["--run-cache"])).stdout).toBe("2 files pushed\n");

    const clone = await project("clone", {}, false);
    const fetched = await run(fetchCommand(), clone, ["--run-cache", "--json"]);
    expect(JSON.parse(fetched.stdout)).toMatchObject({ transferred: 1, runCacheEntries: 1, failed: [] });
    expect(readFileSync(file.replace(dir, clone), "utf8")).toBe(readFileSync(file, "utf8"));
  });

  it("exits 1 and names the file when an object cannot be pushed", async () => {
    const dir = await project("p", { foo: "foo\n" });
    corruptCachedObject(dir, "foo\n");
    const result = await run(pushCommand(), dir, []);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`ERROR: 'foo' (md5: ${md5("foo\n")}) is corrupt in the local cache`);
    // dvc 3.67.1's FileTransferError words every count in the plural, and its summary line is not printed.
    expect(result.stderr).toContain("ERROR: failed to push data to the cloud - 1 files failed to upload\n");
    expect(result.stdout).toBe("");
  });

  it("warns of an object the cache lacks and still exits 0, as dvc's push", async () => {
    const dir = await project("p", { foo: "foo\n", bar: "bar\n" });
    const gone = md5("foo\n");
    rmSync(join(dir, ".dvc", "cache", "files", "md5", gone.slice(0, 2), gone.slice(2)), { force: true });
    const result = await run(pushCommand(), dir, []);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      `WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\nmd5: ${gone}\n`,
    );
    expect(result.stdout).toBe("1 file pushed\n");
  });

  it("reports a pull of an object missing from cache and remote in as many lines as dvc, naming the out once", async () => {
    const dir = await project("p", { foo: "foo\n" });
    await run(pushCommand(), dir, []);
    const clone = await project("clone", { foo: "foo\n", bar: "bar\n" }, false);
    const result = await run(pullCommand(), clone, []);
    // dvc 3.67.1: a warning naming the md5, then one error listing the outs checkout could not restore,
    // ending with the link to dvc's page on missing files.
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: "A       foo\n1 file fetched and 1 file added\n",
      stderr:
        `WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\nmd5: ${md5("bar\n")}\n` +
        "ERROR: failed to pull data from the cloud - Checkout failed for following targets:\nbar\nIs your cache up to date?\n" +
        "<https://error.dvc.org/missing-files>\n",
    });
  });

  it.each([
    ["fetch", fetchCommand],
    ["pull", pullCommand],
  ] as const)(
    "only warns, exit 0, on a %s of an out whose object neither cache nor remote has",
    async (_, command) => {
      const dir = await project("p", { foo: "foo\n", bar: "bar\n" });
      await run(pushCommand(), dir, []);
      const gone = md5("bar\n");
      rmSync(join(root, "remote", "files", "md5", gone.slice(0, 2), gone.slice(2)));
      rmSync(join(dir, ".dvc", "cache", "files", "md5", gone.slice(0, 2), gone.slice(2)));
      // dvc 3.67.1 on `fetch`/`pull` with the file still in the workspace: this warning, "Everything is up to date.", 0.
      expect(await run(command(), dir, [])).toMatchObject({
        exitCode: 0,
        stdout: "Everything is up to date.\n",
        stderr: `WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\nmd5: ${gone}\n`,
      });
      const json = JSON.parse((await run(command(), dir, ["--json"])).stdout) as Record<string, unknown>;
      const fetched = (command === pullCommand ? json.fetch : json) as Record<string, unknown>;
      expect(fetched).toMatchObject({ failed: [], missing: [{ oid: gone, path: "bar" }] });
    },
  );

  it.each([
    ["fetch", fetchCommand, "failed to fetch data from the cloud"],
    ["pull", pullCommand, "failed to pull data from the cloud"],
  ] as const)(
    "ends a %s whose download failed as dvc: no summary, no checkout, its plural '1 files'",
    async (_, command, summary) => {
      const dir = await project("p", { foo: "foo\n", bar: "bar\n" });
      await run(pushCommand(), dir, []);
      const rotten = md5("bar\n");
      writeFileSync(join(root, "remote", "files", "md5", rotten.slice(0, 2), rotten.slice(2)), "rotten\n");
      const clone = await project("clone", { foo: "foo\n", bar: "bar\n" }, false);
      const result = await run(command(), clone, []);
      // dvc 3.67.1 raises its DownloadError ("1 files failed to download") on any failed download (ours
      // include a corrupt one) before the summary line and before pull's checkout.
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(new RegExp(`\\nERROR: ${summary} - 1 files failed to download\\n$`));
      expect(existsSync(join(clone, "foo"))).toBe(false);
    },
  );

  it("keeps the reason of a checkout failure that is no missing object in the list of failed targets", async () => {
    const dir = await project("p", { foo: "foo\n" });
    corruptCachedObject(dir, "foo\n");
    rmSync(join(dir, "foo"));
    const result = await run(pullCommand(), dir, []);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /Checkout failed for following targets:\nfoo: .+\nIs your cache up to date\?\n<https:\/\/error\.dvc\.org\/missing-files>\n$/,
    );
  });

  it.each([
    ["push", pushCommand],
    ["pull", pullCommand],
    ["fetch", fetchCommand],
  ] as const)("leads a %s that fails outright with dvc's summary of what failed", async (verb, command) => {
    const dir = await project("p", { foo: "foo\n" });
    const direction = verb === "push" ? "to" : "from";
    await expect(run(command(), dir, ["-r", "nope"])).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: `failed to ${verb} data ${direction} the cloud - config file error: remote 'nope' doesn't exist`,
    });
  });

  it.each([
    ["push", pushCommand, ""],
    ["pull", pullCommand, "WARNING: failed to collect 'workspace', skipping\n"],
    ["fetch", fetchCommand, "WARNING: failed to collect 'workspace', skipping\n"],
  ] as const)(
    "warns as dvc does before a %s fails on a core.remote that does not exist",
    async (_, command, warning) => {
      const dir = await project("p", { foo: "foo\n" });
      writeFileSync(join(dir, ".dvc", "config"), "[core]\n    no_scm = True\n    remote = nosuch\n");
      await expect(run(command(), dir, [])).rejects.toMatchObject({
        message: expect.stringMatching(/ - config file error: remote 'nosuch' doesn't exist$/) as unknown,
        stderr: warning,
      });
    },
  );

  it("refuses gc without a scope and removes unused objects with -w -f", async () => {
    const dir = await project("p", { foo: "foo\n", bar: "bar\n" });
    await expect(run(gcCommand(), dir, ["-f"])).rejects.toThrow(GC_SCOPE_REQUIRED);
    rmSync(join(dir, "bar.dvc"));
    const dry = await run(gcCommand(), dir, ["-w", "--dry"]);
    const bar = join(dir, ".dvc", "cache", "files", "md5", "c1", "57a79031e1c40f85931829bc5fc552");
    expect(dry.stdout).toBe(
      `Removing ${bar}\nRemoved 1 objects from repo cache.\nNo unused 'legacy' cache to remove.\n`,
    );
    const done = await run(gcCommand(), dir, ["-w", "-f"]);
    expect(done.stderr).toContain(
      "This will remove all cache except items used in the workspace of the current repo.",
    );
    expect(done.stdout).toBe("Removed 1 objects from repo cache.\nNo unused 'legacy' cache to remove.\n");
    expect((await run(gcCommand(), dir, ["-w", "-f"])).stdout).toBe(
      "No unused 'repo' cache to remove.\nNo unused 'legacy' cache to remove.\n",
    );
  });

  it("words the gc warning for branches and tags as dvc does", async () => {
    const dir = await project("p", { foo: "foo\n" });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir });
    git("init", "-q");
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "one");
    const result = await run(gcCommand(), dir, ["-a", "-T", "--dry"]);
    expect(result.stderr).toContain(
      "items used in the workspace and all git branches and tags of the current repo.",
    );
  });

  // dvc 3.67.1 reads the answer from stdin, TTY or not; `echo n | dvc gc -w` (or no answer) printed the warning
  // and the prompt, then nothing, and exited 1. Regression: FlowOps refused without a terminal, with its own
  // "gc cancelled" error (exit 255).
  // The prompt itself goes straight to fd 1 (dvcConfirm.ts), past the spies.
  it("asks dvc's question on stdin; no removes nothing and exits 1 without an error line", async () => {
    const dir = await project("p", { foo: "foo\n" });
    const stdin = Object.getOwnPropertyDescriptor(process, "stdin") as PropertyDescriptor;
    const answer = (text: string) =>
      Object.defineProperty(process, "stdin", { value: Readable.from([text]), configurable: true });
    try {
      answer("n\n");
      const refused = await run(gcCommand(), dir, ["-w"]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toBe(
        "WARNING: This will remove all cache except items used in the workspace of the current repo.\n",
      );
      expect(refused.stdout).toBe("");
      answer("y\n");
      expect((await run(gcCommand(), dir, ["-w"])).stdout).toContain("No unused 'repo' cache to remove.");
    } finally {
      Object.defineProperty(process, "stdin", stdin);
    }
  });
});

describe("summaryLine", () => {
  it("joins counts the way DVC's get_summary does", () => {
    expect(summaryLine([["pushed", 1]])).toBe("1 file pushed");
    expect(summaryLine([["fetched", 0]])).toBe("");
    expect(
      summaryLine([
        ["fetched", 4],
        ["added", 3],
        ["deleted", 1],
      ]),
    ).toBe("4 files fetched, 3 files added and 1 file deleted");
  });
});
