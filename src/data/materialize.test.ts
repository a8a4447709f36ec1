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
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import type { DirEntry } from "./hashInfo.js";
import { HashState } from "./hashState.js";
import { materializeOut } from "./materialize.js";
import { ObjectCache } from "./objectCache.js";

const md5 = (data: string) => createHash("md5").update(data).digest("hex");

describe("materializeOut", () => {
  let root: string;
  let state: HashState;
  let cache: ObjectCache;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-materialize-"));
    state = HashState.open(join(root, ".dvc", "tmp"));
    cache = new ObjectCache(join(root, ".dvc", "cache"), { state });
  });
  afterEach(() => {
    state.close();
    rmSync(root, { recursive: true, force: true });
  });

  const ws = (rel: string) => join(root, rel);
  function write(rel: string, content: string) {
    mkdirSync(dirname(ws(rel)), { recursive: true });
    writeFileSync(ws(rel), content);
  }
  async function cacheText(content: string): Promise<string> {
    const oid = md5(content);
    await cache.addBytes(oid, Buffer.from(content));
    return oid;
  }
  async function cacheDir(files: Record<string, string>): Promise<string> {
    const entries: DirEntry[] = [];
    for (const [relpath, content] of Object.entries(files))
      entries.push({ relpath, md5: await cacheText(content) });
    const manifest = serializeDirManifest(entries);
    const oid = dirManifestOid(manifest);
    await cache.addBytes(oid, manifest);
    return oid;
  }
  function flipFirstByte(path: string) {
    chmodSync(path, 0o644);
    const bytes = readFileSync(path);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(path, bytes);
  }
  function listTree(dir: string, prefix = ""): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? listTree(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
    );
  }

  it("writes a missing file and records it in the state", async () => {
    const oid = await cacheText("hello");
    const result = await materializeOut(cache, { md5: oid }, ws("out.txt"), { linkTypes: ["copy"], state });
    expect(result).toEqual({ added: [ws("out.txt")], modified: [], deleted: [] });
    expect(readFileSync(ws("out.txt"), "utf8")).toBe("hello");
    expect(state.lookup(ws("out.txt"), statSync(ws("out.txt")))).toBe(oid);
  });

  it("leaves a file that is already right alone and replaces one that differs", async () => {
    const oid = await cacheText("hello");
    write("out.txt", "hello");
    const before = statSync(ws("out.txt"), { bigint: true });
    expect(await materializeOut(cache, { md5: oid }, ws("out.txt"), { linkTypes: ["copy"], state })).toEqual({
      added: [],
      modified: [],
      deleted: [],
    });
    expect(statSync(ws("out.txt"), { bigint: true }).ino).toBe(before.ino);
    write("out.txt", "changed");
    const result = await materializeOut(cache, { md5: oid }, ws("out.txt"), { linkTypes: ["copy"], state });
    expect(result.modified).toEqual([ws("out.txt")]);
    expect(readFileSync(ws("out.txt"), "utf8")).toBe("hello");
  });

  it("refuses a corrupt object and leaves the workspace file as it was", async () => {
    const oid = await cacheText("good data");
    write("out.txt", "local edit");
    flipFirstByte(cache.objectPath(oid));
    await expect(
      materializeOut(cache, { md5: oid }, ws("out.txt"), { linkTypes: ["copy"], state }),
    ).rejects.toMatchObject({
      code: "DATA_LOSS",
      message: expect.stringMatching(new RegExp(`${oid}.*${cache.objectPath(oid).replace(/[.]/g, "\\.")}`)),
    });
    expect(readFileSync(ws("out.txt"), "utf8")).toBe("local edit");
    expect(readdirSync(root).sort()).toEqual([".dvc", "out.txt"]);
  });

  it("names the path and oid of a missing object", async () => {
    const oid = md5("never cached");
    await expect(
      materializeOut(cache, { md5: oid }, ws("out.txt"), { linkTypes: ["copy"] }),
    ).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringMatching(new RegExp(`out\\.txt.*${oid}`)),
    });
    expect(existsSync(ws("out.txt"))).toBe(false);
  });

  it("checks out a directory: adds, updates, skips correct files and removes extras", async () => {
    const oid = await cacheDir({ "a.txt": "A", "sub/b.txt": "B", "sub/deep/c.txt": "C" });
    write("data/a.txt", "A");
    write("data/sub/b.txt", "old B");
    write("data/extra.txt", "extra");
    write("data/gone/x.txt", "x");
    const untouched = statSync(ws("data/a.txt"), { bigint: true });
    let files = 0;
    const result = await materializeOut(cache, { md5: oid }, ws("data"), {
      linkTypes: ["hardlink", "copy"],
      state,
      onProgress: (_bytes, n) => (files += n),
    });
    expect(result.added).toEqual([ws("data/sub/deep/c.txt")]);
    expect(result.modified).toEqual([ws("data/sub/b.txt")]);
    expect(result.deleted.sort()).toEqual([ws("data/extra.txt"), ws("data/gone/x.txt")]);
    expect(listTree(ws("data")).sort()).toEqual(["a.txt", "sub/b.txt", "sub/deep/c.txt"]);
    expect(readFileSync(ws("data/sub/b.txt"), "utf8")).toBe("B");
    expect(statSync(ws("data/a.txt"), { bigint: true }).mtimeNs).toBe(untouched.mtimeNs);
    expect(files).toBe(3);
    // A second checkout finds everything right through the state.
    expect(await materializeOut(cache, { md5: oid }, ws("data"), { linkTypes: ["copy"], state })).toEqual({
      added: [],
      modified: [],
      deleted: [],
    });
  });

  it("changes nothing in a directory when one of its objects is corrupt", async () => {
    const oid = await cacheDir({ "a.txt": "A", "b.txt": "B" });
    write("data/a.txt", "local A");
    write("data/extra.txt", "extra");
    flipFirstByte(cache.objectPath(md5("B")));
    await expect(
      materializeOut(cache, { md5: oid }, ws("data"), { linkTypes: ["copy"], state }),
    ).rejects.toMatchObject({
      code: "DATA_LOSS",
      message: expect.stringContaining(join("data", "b.txt")),
    });
    expect(listTree(ws("data")).sort()).toEqual(["a.txt", "extra.txt"]);
    expect(readFileSync(ws("data/a.txt"), "utf8")).toBe("local A");
  });

  it("calls a directory missing when its cache only lacks objects, and data loss when one is corrupt", async () => {
    const oid = await cacheDir({ "a.txt": "A", "b.txt": "B", "c.txt": "C" });
    rmSync(cache.objectPath(md5("A")));
    rmSync(cache.objectPath(md5("B")));
    // As dvc's checkout names such a directory among its missing targets (and --allow-missing lets it pass).
    await expect(
      materializeOut(cache, { md5: oid }, ws("data"), { linkTypes: ["copy"], state }),
    ).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringMatching(/2 object\(s\) missing: /),
    });
    flipFirstByte(cache.objectPath(md5("C")));
    await expect(
      materializeOut(cache, { md5: oid }, ws("data"), { linkTypes: ["copy"], state }),
    ).rejects.toMatchObject({ code: "DATA_LOSS", message: expect.stringContaining("missing or corrupt") });
    expect(existsSync(ws("data"))).toBe(false);
  });

  it("replaces a file with a directory and a directory with a file", async () => {
    const dirOid = await cacheDir({ "x/y.txt": "Y" });
    write("data", "a plain file");
    write("data2/x", "file where a directory goes");
    expect(
      (await materializeOut(cache, { md5: dirOid }, ws("data"), { linkTypes: ["copy"] })).deleted,
    ).toEqual([ws("data")]);
    expect(readFileSync(ws("data/x/y.txt"), "utf8")).toBe("Y");
    await materializeOut(cache, { md5: dirOid }, ws("data2"), { linkTypes: ["copy"] });
    expect(readFileSync(ws("data2/x/y.txt"), "utf8")).toBe("Y");
    const fileOid = await cacheText("now a file");
    const result = await materializeOut(cache, { md5: fileOid }, ws("data"), { linkTypes: ["copy"] });
    expect(result).toEqual({ added: [ws("data")], modified: [], deleted: [ws("data/x/y.txt")] });
    expect(readFileSync(ws("data"), "utf8")).toBe("now a file");
  });

  it("keeps ignored workspace files inside the directory", async () => {
    write(".dvcignore", "*.log\n");
    const oid = await cacheDir({ "a.txt": "A" });
    write("data/run.log", "log");
    const ignore = await loadDvcIgnore(root);
    const result = await materializeOut(cache, { md5: oid }, ws("data"), {
      linkTypes: ["copy"],
      ignore,
      root,
    });
    expect(result.deleted).toEqual([]);
    expect(listTree(ws("data")).sort()).toEqual(["a.txt", "run.log"]);
  });
});
