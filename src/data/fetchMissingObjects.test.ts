import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { objectKey, type Oid } from "./hashInfo.js";
import { fetch, pull, push } from "./pushPull.js";
import {
  cloneOf,
  makeRepo,
  md5,
  remoteDirectory,
  scratchRoot,
  trackDir,
  trackFile,
  useScratchRoot,
} from "./pushPullFixtures.js";

useScratchRoot();

const dropFromRemote = (oid: Oid): void => rmSync(join(remoteDirectory(), objectKey(oid)));

// dvc 3.67.1's fetch and pull only warn ("Some of the cache files do not exist neither locally nor on
// remote") of an out's own object that neither the cache nor the remote has, and exit 0; its transfer of a
// directory's files still fails on one the remote lacks ("1 files failed to download").
describe("fetch of objects neither the cache nor the remote has", () => {
  it("lists a file out's object as missing, not as failed, and fetches the rest", async () => {
    const repo = await makeRepo("project");
    await trackFile(repo, "foo", "foo\n");
    const bar = await trackFile(repo, "bar", "bar\n");
    await push(repo);
    dropFromRemote(bar);

    const result = await fetch(await cloneOf(repo, "clone"));
    expect(result).toMatchObject({ transferred: 1, failed: [] });
    expect(result.missing).toEqual([
      {
        oid: bar,
        path: "bar",
        reason: "is missing from remote 'storage'",
        missing: true,
        remote: "storage",
        location: join(remoteDirectory(), objectKey(bar)),
      },
    ]);
  });

  it("lists a directory's manifest as missing, not as failed", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n" });
    await push(repo);
    dropFromRemote(data.oid);

    const result = await fetch(await cloneOf(repo, "clone"));
    expect(result.failed).toEqual([]);
    expect(result.missing?.map((item) => [item.path, item.oid])).toEqual([["data", data.oid]]);
  });

  it("keeps a file of a directory that the remote lacks a failure, and fails the manifest fetched with it", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    dropFromRemote(md5("a\n"));

    const result = await fetch(await cloneOf(repo, "clone"));
    // dvc-data fails a directory with its files: "2 files failed to download" for one file.
    expect(result.failed.map((item) => [item.path, item.oid])).toEqual([
      ["data/a", md5("a\n")],
      ["data", data.oid],
    ]);
    expect(result.transferred).toBe(1);
    expect(result.missing).toBeUndefined();
  });

  it("leaves pull's checkout to fail on the out, naming its object once though pull fetches twice", async () => {
    const repo = await makeRepo("project");
    await trackFile(repo, "foo", "foo\n");
    const bar = await trackFile(repo, "bar", "bar\n");
    await push(repo);
    dropFromRemote(bar);

    const result = await pull(await cloneOf(repo, "clone"));
    expect(result.fetch.failed).toEqual([]);
    expect(result.fetch.missing?.map((item) => item.oid)).toEqual([bar]);
    expect(result.checkout.failed.map((item) => item.path)).toEqual([expect.stringMatching(/bar$/)]);
  });

  it("groups the objects by remote, the default remote's first, as dvc warns once per remote", async () => {
    const repo = await makeRepo("project", `['remote "other"']\n    url = ../../other\n`);
    const own = await trackFile(repo, "own", "own\n", "  remote: other\n");
    const plain = await trackFile(repo, "plain", "plain\n");
    await push(repo);
    rmSync(join(scratchRoot(), "other", objectKey(own)));
    dropFromRemote(plain);

    const result = await fetch(await cloneOf(repo, "clone"));
    expect(result.missing?.map((item) => [item.remote, item.path])).toEqual([
      ["storage", "plain"],
      ["other", "own"],
    ]);
  });

  it("ends a pull told to stop on a failed download before checkout, as dvc's pull command", async () => {
    const repo = await makeRepo("project");
    await trackFile(repo, "foo", "foo\n");
    await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    dropFromRemote(md5("a\n"));
    const clone = await cloneOf(repo, "clone");

    const result = await pull(clone, undefined, { stopOnFailedFetch: true });
    expect(result.fetch.failed.map((item) => item.path)).toEqual(["data/a", "data"]);
    expect(result.checkout).toMatchObject({ added: [], failed: [] });
    expect(existsSync(join(clone.root, "foo"))).toBe(false);
  });
});
