import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { findMotoServer } from "../../test/support/moto.js";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { versionedBucketsOnMoto } from "../../test/support/versionedBucketsOnMoto.js";
import type { DataRepo } from "./dataRepo.js";
import { dataStatus } from "./dataStatus.js";
import { readDvcFile } from "./dvcFile.js";
import { importUrl } from "./importUrl.js";
import { downloadS3, parseS3Url, s3SourceInfo } from "./s3Source.js";
import { singleStageMd5 } from "./stageMd5.js";
import { updateImports } from "./updateImports.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

let base: string;
let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ base, dir, repo } = await tempDataRepo({ prefix: "flowops-versioned-import-", at: "repo", scm: "git" }));
});

const file = (path: string): Promise<string> => readFile(join(dir, path), "utf8");

describe("version-aware import-url without a server", () => {
  it("splits a ?versionId= off an s3 URL, and refuses one without a key or a version", () => {
    expect(parseS3Url("s3://b/k/a.csv?versionId=v%2B1")).toEqual({
      bucket: "b",
      key: "k/a.csv",
      versionId: "v+1",
    });
    expect(parseS3Url("s3://b/a?x=1")).toEqual({ bucket: "b", key: "a?x=1" });
    expect(() => parseS3Url("s3://b?versionId=v1")).toThrow(FlowOpsError);
    expect(() => parseS3Url("s3://b/k?versionId=")).toThrow(FlowOpsError);
  });

  it("refuses --version-aware for a source that has no versions, and with --to-remote, writing nothing", async () => {
    const local = join(base, "a.txt");
    await writeFile(local, "a\n");
    await expect(importUrl(repo, local, undefined, { cwd: dir, versionAware: true })).rejects.toThrow(
      "--version-aware reads s3:// URLs only in flowops",
    );
    await expect(
      importUrl(repo, "s3://b/k", "k", { cwd: dir, versionAware: true, mode: { kind: "to-remote" } }),
    ).rejects.toThrow("--no-exec/--no-download/--version-aware cannot be combined with --to-remote");
    await expect(readFile(join(dir, "a.txt.dvc"))).rejects.toThrow();
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("version-aware import-url on moto", () => {
    const moto = versionedBucketsOnMoto(motoBinary, { versioned: "vsrc", plain: "plain" });
    const { bucket, plain } = moto;
    const put = (target: string, key: string, body: string): Promise<string> =>
      moto.s3.put(target, key, body);

    it("records the object's version, fetches that version after an overwrite, and update moves to the new one", async () => {
      const v1 = await put(bucket, "data/a.csv", "x,y\n1,2\n");
      const url = `s3://${bucket}/data/a.csv`;
      await importUrl(repo, url, undefined, { cwd: dir, versionAware: true });
      const text = await file("a.csv.dvc");
      const stageMd5 = /^md5: ([0-9a-f]{32})$/m.exec(text)?.[1];
      // dvc 3.67.1's layout: version_id after size, fs_config after the path, push: false on the out.
      expect(text).toBe(
        `md5: ${stageMd5}\nfrozen: true\ndeps:\n- etag: ${md5("x,y\n1,2\n")}\n  size: 8\n  version_id: ${v1}\n` +
          `  hash: md5\n  path: ${url}\n  fs_config:\n    version_aware: true\nouts:\n- md5: ${md5("x,y\n1,2\n")}\n` +
          "  size: 8\n  hash: md5\n  path: a.csv\n  push: false\n",
      );
      expect(stageMd5).toBe(singleStageMd5((await readDvcFile(join(dir, "a.csv.dvc"), dir)).raw));
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);

      const v2 = await put(bucket, "data/a.csv", "x,y\n1,2\n3,4\n");
      // A versioned import is asked for updates although it is frozen, as dvc's status does, which names
      // no such import as frozen.
      const frozen: string[] = [];
      expect(await dataStatus(repo, [], { cwd: dir, onFrozen: (f) => frozen.push(f) })).toEqual([
        expect.objectContaining({ changedDeps: { [url]: "update available" } }),
      ]);
      expect(await dataStatus(repo, [], { cwd: dir, checkUpdates: false })).toEqual([]);
      expect(frozen).toEqual([]);

      // The recorded version is what arrives, not the newer bytes now at the key.
      await rm(join(dir, "a.csv"));
      await rm(join(dir, ".dvc", "cache"), { recursive: true, force: true });
      expect(await updateImports(repo, ["a.csv.dvc"], { cwd: dir, rev: v1 })).toEqual([
        join(dir, "a.csv.dvc"),
      ]);
      expect(await file("a.csv")).toBe("x,y\n1,2\n");
      expect(await file("a.csv.dvc")).toContain(`version_id: ${v1}\n`);

      expect(await updateImports(repo, ["a.csv.dvc"], { cwd: dir })).toEqual([join(dir, "a.csv.dvc")]);
      expect(await file("a.csv")).toBe("x,y\n1,2\n3,4\n");
      const updated = await file("a.csv.dvc");
      expect(updated).toContain(`version_id: ${v2}\n`);
      expect(updated).toContain("  push: false\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
    });

    it("sees a rewrite with the same bytes as an update available, as dvc does for an object", async () => {
      await put(bucket, "same.txt", "same\n");
      await importUrl(repo, `s3://${bucket}/same.txt`, undefined, { cwd: dir, versionAware: true });
      const v2 = await put(bucket, "same.txt", "same\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([
        expect.objectContaining({ changedDeps: { [`s3://${bucket}/same.txt`]: "update available" } }),
      ]);
      await updateImports(repo, ["same.txt.dvc"], { cwd: dir });
      expect(await file("same.txt.dvc")).toContain(`version_id: ${v2}\n`);
    });

    it("records a prefix as dvc's files list with each latest version; only new bytes change it", async () => {
      const one = await put(bucket, "dir/one.txt", "one\n");
      const two = await put(bucket, "dir/sub/two.txt", "two\n");
      const url = `s3://${bucket}/dir`;
      await importUrl(repo, url, undefined, { cwd: dir, versionAware: true });
      const text = await file("dir.dvc");
      expect(text).toContain(
        `deps:\n- hash: md5\n  path: ${url}\n  fs_config:\n    version_aware: true\n  files:\n` +
          `  - relpath: one.txt\n    etag: ${md5("one\n")}\n    size: 4\n    version_id: ${one}\n` +
          `  - relpath: sub/two.txt\n    etag: ${md5("two\n")}\n    size: 4\n    version_id: ${two}\n` +
          "outs:\n- md5: e5a47635a497bd928e34d1c3a2e85afb.dir\n  size: 8\n  nfiles: 2\n  hash: md5\n  path: dir\n" +
          "  push: false\n",
      );

      // The same bytes again: a prefix is compared by its tree of ETags, so nothing changed.
      await put(bucket, "dir/one.txt", "one\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
      expect(await updateImports(repo, ["dir.dvc"], { cwd: dir })).toEqual([]);

      const newer = await put(bucket, "dir/one.txt", "ONE\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([
        expect.objectContaining({ changedDeps: { [url]: "modified" } }),
      ]);
      await updateImports(repo, ["dir.dvc"], { cwd: dir });
      expect(await file("dir/one.txt")).toBe("ONE\n");
      expect(await file("dir.dvc")).toContain(
        `  - relpath: one.txt\n    etag: ${md5("ONE\n")}\n    size: 4\n    version_id: ${newer}\n`,
      );
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
    });

    it("downloads the listed versions of a prefix, not what was written over them since", async () => {
      await put(bucket, "snap/a.txt", "first\n");
      const info = await s3SourceInfo(`s3://${bucket}/snap`, { versionAware: true });
      await put(bucket, "snap/a.txt", "second, longer\n");
      const dest = join(base, "snap");
      await downloadS3(`s3://${bucket}/snap`, info, dest, undefined, { versionAware: true });
      expect(await readFile(join(dest, "a.txt"), "utf8")).toBe("first\n");
    });

    it("records no version for an object of an unversioned bucket and 'null' for its prefix's objects, as dvc does", async () => {
      await put(plain, "p/a.txt", "a\n");
      await importUrl(repo, `s3://${plain}/p/a.txt`, "a.txt", { cwd: dir, versionAware: true });
      await importUrl(repo, `s3://${plain}/p`, "p", { cwd: dir, versionAware: true });
      expect(await file("a.txt.dvc")).toContain(`- etag: ${md5("a\n")}\n  size: 2\n  hash: md5\n`);
      expect(await file("p.dvc")).toContain("    size: 2\n    version_id: 'null'\n");
      expect(await file("p/a.txt")).toBe("a\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
      // Without versions an object is compared by its ETag.
      await put(plain, "p/a.txt", "b\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([
        expect.objectContaining({ changedDeps: { [`s3://${plain}/p/a.txt`]: "modified" } }),
        expect.objectContaining({ changedDeps: { [`s3://${plain}/p`]: "modified" } }),
      ]);
      await updateImports(repo, ["p.dvc"], { cwd: dir });
      expect(await file("p/a.txt")).toBe("b\n");
    });

    it("keeps the version a ?versionId= URL names: that version's data, no update, and --rev refused", async () => {
      const v1 = await put(bucket, "pin.txt", "pinned\n");
      await put(bucket, "pin.txt", "later\n");
      const url = `s3://${bucket}/pin.txt?versionId=${v1}`;
      await importUrl(repo, url, "pin.txt", { cwd: dir });
      expect(await file("pin.txt")).toBe("pinned\n");
      const text = await file("pin.txt.dvc");
      // The dep holds the pinned version (and no fs_config: none was given), the path as written.
      expect(text).toContain(
        `- etag: ${md5("pinned\n")}\n  size: 7\n  version_id: ${v1}\n  hash: md5\n  path:`,
      );
      expect(text.replace(/\s+/g, " ")).toContain(`path: ${url} outs:`);
      expect(text).toContain("  push: false\n");
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
      expect(await updateImports(repo, ["pin.txt.dvc"], { cwd: dir })).toEqual([]);
      await expect(updateImports(repo, ["pin.txt.dvc"], { cwd: dir, rev: "other" })).rejects.toThrow(
        `'${url}' names version '${v1}'; --rev 'other' cannot move it`,
      );
    });

    it("names the object and the version when update --rev names a version that does not exist", async () => {
      await put(bucket, "r.txt", "r\n");
      await importUrl(repo, `s3://${bucket}/r.txt`, undefined, { cwd: dir, versionAware: true });
      const before = await file("r.txt.dvc");
      const error = await updateImports(repo, ["r.txt.dvc"], { cwd: dir, rev: "no-such-version" }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(FlowOpsError);
      expect((error as FlowOpsError).message).toBe(
        `dependency 's3://${bucket}/r.txt' does not exist: s3://${bucket}/r.txt has no version 'no-such-version'`,
      );
      expect(await file("r.txt.dvc")).toBe(before);
    });

    it("reports a versioned object deleted since (a delete marker) as deleted", async () => {
      await put(bucket, "gone.txt", "g\n");
      await importUrl(repo, `s3://${bucket}/gone.txt`, undefined, { cwd: dir, versionAware: true });
      await moto.s3.client.send(new moto.s3.sdk.DeleteObjectCommand({ Bucket: bucket, Key: "gone.txt" }));
      expect(await dataStatus(repo, [], { cwd: dir })).toEqual([
        expect.objectContaining({ changedDeps: { [`s3://${bucket}/gone.txt`]: "deleted" } }),
      ]);
    });
  });
}
