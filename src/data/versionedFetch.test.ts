import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findMotoServer } from "../../test/support/moto.js";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { versionedBucketsOnMoto } from "../../test/support/versionedBucketsOnMoto.js";
import { closeDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { importUrl } from "./importUrl.js";
import { fetch, pull, push } from "./pushPull.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

let base: string;
let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ base, dir, repo } = await tempDataRepo({ prefix: "flowops-versioned-fetch-", at: "repo", scm: "git" }));
});

// A test opens the repo again; the helper closes only the one it opened.
afterEach(() => closeDataRepo(repo));

const file = (path: string): Promise<string> => readFile(join(dir, path), "utf8");
const dropCacheAnd = async (...paths: string[]): Promise<void> => {
  for (const path of [".dvc/cache", ...paths]) await rm(join(dir, path), { recursive: true, force: true });
};
/** Every file under the cache, so a test can see that nothing (not even a temp file) was left there. */
const cacheFiles = async (): Promise<string[]> =>
  (await readdir(join(dir, ".dvc", "cache"), { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);

describe("fetch of a versioned import without a server", () => {
  it("refuses a recorded relpath that leaves the directory, naming the .dvc file, writing nothing", async () => {
    await writeFile(
      join(dir, "dir.dvc"),
      "deps:\n- hash: md5\n  path: s3://bucket/dir\n  fs_config:\n    version_aware: true\n  files:\n" +
        "  - relpath: ../evil.txt\n    etag: abc\n    size: 1\n    version_id: v1\n" +
        "outs:\n- md5: e5a47635a497bd928e34d1c3a2e85afb.dir\n  size: 1\n  nfiles: 1\n  hash: md5\n" +
        "  path: dir\n  push: false\n",
    );
    const fetched = await fetch(repo);
    expect(fetched.failed).toEqual([
      {
        oid: "e5a47635a497bd928e34d1c3a2e85afb.dir",
        path: "dir",
        reason:
          "cannot be fetched from its source: dir.dvc: deps[0].files[0] needs a relpath inside the directory, " +
          "an etag and a size",
      },
    ]);
    expect(await cacheFiles()).toEqual([]);
    await expect(readFile(join(dir, ".dvc", "evil.txt"))).rejects.toThrow();
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("fetch and pull of versioned imports on moto", () => {
    const moto = versionedBucketsOnMoto(motoBinary, { versioned: "vfetch" });
    const { bucket, put } = moto;

    it("pulls the recorded version of an overwritten object from the source, with no remote configured", async () => {
      const key = `${randomUUID()}/a.csv`;
      await put(key, "x,y\n1,2\n");
      await importUrl(repo, `s3://${bucket}/${key}`, undefined, { cwd: dir, versionAware: true });
      await put(key, "x,y\nlater\n");
      await dropCacheAnd("a.csv");

      const result = await pull(repo);
      expect(result.fetch).toMatchObject({ transferred: 1, failed: [], noRemoteSelected: true });
      // Checkout names paths from the cwd.
      expect(result.checkout.added).toEqual([expect.stringMatching(/(^|\/)repo\/a\.csv$/)]);
      expect(await file("a.csv")).toBe("x,y\n1,2\n");

      // In the cache now: a second fetch reads nothing from the source.
      expect(await fetch(repo)).toMatchObject({ transferred: 0, skipped: 1, failed: [] });
    });

    it("fetches a prefix's files at their recorded versions and rebuilds its manifest, beside a remote", async () => {
      const prefix = randomUUID();
      await put(`${prefix}/one.txt`, "one\n");
      await put(`${prefix}/sub/two.txt`, "two\n");
      await importUrl(repo, `s3://${bucket}/${prefix}`, "dir", { cwd: dir, versionAware: true });
      await put(`${prefix}/one.txt`, "ONE\n");
      await put(`${prefix}/three.txt`, "3\n");
      // A default remote that holds nothing: versioned data is never looked for there (push skips it too).
      await writeFile(
        join(dir, ".dvc", "config"),
        `[core]\n    remote = store\n['remote "store"']\n    url = ${join(base, "remote")}\n`,
      );
      closeDataRepo(repo);
      repo = await openDataRepo(dir);
      expect(await push(repo)).toMatchObject({ transferred: 0, failed: [] });
      await dropCacheAnd("dir");

      const fetched = await fetch(repo);
      expect(fetched).toMatchObject({ transferred: 2, failed: [] });
      expect(fetched.noRemoteSelected).toBeUndefined();
      expect((await cacheFiles()).sort()).toEqual(
        ["e5a47635a497bd928e34d1c3a2e85afb.dir", md5("one\n"), md5("two\n")]
          .map((name) => name.slice(2))
          .sort(),
      );
      const pulled = await pull(repo);
      expect(pulled.fetch).toMatchObject({ transferred: 0, failed: [] });
      expect(await file("dir/one.txt")).toBe("one\n");
      expect(await file("dir/sub/two.txt")).toBe("two\n");
      await expect(file("dir/three.txt")).rejects.toThrow();

      // A file of the directory gone from the cache comes back alone, through the manifest.
      await rm(join(dir, ".dvc", "cache", "files", "md5", md5("two\n").slice(0, 2)), { recursive: true });
      expect(await fetch(repo)).toMatchObject({ transferred: 1, failed: [] });
    });

    it("fails naming the .dvc file and the version when the recorded version is gone, caching nothing", async () => {
      const key = `${randomUUID()}/a.csv`;
      const v1 = await put(key, "x,y\n1,2\n");
      await importUrl(repo, `s3://${bucket}/${key}`, undefined, { cwd: dir, versionAware: true });
      await put(key, "x,y\nlater\n");
      await moto.s3.client.send(
        new moto.s3.sdk.DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: v1 }),
      );
      await dropCacheAnd("a.csv");

      const fetched = await fetch(repo);
      expect(fetched.transferred).toBe(0);
      expect(fetched.failed).toEqual([
        {
          oid: md5("x,y\n1,2\n"),
          path: "a.csv",
          missing: true,
          goneAtSource: true,
          reason: expect.stringMatching(
            new RegExp(`a\\.csv\\.dvc records: s3://${bucket}/${key} has no version '${v1}'`),
          ) as unknown as string,
        },
      ]);
      expect(await cacheFiles()).toEqual([]);
      // As dvc 3.67.1's pull: a lost version is no failed download, so checkout still runs and fails on it.
      const pulled = await pull(repo, undefined, { stopOnFailedFetch: true });
      expect(pulled.checkout.failed.map((failure) => failure.path)).toEqual([
        expect.stringMatching(/(^|\/)repo\/a\.csv$/),
      ]);
    });

    it("refuses bytes at the recorded version that are not the out's, leaving the cache without them", async () => {
      const key = `${randomUUID()}/a.csv`;
      await put(key, "x,y\n1,2\n");
      await importUrl(repo, `s3://${bucket}/${key}`, undefined, { cwd: dir, versionAware: true });
      // The .dvc file now names another md5 than the recorded version holds (a hand edit, a bad merge).
      const text = await file("a.csv.dvc");
      await writeFile(
        join(dir, "a.csv.dvc"),
        text.replace(`- md5: ${md5("x,y\n1,2\n")}`, `- md5: ${md5("x")}`),
      );
      await dropCacheAnd("a.csv");

      const fetched = await fetch(repo);
      expect(fetched.failed).toEqual([
        expect.objectContaining({ oid: md5("x"), reason: expect.stringContaining("a.csv.dvc records") }),
      ]);
      expect(fetched.failed[0]?.missing).toBeUndefined();
      expect(await cacheFiles()).toEqual([]);
    });
  });
}
