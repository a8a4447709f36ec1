import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initDataRepoIn } from "../../test/support/tempDataRepo.js";
import type { LockEntry } from "../pipelines/dvcLock.js";
import { runCacheKey, runCachePath, runCacheValue, serializeRunCacheEntry } from "../pipelines/runCache.js";
import { closeDataRepo, type DataRepo } from "./dataRepo.js";
import { objectKey } from "./hashInfo.js";
import { fetch, pull, push } from "./pushPull.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

let root: string;
const repos: DataRepo[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flowops-runcache-transfer-"));
});
afterEach(() => {
  for (const repo of repos.splice(0)) closeDataRepo(repo);
  rmSync(root, { recursive: true, force: true });
});

async function makeRepo(name: string): Promise<DataRepo> {
  const repo = await initDataRepoIn(join(root, name), {
    scm: "none",
    config:
      "[core]\n    no_scm = True\n    remote = storage\n['remote \"storage\"']\n    url = ../../remote\n",
  });
  repos.push(repo);
  return repo;
}

/** Writes a run-cache entry for `cmd` whose one out has `content`; returns its path relative to the cache. */
function writeEntry(repo: DataRepo, cmd: string, content: string): string {
  const entry: LockEntry = {
    cmd,
    deps: [{ path: "in.txt", hash: "md5", md5: md5(cmd), size: 1 }],
    params: {},
    outs: [{ path: "out.txt", hash: "md5", md5: md5(content), size: content.length }],
  };
  const path = runCachePath(repo.cacheDir, runCacheKey(entry), runCacheValue(entry));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serializeRunCacheEntry(entry));
  return relative(repo.cacheDir, path);
}

describe("push and fetch with runCache", () => {
  it("sends the entries and the objects they name, counting both as pushed, and fetches them back", async () => {
    const repo = await makeRepo("project");
    await repo.cache.addBytes(md5("kept\n"), Buffer.from("kept\n"));
    const kept = writeEntry(repo, "make kept", "kept\n");
    // An old entry whose output left the cache long ago: skipped, not a failure.
    const stale = writeEntry(repo, "make stale", "gone\n");

    const pushed = await push(repo, [], { runCache: true });
    expect(pushed).toMatchObject({ transferred: 3, failed: [], runCacheEntries: 2, remotes: ["storage"] });
    expect(readFileSync(join(root, "remote", kept), "utf8")).toBe(
      readFileSync(join(repo.cacheDir, kept), "utf8"),
    );
    expect(existsSync(join(root, "remote", objectKey(md5("kept\n"))))).toBe(true);

    const clone = await makeRepo("clone");
    const fetched = await fetch(clone, [], { runCache: true });
    expect(fetched).toMatchObject({ transferred: 1, failed: [], runCacheEntries: 2 });
    expect(existsSync(join(clone.cacheDir, kept))).toBe(true);
    expect(existsSync(join(clone.cacheDir, stale))).toBe(true);
    expect(await clone.cache.has(md5("kept\n"))).toBe(true);
  });

  it("leaves the run-cache alone without the option", async () => {
    const repo = await makeRepo("project");
    await repo.cache.addBytes(md5("kept\n"), Buffer.from("kept\n"));
    writeEntry(repo, "make kept", "kept\n");
    expect(await push(repo)).toMatchObject({ transferred: 0, failed: [] });
    expect(existsSync(join(root, "remote", "runs"))).toBe(false);
  });

  it("pulls the entries of a remote into a repo with nothing else to pull", async () => {
    const repo = await makeRepo("project");
    await repo.cache.addBytes(md5("kept\n"), Buffer.from("kept\n"));
    const kept = writeEntry(repo, "make kept", "kept\n");
    await push(repo, [], { runCache: true });
    const clone = await makeRepo("clone");
    const result = await pull(clone, [], { runCache: true });
    expect(result.fetch.runCacheEntries).toBe(1);
    expect(result.checkout).toMatchObject({ added: [], modified: [], deleted: [], failed: [] });
    expect(existsSync(join(clone.cacheDir, kept))).toBe(true);
  });
});
