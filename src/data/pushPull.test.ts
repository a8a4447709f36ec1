import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { objectKey } from "./hashInfo.js";
import { fetch, pull, push } from "./pushPull.js";
import {
  cloneOf,
  makeRepo,
  md5,
  remoteDirectory,
  remoteHasObject,
  scratchRoot,
  trackDir,
  trackFile,
  useScratchRoot,
} from "./pushPullFixtures.js";

useScratchRoot();

describe("push and fetch", () => {
  it("pushes every tracked object and fetches them into a fresh cache", async () => {
    const repo = await makeRepo("project");
    const fooOid = await trackFile(repo, "foo", "foo\n");
    const data = await trackDir(repo, "data", { a: "a\n", "sub/b": "b\n" });
    const pushed = await push(repo);
    expect(pushed).toMatchObject({ transferred: 4, skipped: 0, failed: [], remotes: ["storage"] });
    for (const oid of [fooOid, data.oid, ...data.fileOids]) expect(remoteHasObject(oid)).toBe(true);

    const clone = await cloneOf(repo, "clone");
    const fetched = await fetch(clone);
    expect(fetched).toMatchObject({ transferred: 4, skipped: 0, failed: [] });
    for (const oid of [fooOid, data.oid, ...data.fileOids]) expect(await clone.cache.verify(oid)).toBe(true);
  });

  it("sends only what the remote lacks and says so on a second push", async () => {
    const repo = await makeRepo("project");
    await trackFile(repo, "foo", "foo\n");
    await push(repo);
    await trackFile(repo, "bar", "bar\n");
    expect(await push(repo)).toMatchObject({ transferred: 1, skipped: 1, failed: [] });
    expect(await push(repo)).toMatchObject({ transferred: 0, skipped: 2, failed: [] });
  });

  it("pushes only the targets it is given", async () => {
    const repo = await makeRepo("project");
    const fooOid = await trackFile(repo, "foo", "foo\n");
    const barOid = await trackFile(repo, "bar", "bar\n");
    expect(await push(repo, [join(repo.root, "foo.dvc")])).toMatchObject({ transferred: 1 });
    expect(remoteHasObject(fooOid)).toBe(true);
    expect(remoteHasObject(barOid)).toBe(false);
    await expect(push(repo, [join(repo.root, "nothing.dvc")])).rejects.toThrow(/nothing.dvc' does not exist/);
  });

  it("keeps push: false outs off the remote and sends an out with its own remote there", async () => {
    const otherDir = join(scratchRoot(), "other-remote");
    const repo = await makeRepo("project", `['remote "other"']\n    url = ${otherDir}\n`);
    const privateOid = await trackFile(repo, "private", "secret\n", "  push: false\n");
    const routedOid = await trackFile(repo, "routed", "elsewhere\n", "  remote: other\n");
    const result = await push(repo);
    expect(result).toMatchObject({ transferred: 1, failed: [], remotes: ["other"] });
    expect(remoteHasObject(privateOid)).toBe(false);
    expect(existsSync(join(otherDir, objectKey(routedOid)))).toBe(true);
  });

  it("reports a corrupt cache object by path and oid, pushes the rest, and leaves the manifest off the remote", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    const bad = md5("b\n");
    chmodSync(repo.cache.objectPath(bad), 0o644);
    writeFileSync(repo.cache.objectPath(bad), "rotten bits\n");
    const result = await push(repo);
    // The corrupt file fails the push, and the manifest held back with it, as dvc-data counts a directory.
    expect(result.failed.map((f) => [f.path, f.oid])).toEqual([
      ["data/b", bad],
      ["data", data.oid],
    ]);
    expect(result.failed[0]?.reason).toMatch(/corrupt in the local cache/);
    expect(result.notPushed).toBeUndefined();
    expect(remoteHasObject(data.oid)).toBe(false);
    expect(remoteHasObject(md5("a\n"))).toBe(true);
  });

  it("skips a directory whose manifest only the remote has, and warns of one that nobody has, as dvc", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n" });
    await push(repo);
    const clone = await cloneOf(repo, "clone");
    expect(await push(clone)).toMatchObject({ transferred: 0, skipped: 1, failed: [] });

    rmSync(remoteDirectory(), { recursive: true, force: true });
    const result = await push(clone);
    expect(result.failed).toEqual([]);
    expect(result.notPushed).toEqual([
      { oid: data.oid, path: "data", reason: "is missing from the local cache", missingLocally: true },
    ]);
  });

  it("pushes the objects of a DVC 2 entry (no hash: md5) to the legacy layout, where DVC 3 looks for them", async () => {
    const repo = await makeRepo("project");
    const oid = md5("old\n");
    writeFileSync(join(repo.root, "old"), "old\n");
    await repo.cache.addBytes(oid, Buffer.from("old\n"));
    writeFileSync(join(repo.root, "old.dvc"), `outs:\n- md5: ${oid}\n  size: 4\n  path: old\n`);
    expect(await push(repo)).toMatchObject({ transferred: 1, failed: [] });
    expect(existsSync(join(remoteDirectory(), oid.slice(0, 2), oid.slice(2)))).toBe(true);
    expect(remoteHasObject(oid)).toBe(false);
    expect(await push(repo)).toMatchObject({ transferred: 0, skipped: 1 });

    const clone = await cloneOf(repo, "clone");
    expect(await fetch(clone)).toMatchObject({ transferred: 1, failed: [] });
  });

  it("uses dvc.lock outs but not those dvc.yaml declares cache: false", async () => {
    const repo = await makeRepo("project");
    writeFileSync(
      join(repo.root, "dvc.yaml"),
      "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - model.pkl\n    metrics:\n    - metrics.json:\n        cache: false\n",
    );
    const modelOid = md5("model");
    await repo.cache.addBytes(modelOid, Buffer.from("model"));
    writeFileSync(
      join(repo.root, "dvc.lock"),
      `schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    outs:\n    - path: metrics.json\n      hash: md5\n      md5: ${md5("{}")}\n      size: 2\n    - path: model.pkl\n      hash: md5\n      md5: ${modelOid}\n      size: 5\n`,
    );
    expect(await push(repo)).toMatchObject({ transferred: 1, failed: [] });
    expect(remoteHasObject(modelOid)).toBe(true);
    expect(await push(repo, ["train"])).toMatchObject({ transferred: 0, skipped: 1 });
  });

  it("fetches only the files under a path inside a tracked directory", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", "sub/b": "b\n", "sub/c": "c\n" });
    await push(repo);
    const clone = await cloneOf(repo, "clone");
    const result = await fetch(clone, [join(clone.root, "data", "sub")]);
    expect(result).toMatchObject({ transferred: 3, skipped: 0, failed: [] });
    expect(await clone.cache.has(data.oid)).toBe(true);
    expect(await clone.cache.has(md5("c\n"))).toBe(true);
    expect(await clone.cache.has(md5("a\n"))).toBe(false);
  });

  it("pushes a path inside a tracked directory with the directory's manifest, as dvc", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", "sub/b": "b\n" });
    const pushed = await push(repo, [join(repo.root, "data", "sub", "b")]);
    expect(pushed).toMatchObject({ transferred: 2, failed: [] });
    expect(remoteHasObject(data.oid)).toBe(true);
    expect(remoteHasObject(md5("b\n"))).toBe(true);
    expect(remoteHasObject(md5("a\n"))).toBe(false);
    const clone = await cloneOf(repo, "clone");
    const result = await fetch(clone, [join(clone.root, "data", "sub", "b")]);
    expect(result).toMatchObject({ skipped: 0, failed: [] });
    expect(await clone.cache.has(md5("b\n"))).toBe(true);
  });

  it("reports a corrupt remote object by workspace path and keeps it out of the cache", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    const bad = md5("a\n");
    writeFileSync(join(remoteDirectory(), objectKey(bad)), "tampered\n");
    const clone = await cloneOf(repo, "clone");
    const result = await fetch(clone);
    expect(result.failed).toEqual([
      { oid: bad, path: "data/a", reason: expect.stringMatching(/corrupt on remote 'storage'/) as string },
      { oid: data.oid, path: "data", reason: expect.any(String) as string, incompleteDirectory: true },
    ]);
    expect(await clone.cache.has(bad)).toBe(false);
  });
});

describe("pull", () => {
  it("restores the workspace of a fresh clone, then has nothing left to do", async () => {
    const repo = await makeRepo("project");
    await trackFile(repo, "foo", "foo\n");
    await trackDir(repo, "data", { a: "a\n", "sub/b": "b\n" });
    await push(repo);

    const clone = await cloneOf(repo, "clone");
    const result = await pull(clone);
    expect(result.fetch).toMatchObject({ transferred: 4, failed: [] });
    expect(result.checkout.failed).toEqual([]);
    expect(readFileSync(join(clone.root, "foo"), "utf8")).toBe("foo\n");
    expect(readFileSync(join(clone.root, "data", "sub", "b"), "utf8")).toBe("b\n");

    const again = await pull(clone);
    expect(again.fetch).toMatchObject({ transferred: 0, skipped: 4 });
    expect(again.checkout).toMatchObject({ added: [], modified: [], deleted: [], failed: [] });
  });

  it("restores the cached dvc.lock outs of the root and of a subdirectory pipeline, not cache: false ones", async () => {
    const repo = await makeRepo("project");
    const pipeline = (name: string): string =>
      `stages:\n  ${name}:\n    cmd: make\n    outs:\n    - out.txt\n    metrics:\n    - m.json:\n        cache: false\n`;
    const lock = (name: string, content: string): string =>
      `schema: '2.0'\nstages:\n  ${name}:\n    cmd: make\n    outs:\n    - path: m.json\n      hash: md5\n      md5: ${md5("{}")}\n      size: 2\n    - path: out.txt\n      hash: md5\n      md5: ${md5(content)}\n      size: ${content.length}\n`;
    for (const [dir, name, content] of [
      [".", "prep", "root out\n"],
      ["sub", "train", "sub out\n"],
    ] as const) {
      mkdirSync(join(repo.root, dir), { recursive: true });
      writeFileSync(join(repo.root, dir, "dvc.yaml"), pipeline(name));
      writeFileSync(join(repo.root, dir, "dvc.lock"), lock(name, content));
      await repo.cache.addBytes(md5(content), Buffer.from(content));
    }
    expect(await push(repo)).toMatchObject({ transferred: 2, failed: [] });

    const clone = await cloneOf(repo, "clone");
    for (const file of ["dvc.yaml", "dvc.lock", "sub/dvc.yaml", "sub/dvc.lock"]) {
      mkdirSync(dirname(join(clone.root, file)), { recursive: true });
      writeFileSync(join(clone.root, file), readFileSync(join(repo.root, file)));
    }
    const result = await pull(clone, ["sub/dvc.yaml:train"]);
    expect(result.fetch).toMatchObject({ transferred: 1, failed: [] });
    expect(result.checkout.added).toEqual([expect.stringMatching(/clone\/sub\/out\.txt$/)]);
    expect(readFileSync(join(clone.root, "sub", "out.txt"), "utf8")).toBe("sub out\n");
    expect(existsSync(join(clone.root, "out.txt"))).toBe(false);

    const rest = await pull(clone);
    expect(rest.checkout.added).toHaveLength(1);
    expect(readFileSync(join(clone.root, "out.txt"), "utf8")).toBe("root out\n");
    expect(existsSync(join(clone.root, "m.json"))).toBe(false);
    expect(existsSync(join(clone.root, "sub", "m.json"))).toBe(false);
  });

  it("never writes a corrupt remote object into the workspace and names it", async () => {
    const repo = await makeRepo("project");
    await trackFile(repo, "foo", "foo\n");
    await trackDir(repo, "data", { a: "a\n", "sub/b": "b\n" });
    await push(repo);
    writeFileSync(join(remoteDirectory(), objectKey(md5("b\n"))), "tampered\n");

    const clone = await cloneOf(repo, "clone");
    const result = await pull(clone);
    // foo and data/a; the manifest fetched first fails with its file, as dvc-data counts it.
    expect(result.fetch.transferred).toBe(2);
    expect(result.fetch.failed.map((f) => f.path)).toEqual(["data/sub/b", "data"]);
    expect(result.checkout.failed.length).toBeGreaterThan(0);
    expect(readFileSync(join(clone.root, "foo"), "utf8")).toBe("foo\n");
    const b = join(clone.root, "data", "sub", "b");
    expect(existsSync(b) ? readFileSync(b, "utf8") : "absent").not.toBe("tampered\n");
  });
});
