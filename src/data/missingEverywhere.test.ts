import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { objectKey, type Oid } from "./hashInfo.js";
import { withMissingDirectories } from "./missingEverywhere.js";
import { fetch, pull, push } from "./pushPull.js";
import { makeRepo, md5, remoteDirectory, trackDir, useScratchRoot } from "./pushPullFixtures.js";
import type { DataRepo } from "./dataRepo.js";

useScratchRoot();

const dropFromRemote = (oid: Oid): void => rmSync(join(remoteDirectory(), objectKey(oid)));
const dropFromCache = (repo: DataRepo, oid: Oid): void => rmSync(join(repo.dvcDir, "cache", objectKey(oid)));

// dvc 3.67.1: a directory whose `.dir` only the cache holds has its lost files warned of (fetch exits 0, pull's
// checkout fails on the directory); with the `.dir` on the remote, they are failed downloads.
describe("files of a directory that neither the cache nor the remote has", () => {
  it("are missing, not failed, when only the cache holds the manifest", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    dropFromRemote(data.oid);
    dropFromRemote(md5("a\n"));
    dropFromCache(repo, md5("a\n"));

    const result = await fetch(repo);
    expect(result.failed).toEqual([]);
    expect(result.transferred).toBe(0);
    expect(result.missing?.map((item) => [item.path, item.oid, item.remote])).toEqual([
      ["data/a", md5("a\n"), "storage"],
    ]);
  });

  it("stay failed downloads when the remote holds the manifest", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    dropFromRemote(md5("a\n"));
    dropFromCache(repo, md5("a\n"));

    const result = await fetch(repo);
    expect(result.failed.map((item) => item.oid)).toEqual([md5("a\n")]);
    expect(result.missing).toBeUndefined();
    expect(data.oid.endsWith(".dir")).toBe(true);
  });

  it("make pull's checkout fail the directory as missing", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    dropFromRemote(data.oid);
    dropFromRemote(md5("a\n"));
    dropFromCache(repo, md5("a\n"));
    rmSync(join(repo.root, "data"), { recursive: true });

    const result = await pull(repo, undefined, { stopOnFailedFetch: true });
    expect(result.fetch.failed).toEqual([]);
    expect(result.checkout.failed).toEqual([expect.objectContaining({ missing: true })]);
  });
});

describe("withMissingDirectories", () => {
  it("marks only the directory outs that hold a missing object", () => {
    const failed = [
      { path: "sub/data/", reason: "x" },
      { path: "sub/other/", reason: "y" },
      { path: "sub/file", reason: "z" },
    ];
    const missing = [{ oid: "0", path: "data/a", reason: "" }];
    expect(withMissingDirectories(failed, missing, "/r", "/r/..")).toEqual(failed);
    expect(withMissingDirectories(failed, missing, "/r/sub", "/r")).toEqual([
      { path: "sub/data/", reason: "x", missing: true },
      failed[1],
      failed[2],
    ]);
  });
});
