import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { HashState } from "./hashState.js";
import { ObjectCache } from "./objectCache.js";

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

describe("ObjectCache", () => {
  let dir: string;
  let cacheDir: string;
  let state: HashState;
  let cache: ObjectCache;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-cache-"));
    cacheDir = join(dir, ".dvc", "cache");
    state = HashState.open(join(dir, ".dvc", "tmp"));
    cache = new ObjectCache(cacheDir, { state });
  });
  afterEach(() => {
    state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function workspaceFile(name: string, content: string) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return { path, oid: md5(content) };
  }

  function flipFirstByte(path: string) {
    chmodSync(path, 0o644);
    const bytes = readFileSync(path);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(path, bytes);
  }

  it("stores a file read-only in DVC 3's layout", async () => {
    const { path, oid } = workspaceFile("foo", "foo");
    await cache.addFile(path, oid);
    const object = join(cacheDir, "files", "md5", "ac", "bd18db4cc2f85cedef654fccc4a4d8");
    expect(cache.objectPath(oid)).toBe(object);
    expect(readFileSync(object, "utf8")).toBe("foo");
    expect(statSync(object).mode & 0o777).toBe(0o444);
    expect(await cache.has(oid)).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(dirname(object))).toEqual(["bd18db4cc2f85cedef654fccc4a4d8"]);
  });

  it("moves a file into the cache when asked", async () => {
    const { path, oid } = workspaceFile("foo", "foo");
    await cache.addFile(path, oid, { move: true });
    expect(existsSync(path)).toBe(false);
    expect(await cache.verify(oid)).toBe(true);
  });

  it("refuses to store a file whose content does not match the oid", async () => {
    const { path } = workspaceFile("foo", "foo");
    await expect(cache.addFile(path, md5("bar"))).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(await cache.has(md5("bar"))).toBe(false);
    expect(readdirSync(join(cacheDir, "files", "md5", md5("bar").slice(0, 2)))).toEqual([]);
  });

  it("stores manifest bytes under their .dir oid and reads them back verified", async () => {
    const entries = [{ relpath: "a", md5: md5("a") }];
    const bytes = serializeDirManifest(entries);
    const oid = dirManifestOid(bytes);
    await cache.addBytes(oid, bytes);
    expect(cache.objectPath(oid).endsWith(`${oid.slice(2)}`)).toBe(true);
    expect(await cache.readDirManifest(oid)).toEqual(entries);
    await expect(cache.addBytes(md5("other"), bytes)).rejects.toThrow(/refusing/);
  });

  it("does not rehash an unchanged verified object (the state answers)", async () => {
    const { path, oid } = workspaceFile("data", "original");
    await cache.addFile(path, oid);
    const object = cache.objectPath(oid);
    // Pin the mtime so that a same-size rewrite can restore the exact (inode, mtime, size) the state saw.
    utimesSync(object, 1_700_000_000, 1_700_000_000);
    expect(await cache.verify(oid)).toBe(true);
    chmodSync(object, 0o644);
    writeFileSync(object, "ORIGINAL");
    utimesSync(object, 1_700_000_000, 1_700_000_000);
    expect(await cache.verify(oid)).toBe(true);
    // Any visible change (here the mtime) makes it rehash and catch the corruption.
    utimesSync(object, 1_700_000_001, 1_700_000_001);
    expect(await cache.verify(oid)).toBe(false);
  });

  it("reports a corrupt object, removes it, and names it in the DATA_LOSS error", async () => {
    const { path, oid } = workspaceFile("data", "some bytes");
    await cache.addFile(path, oid);
    const object = cache.objectPath(oid);
    flipFirstByte(object);
    await expect(cache.verifiedPath(oid)).rejects.toMatchObject({
      code: "DATA_LOSS",
      message: expect.stringContaining(oid),
    });
    await expect(cache.verifiedPath(oid)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    expect(await cache.has(oid)).toBe(false);
  });

  it("names a corrupt manifest object when reading it", async () => {
    const bytes = serializeDirManifest([{ relpath: "a", md5: md5("a") }]);
    const oid = dirManifestOid(bytes);
    await cache.addBytes(oid, bytes);
    flipFirstByte(cache.objectPath(oid));
    await expect(cache.readDirManifest(oid)).rejects.toMatchObject({
      code: "DATA_LOSS",
      message: expect.stringContaining(oid),
    });
  });

  it("finds and verifies objects DVC 2 left in the legacy layout, dos2unix hashes included", async () => {
    const text = "line\r\n";
    const legacyOid = md5("line\n");
    const legacyPath = join(cacheDir, legacyOid.slice(0, 2), legacyOid.slice(2));
    mkdirSync(dirname(legacyPath), { recursive: true });
    writeFileSync(legacyPath, text);
    expect(await cache.locate(legacyOid)).toBe(legacyPath);
    expect(await cache.verify(legacyOid)).toBe(true);
  });

  it("lists every object once, across layouts, skipping temp files", async () => {
    const a = workspaceFile("a", "a");
    const b = workspaceFile("b", "b");
    await cache.addFile(a.path, a.oid);
    await cache.addFile(b.path, b.oid);
    const legacy = md5("legacy");
    mkdirSync(join(cacheDir, legacy.slice(0, 2)), { recursive: true });
    writeFileSync(join(cacheDir, legacy.slice(0, 2), legacy.slice(2)), "legacy");
    mkdirSync(join(cacheDir, a.oid.slice(0, 2)), { recursive: true });
    writeFileSync(join(cacheDir, a.oid.slice(0, 2), a.oid.slice(2)), "a");
    writeFileSync(`${cache.objectPath(b.oid)}.abcdef.tmp`, "partial");
    const listed: string[] = [];
    for await (const oid of cache.listOids()) listed.push(oid);
    expect(listed.sort()).toEqual([a.oid, b.oid, legacy].sort());
    await cache.remove(a.oid);
    expect(await cache.has(a.oid)).toBe(false);
  });

  it("commits a verified download and rejects a corrupt one, naming the oid", async () => {
    const oid = md5("payload");
    const good = await cache.openTempFile(oid);
    writeFileSync(good.path, "payload");
    await good.commit();
    expect(readFileSync(cache.objectPath(oid), "utf8")).toBe("payload");

    const other = md5("other");
    const bad = await cache.openTempFile(other);
    writeFileSync(bad.path, "tampered");
    await expect(bad.commit()).rejects.toMatchObject({
      code: "DATA_LOSS",
      message: expect.stringContaining(other),
    });
    expect(existsSync(bad.path)).toBe(false);
    expect(await cache.has(other)).toBe(false);

    const aborted = await cache.openTempFile(other);
    await aborted.abort();
    expect(existsSync(aborted.path)).toBe(false);
  });

  it("rejects something that is not an oid", () => {
    expect(() => cache.objectPath("../../etc/passwd")).toThrow(/not an md5 object id/);
  });
});
