import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadDvcIgnore } from "./dvcIgnore.js";
import { HashPool } from "./hashPool.js";
import { HashState } from "./hashState.js";
import { hashPath, hashPathSummary, type HashContext } from "./hashTree.js";

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

/** DVC's algorithm restated in Python: os.walk (symlinked dirs not entered), md5 per file, json.dumps. */
function pythonDirOid(dir: string): string {
  const script = [
    "import hashlib, json, os, sys",
    "root = sys.argv[1]",
    "items = []",
    "for base, dirs, files in os.walk(root):",
    "    for name in files:",
    "        path = os.path.join(base, name)",
    "        rel = os.path.relpath(path, root).replace(os.sep, '/')",
    "        items.append({'md5': hashlib.md5(open(path, 'rb').read()).hexdigest(), 'relpath': rel})",
    "items.sort(key=lambda e: e['relpath'])",
    "print(hashlib.md5(json.dumps(items, sort_keys=True).encode('utf-8')).hexdigest() + '.dir')",
  ].join("\n");
  return execFileSync("python3", ["-c", script, dir], { encoding: "utf8" }).trim();
}

/** A pool stand-in that counts what it is asked to hash. */
class CountingPool extends HashPool {
  hashed: string[] = [];
  override hashFiles(paths: readonly string[], onBytes?: (n: number) => void, sizes?: readonly number[]) {
    this.hashed.push(...paths);
    return super.hashFiles(paths, onBytes, sizes);
  }
}

describe("hashPath", () => {
  let root: string;
  let state: HashState;
  const pool = new CountingPool({ jobs: 2 });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-tree-"));
    state = HashState.open(join(root, ".dvc", "tmp"));
    pool.hashed = [];
  });
  afterEach(() => {
    state.close();
    rmSync(root, { recursive: true, force: true });
  });
  afterAll(() => pool.close());

  function write(rel: string, content: string | Buffer) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  const ctx = (extra: Partial<HashContext> = {}): HashContext => ({ root, state, pool, ...extra });

  it("hashes a file with its size and executable bit", async () => {
    write("foo", "foo");
    expect(await hashPath(join(root, "foo"), ctx())).toEqual({
      kind: "file",
      md5: "acbd18db4cc2f85cedef654fccc4a4d8",
      size: 3,
    });
    chmodSync(join(root, "foo"), 0o755);
    expect(await hashPath(join(root, "foo"), ctx())).toMatchObject({ isexec: true });
  });

  it("reproduces DVC's vector for a directory {foo, bar, nested/file}", async () => {
    write("data/foo", "foo");
    write("data/bar", "bar");
    write("data/nested/file", "file");
    const hashed = await hashPath(join(root, "data"), ctx());
    expect(hashed).toMatchObject({
      kind: "dir",
      md5: "5fc28ea78987408341668eba6525ebd1.dir",
      size: 10,
      nfiles: 3,
    });
  });

  it("matches DVC's walk for nested dirs with empty dirs, unicode names and symlinks", async () => {
    write("data/a/b/c.txt", "c");
    write("data/a/d.bin", Buffer.from([0, 1, 2, 255]));
    write("data/ünï/😀.txt", "smile");
    write("target/outside.txt", "outside");
    mkdirSync(join(root, "data", "empty", "deeper"), { recursive: true });
    symlinkSync(join(root, "target", "outside.txt"), join(root, "data", "link-to-file"));
    symlinkSync(join(root, "target"), join(root, "data", "link-to-dir"));
    const hashed = await hashPath(join(root, "data"), ctx());
    expect(hashed.md5).toBe(pythonDirOid(join(root, "data")));
    if (hashed.kind !== "dir") throw new Error("expected a directory");
    expect(hashed.entries.map((e) => e.relpath)).toEqual([
      "a/b/c.txt",
      "a/d.bin",
      "link-to-file",
      "ünï/😀.txt",
    ]);
    expect(hashed.entries.find((e) => e.relpath === "link-to-file")?.md5).toBe(md5("outside"));
    expect(hashed.size).toBe(1 + 4 + 7 + 5);
  });

  it("gives an empty directory DVC's empty manifest", async () => {
    mkdirSync(join(root, "empty"));
    expect(await hashPath(join(root, "empty"), ctx())).toMatchObject({
      md5: `${md5("[]")}.dir`,
      size: 0,
      nfiles: 0,
    });
  });

  it("rehashes only the files whose stat changed", async () => {
    for (let i = 0; i < 100; i++) write(`data/f${i}`, `content ${i}`);
    const first = await hashPath(join(root, "data"), ctx());
    expect(pool.hashed).toHaveLength(100);
    pool.hashed = [];
    const second = await hashPath(join(root, "data"), ctx());
    expect(pool.hashed).toEqual([]);
    expect(second.md5).toBe(first.md5);
    write("data/f7", "changed content");
    const third = await hashPath(join(root, "data"), ctx());
    expect(pool.hashed).toEqual([join(root, "data", "f7")]);
    expect(third.md5).not.toBe(first.md5);
  });

  it("does not record the hash of a file that changed between the walk and its reading", async () => {
    for (let i = 0; i < 3; i++) write(`data/f${i}`, `content ${i}`);
    class EditingPool extends CountingPool {
      override hashFiles(paths: readonly string[], onBytes?: (n: number) => void, sizes?: readonly number[]) {
        write("data/f1", "content 1, edited after the walk");
        return super.hashFiles(paths, onBytes, sizes);
      }
    }
    const editing = new EditingPool({ jobs: 1 });
    try {
      await hashPath(join(root, "data"), ctx({ pool: editing }));
    } finally {
      await editing.close();
    }
    await hashPath(join(root, "data"), ctx());
    expect(pool.hashed).toEqual([join(root, "data", "f1")]);
  });

  it("serves a reopened state without rehashing", async () => {
    write("data/x", "x");
    await hashPath(join(root, "data"), ctx());
    state.close();
    state = HashState.open(join(root, ".dvc", "tmp"));
    pool.hashed = [];
    await hashPath(join(root, "data"), ctx());
    expect(pool.hashed).toEqual([]);
  });

  it("reports progress as bytes hashed and files finished", async () => {
    write("data/a", "12345");
    write("data/b", "678");
    let bytes = 0;
    let files = 0;
    await hashPath(join(root, "data"), ctx({ onProgress: (b, f) => ((bytes += b), (files += f)) }));
    expect([bytes, files]).toEqual([8, 2]);
  });

  it("skips ignored entries and refuses a .dvcignore inside the directory", async () => {
    write(".dvcignore", "*.log\ncache/\n");
    write("data/keep.txt", "keep");
    write("data/run.log", "noise");
    write("data/cache/blob", "blob");
    write("data/.git/HEAD", "ref");
    const ignore = await loadDvcIgnore(root);
    const hashed = await hashPath(join(root, "data"), ctx({ ignore }));
    if (hashed.kind !== "dir") throw new Error("expected a directory");
    expect(hashed.entries.map((e) => e.relpath)).toEqual(["keep.txt"]);
    write("data/.dvcignore", "x\n");
    await expect(
      hashPath(join(root, "data"), ctx({ ignore: await loadDvcIgnore(root) })),
    ).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining(".dvcignore"),
    });
  });

  it("names a missing path and a broken symlink", async () => {
    await expect(hashPath(join(root, "nope"), ctx())).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringContaining("nope"),
    });
    mkdirSync(join(root, "data"));
    symlinkSync(join(root, "gone"), join(root, "data", "dangling"));
    await expect(hashPath(join(root, "data"), ctx())).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringContaining("broken symlink"),
    });
  });

  it("summarizes an unchanged directory from one memo, without the per-file rows", async () => {
    for (let i = 0; i < 20; i++) write(`data/f${i}`, `content ${i}`);
    const full = await hashPath(join(root, "data"), ctx());
    const preload = vi.spyOn(state, "preload");
    const summary = await hashPathSummary(join(root, "data"), ctx());
    expect(summary).toEqual({ kind: "dir", md5: full.md5, size: full.size, nfiles: 20 });
    expect(preload).not.toHaveBeenCalled();
    expect(pool.hashed).toHaveLength(20);
  });

  it("summarizes a changed directory as hashPath does: new content, a new file, a removed file", async () => {
    write("data/a", "a");
    write("data/b", "b");
    const edits: (() => void)[] = [
      () => write("data/a", "changed"),
      () => write("data/sub/c", "c"),
      () => rmSync(join(root, "data", "b")),
    ];
    let previous = (await hashPathSummary(join(root, "data"), ctx())).md5;
    for (const edit of edits) {
      edit();
      const summary = await hashPathSummary(join(root, "data"), ctx());
      expect(summary.md5).not.toBe(previous);
      expect(summary.md5).toBe((await hashPath(join(root, "data"), { root, pool })).md5);
      previous = summary.md5;
    }
  });

  it("summarizes a file like hashPath", async () => {
    write("f", "x");
    expect(await hashPathSummary(join(root, "f"), ctx())).toEqual(await hashPath(join(root, "f"), ctx()));
  });
});
