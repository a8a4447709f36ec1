import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBucket, findMotoServer, startMotoServer, type MotoServer } from "../../test/support/moto.js";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { objectKey, type Oid } from "./hashInfo.js";
import { gc, GC_SCOPE_REQUIRED } from "./garbageCollect.js";
import { fetch, pull, push } from "./pushPull.js";

function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

let root: string;
let remoteDir: string;
const openRepos: DataRepo[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flowops-pushpull-"));
  remoteDir = join(root, "remote");
});

afterEach(() => {
  for (const repo of openRepos.splice(0)) closeDataRepo(repo);
  rmSync(root, { recursive: true, force: true });
});

/** A repo whose default remote `storage` is `url` (a local path relative to .dvc/, or s3://...). */
async function makeRepo(name: string, extraConfig = "", options: { git?: boolean } = {}): Promise<DataRepo> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (options.git === true) {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["config", "user.email", "t@example.com"], { cwd: dir });
    execFileSync("git", ["config", "user.name", "t"], { cwd: dir });
  }
  closeDataRepo(await initDataRepo(dir, { noScm: options.git !== true }));
  const core = options.git === true ? "[core]\n" : "[core]\n    no_scm = True\n";
  writeFileSync(
    join(dir, ".dvc", "config"),
    `${core}    remote = storage\n['remote "storage"']\n    url = ../../remote\n${extraConfig}`,
  );
  const repo = await openDataRepo(dir);
  openRepos.push(repo);
  return repo;
}

/** Tracks a file as `dvc add` would leave it: workspace file, cache object, `<path>.dvc`. */
async function trackFile(repo: DataRepo, path: string, content: string, extra = ""): Promise<Oid> {
  const abs = join(repo.root, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  const oid = md5(content);
  await repo.cache.addBytes(oid, Buffer.from(content));
  writeFileSync(
    `${abs}.dvc`,
    `outs:\n- md5: ${oid}\n  size: ${Buffer.byteLength(content)}\n  hash: md5\n  path: ${path.split("/").at(-1)}\n${extra}`,
  );
  return oid;
}

async function trackDir(repo: DataRepo, path: string, files: Record<string, string>) {
  const entries = [];
  for (const [relpath, content] of Object.entries(files)) {
    const abs = join(repo.root, path, relpath);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    await repo.cache.addBytes(md5(content), Buffer.from(content));
    entries.push({ relpath, md5: md5(content) });
  }
  const manifest = serializeDirManifest(entries);
  const oid = dirManifestOid(manifest);
  await repo.cache.addBytes(oid, manifest);
  const size = Object.values(files).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
  writeFileSync(
    join(repo.root, `${path}.dvc`),
    `outs:\n- md5: ${oid}\n  size: ${size}\n  nfiles: ${entries.length}\n  hash: md5\n  path: ${path}\n`,
  );
  return { oid, fileOids: entries.map((e) => e.md5) };
}

/** A second checkout of the same project: the .dvc files and config, but an empty cache and no data. */
async function cloneOf(repo: DataRepo, name: string): Promise<DataRepo> {
  const clone = await makeRepo(name);
  writeFileSync(join(clone.dvcDir, "config"), readFileSync(join(repo.dvcDir, "config")));
  for (const file of execFileSync("find", [".", "-name", "*.dvc", "-type", "f"], {
    cwd: repo.root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((line) => line !== "")) {
    mkdirSync(dirname(join(clone.root, file)), { recursive: true });
    writeFileSync(join(clone.root, file), readFileSync(join(repo.root, file)));
  }
  closeDataRepo(clone);
  openRepos.splice(openRepos.indexOf(clone), 1);
  const reopened = await openDataRepo(clone.root);
  openRepos.push(reopened);
  return reopened;
}

function remoteHasObject(oid: Oid): boolean {
  return existsSync(join(remoteDir, objectKey(oid)));
}

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
    const otherDir = join(root, "other-remote");
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
    expect(result.failed.map((f) => [f.path, f.oid])).toEqual([
      ["data/b", bad],
      ["data", data.oid],
    ]);
    expect(result.failed[0]?.reason).toMatch(/corrupt in the local cache/);
    expect(remoteHasObject(data.oid)).toBe(false);
    expect(remoteHasObject(md5("a\n"))).toBe(true);
  });

  it("skips a directory whose manifest only the remote has, and reports one that nobody has", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n" });
    await push(repo);
    const clone = await cloneOf(repo, "clone");
    expect(await push(clone)).toMatchObject({ transferred: 0, skipped: 1, failed: [] });

    rmSync(remoteDir, { recursive: true, force: true });
    const result = await push(clone);
    expect(result.failed).toEqual([
      { oid: data.oid, path: "data", reason: "is missing from the local cache" },
    ]);
  });

  it("pushes the objects of a DVC 2 entry (no hash: md5) to the legacy layout, where DVC 3 looks for them", async () => {
    const repo = await makeRepo("project");
    const oid = md5("old\n");
    writeFileSync(join(repo.root, "old"), "old\n");
    await repo.cache.addBytes(oid, Buffer.from("old\n"));
    writeFileSync(join(repo.root, "old.dvc"), `outs:\n- md5: ${oid}\n  size: 4\n  path: old\n`);
    expect(await push(repo)).toMatchObject({ transferred: 1, failed: [] });
    expect(existsSync(join(remoteDir, oid.slice(0, 2), oid.slice(2)))).toBe(true);
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
    await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    await push(repo);
    const bad = md5("a\n");
    writeFileSync(join(remoteDir, objectKey(bad)), "tampered\n");
    const clone = await cloneOf(repo, "clone");
    const result = await fetch(clone);
    expect(result.failed).toEqual([
      { oid: bad, path: "data/a", reason: expect.stringMatching(/corrupt on remote 'storage'/) as string },
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
    writeFileSync(join(remoteDir, objectKey(md5("b\n"))), "tampered\n");

    const clone = await cloneOf(repo, "clone");
    const result = await pull(clone);
    expect(result.fetch.transferred).toBe(3);
    expect(result.fetch.failed.map((f) => [f.path, f.oid])).toEqual([["data/sub/b", md5("b\n")]]);
    expect(result.checkout.failed.length).toBeGreaterThan(0);
    expect(readFileSync(join(clone.root, "foo"), "utf8")).toBe("foo\n");
    const b = join(clone.root, "data", "sub", "b");
    expect(existsSync(b) ? readFileSync(b, "utf8") : "absent").not.toBe("tampered\n");
  });
});

describe("gc", () => {
  it("requires a scope, in DVC's words", async () => {
    const repo = await makeRepo("project");
    await expect(gc(repo, {})).rejects.toThrow(GC_SCOPE_REQUIRED);
  });

  it("removes objects the workspace no longer uses, locally and with cloud on the remote; dry runs remove nothing", async () => {
    const repo = await makeRepo("project");
    const keep = await trackFile(repo, "foo", "foo\n");
    const drop = await trackFile(repo, "bar", "bar\n");
    await push(repo);
    rmSync(join(repo.root, "bar.dvc"));

    const dry = await gc(repo, { workspace: true, cloud: true, dryRun: true });
    expect(dry).toMatchObject({ removed: [drop], cloudRemoved: [drop], dryRun: true });
    expect(await repo.cache.has(drop)).toBe(true);
    expect(remoteHasObject(drop)).toBe(true);

    const done = await gc(repo, { workspace: true, cloud: true });
    expect(done).toMatchObject({ removed: [drop], cloudRemoved: [drop] });
    expect(await repo.cache.has(drop)).toBe(false);
    expect(remoteHasObject(drop)).toBe(false);
    expect(await repo.cache.has(keep)).toBe(true);
    expect(remoteHasObject(keep)).toBe(true);
  });

  it("keeps the files of a directory the workspace uses", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "data", { a: "a\n", b: "b\n" });
    expect((await gc(repo, { workspace: true })).removed).toEqual([]);
    for (const oid of [data.oid, ...data.fileOids]) expect(await repo.cache.has(oid)).toBe(true);
  });

  it("keeps objects any git commit references with allCommits", async () => {
    const repo = await makeRepo("project", "", { git: true });
    const v1 = await trackFile(repo, "foo", "version 1\n");
    execFileSync("git", ["add", "foo.dvc", ".dvc/config"], { cwd: repo.root });
    execFileSync("git", ["commit", "-q", "-m", "v1"], { cwd: repo.root });
    const v2 = await trackFile(repo, "foo", "version 2\n");

    expect((await gc(repo, { workspace: true, allCommits: true })).removed).toEqual([]);
    expect((await gc(repo, { workspace: true })).removed).toEqual([v1]);
    expect(await repo.cache.has(v2)).toBe(true);
  });
  it("keeps objects of branch tips with allBranches and of tags with allTags, not of older commits", async () => {
    const repo = await makeRepo("project", "", { git: true });
    const commit = (message: string) => {
      execFileSync("git", ["add", "foo.dvc", ".dvc/config"], { cwd: repo.root });
      execFileSync("git", ["commit", "-q", "-m", message], { cwd: repo.root });
    };
    const old = await trackFile(repo, "foo", "old\n");
    commit("old");
    const tagged = await trackFile(repo, "foo", "tagged\n");
    commit("tagged");
    execFileSync("git", ["tag", "v1"], { cwd: repo.root });
    const tip = await trackFile(repo, "foo", "tip\n");
    commit("tip");
    const workspace = await trackFile(repo, "foo", "workspace\n");

    const branches = await gc(repo, { allBranches: true, dryRun: true });
    expect(branches.removed.sort()).toEqual([old, tagged].sort());
    const tags = await gc(repo, { allTags: true, dryRun: true });
    expect(tags.removed.sort()).toEqual([old, tip].sort());
    await gc(repo, { workspace: true, allBranches: true, allTags: true });
    for (const oid of [tagged, tip, workspace]) expect(await repo.cache.has(oid)).toBe(true);
    expect(await repo.cache.has(old)).toBe(false);
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("an S3 remote (moto)", () => {
    let server: MotoServer;
    beforeAll(async () => {
      server = await startMotoServer(motoBinary);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("pushes, fetches only what is missing, and gc --cloud removes from the bucket", async () => {
      const bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      const s3Config =
        `['remote "s3"']\n    url = s3://${bucket}/dvcstore\n    endpointurl = ${server.endpoint}\n` +
        "    region = us-east-1\n    access_key_id = testing\n    secret_access_key = testing\n";
      const repo = await makeRepo("project", s3Config);
      const options = { remote: "s3", env: {} };
      const data = await trackDir(repo, "data", { a: "a\n", b: "b\n", c: "c\n" });
      const foo = await trackFile(repo, "foo", "foo\n");
      expect(await push(repo, undefined, options)).toMatchObject({ transferred: 5, failed: [] });
      expect(await push(repo, undefined, options)).toMatchObject({ transferred: 0, skipped: 5 });

      const clone = await cloneOf(repo, "clone");
      expect(await fetch(clone, undefined, options)).toMatchObject({ transferred: 5, failed: [] });
      expect(await clone.cache.verify(data.oid)).toBe(true);

      rmSync(join(repo.root, "foo.dvc"));
      const collected = await gc(repo, { workspace: true, cloud: true, ...options });
      expect(collected.cloudRemoved).toEqual([foo]);
      const third = await cloneOf(repo, "third");
      expect(await fetch(third, undefined, options)).toMatchObject({ transferred: 4, failed: [] });
    });
  });
}
