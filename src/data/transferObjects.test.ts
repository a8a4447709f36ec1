import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalArtifactStore } from "../artifacts/local.js";
import type { ArtifactEntry, ArtifactStat, ArtifactStore } from "../artifacts/store.js";
import { FlowOpsError } from "../errors.js";
import type { DataRemote } from "./dataRemote.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { legacyObjectKey, objectKey, type Oid } from "./hashInfo.js";
import { ObjectCache } from "./objectCache.js";
import {
  existenceCheck,
  fetchObjects,
  pushObjects,
  remoteHas,
  type ObjectOwner,
  type TransferEvent,
} from "./transferObjects.js";

/** A local store that counts calls and can be told to fail every write after the first N. */
class CountingStore implements ArtifactStore {
  writes: string[] = [];
  lists = 0;
  stats = 0;
  failWritesAfter = Infinity;
  reads = 0;
  failReadsAfter = Infinity;
  constructor(readonly inner: LocalArtifactStore) {}
  get rootUri(): string {
    return this.inner.rootUri;
  }
  async write(path: string, body: Readable): Promise<void> {
    if (this.writes.length >= this.failWritesAfter) {
      body.destroy();
      throw new FlowOpsError("TEMPORARILY_UNAVAILABLE", "connection reset by peer");
    }
    this.writes.push(path);
    await this.inner.write(path, body);
  }
  read(path: string): Promise<Readable> {
    if (this.reads >= this.failReadsAfter) {
      return Promise.reject(new FlowOpsError("TEMPORARILY_UNAVAILABLE", "connection reset by peer"));
    }
    this.reads += 1;
    return this.inner.read(path);
  }
  list(dir: string): Promise<ArtifactEntry[]> {
    this.lists += 1;
    return this.inner.list(dir);
  }
  stat(path: string): Promise<ArtifactStat | undefined> {
    this.stats += 1;
    return this.inner.stat(path);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
}

function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

let root: string;
let remoteDir: string;
let store: CountingStore;
let remote: DataRemote;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flowops-transfer-"));
  remoteDir = join(root, "remote");
  store = new CountingStore(new LocalArtifactStore(remoteDir));
  remote = { name: "storage", url: remoteDir, store, jobs: 3 };
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A cache holding a directory `data/` of `count` files, and the objects map usedObjects would give. */
async function cacheWithDirectory(count: number) {
  const cache = new ObjectCache(join(root, "cache"));
  const objects = new Map<Oid, ObjectOwner>();
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    const text = `file ${i}\n`;
    const oid = md5(text);
    await cache.addBytes(oid, Buffer.from(text));
    entries.push({ relpath: `f${i}`, md5: oid });
    objects.set(oid, { path: `data/f${i}`, dvcFile: "data.dvc" });
  }
  const manifest = serializeDirManifest(entries);
  const dirOid = dirManifestOid(manifest);
  await cache.addBytes(dirOid, manifest);
  // Manifest first in the map, as usedObjects lists it, so the test shows push reorders it.
  const ordered = new Map<Oid, ObjectOwner>([[dirOid, { path: "data", dvcFile: "data.dvc" }], ...objects]);
  return { cache, objects: ordered, dirOid, fileOids: [...objects.keys()] };
}

function corrupt(path: string): void {
  chmodSync(path, 0o644);
  writeFileSync(path, "garbage\n");
}

describe("pushObjects", () => {
  it("pushes every object in the DVC 3 layout with the directory manifest last", async () => {
    const { cache, objects, dirOid, fileOids } = await cacheWithDirectory(5);
    const result = await pushObjects({ cache }, remote, objects);
    expect(result).toMatchObject({ transferred: 6, skipped: 0, failed: [] });
    expect(store.writes.at(-1)).toBe(objectKey(dirOid));
    for (const oid of fileOids) {
      expect(readFileSync(join(remoteDir, objectKey(oid)), "utf8")).toMatch(/^file \d+\n$/);
    }
  });

  it("sends only the objects the remote lacks", async () => {
    const { cache, objects, fileOids } = await cacheWithDirectory(4);
    await pushObjects(
      { cache },
      remote,
      new Map([[fileOids[0] as Oid, { path: "data/f0", dvcFile: "data.dvc" }]]),
    );
    store.writes = [];
    const result = await pushObjects({ cache }, remote, objects);
    expect(result).toMatchObject({ transferred: 4, skipped: 1, failed: [] });
    expect(store.writes).not.toContain(objectKey(fileOids[0] as Oid));
  });

  it("resumes an interrupted push without resending what already arrived", async () => {
    const { cache, objects, dirOid } = await cacheWithDirectory(10);
    store.failWritesAfter = 4;
    const first = await pushObjects({ cache }, remote, objects, { jobs: 1 });
    expect(first.transferred).toBe(4);
    expect(first.failed).toHaveLength(6);
    // The manifest never reaches a remote that lacks some of its files; its files' failures fail the push.
    expect(existsSync(join(remoteDir, objectKey(dirOid)))).toBe(false);
    expect(first.notPushed?.find((f) => f.oid === dirOid)?.reason).toMatch(/6 of its files/);

    store.writes = [];
    store.failWritesAfter = Infinity;
    const second = await pushObjects({ cache }, remote, objects);
    expect(second).toMatchObject({ transferred: 7, skipped: 4, failed: [] });
    expect(store.writes).toHaveLength(7);
    expect(store.writes.at(-1)).toBe(objectKey(dirOid));
  });

  it("reports a corrupt cache object by oid and path and does not push it or its manifest", async () => {
    const { cache, objects, dirOid, fileOids } = await cacheWithDirectory(3);
    const bad = fileOids[1] as Oid;
    corrupt(cache.objectPath(bad));
    const result = await pushObjects({ cache }, remote, objects);
    expect(result.failed).toEqual([
      { oid: bad, path: "data/f1", reason: expect.stringMatching(/corrupt in the local cache/) as string },
    ]);
    expect(result.notPushed).toEqual([
      { oid: dirOid, path: "data", reason: expect.stringMatching(/1 of its files/) as string },
    ]);
    expect(existsSync(join(remoteDir, objectKey(bad)))).toBe(false);
    expect(result.transferred).toBe(2);
  });

  it("leaves out an object missing from the cache, as dvc's push warns and goes on", async () => {
    const cache = new ObjectCache(join(root, "cache"));
    const oid = md5("never added");
    const result = await pushObjects(
      { cache },
      remote,
      new Map([[oid, { path: "ghost", dvcFile: "ghost.dvc" }]]),
    );
    expect(result.failed).toEqual([]);
    expect(result.notPushed).toEqual([
      { oid, path: "ghost", reason: "is missing from the local cache", missingLocally: true },
    ]);
  });

  it("reports progress: the planned total, then one event per object", async () => {
    const { cache, objects } = await cacheWithDirectory(2);
    const events: TransferEvent[] = [];
    await pushObjects({ cache }, remote, objects, { onProgress: (event) => events.push(event) });
    expect(events[0]).toEqual({ type: "planned", total: 3 });
    expect(events.slice(1).filter((e) => e.type === "object" && e.ok)).toHaveLength(3);
  });
});

describe("fetchObjects", () => {
  it("fetches every object into a fresh cache, verified", async () => {
    const { cache, objects } = await cacheWithDirectory(5);
    await pushObjects({ cache }, remote, objects);
    const fresh = new ObjectCache(join(root, "fresh-cache"));
    const result = await fetchObjects({ cache: fresh }, remote, objects);
    expect(result).toMatchObject({ transferred: 6, skipped: 0, failed: [] });
    for (const oid of objects.keys()) expect(await fresh.verify(oid)).toBe(true);

    const again = await fetchObjects({ cache: fresh }, remote, objects);
    expect(again).toMatchObject({ transferred: 0, skipped: 6, failed: [] });
  });

  it("resumes an interrupted fetch without downloading again what already arrived", async () => {
    const { cache, objects } = await cacheWithDirectory(8);
    await pushObjects({ cache }, remote, objects);
    const fresh = new ObjectCache(join(root, "fresh-cache"));
    store.failReadsAfter = 5;
    const first = await fetchObjects({ cache: fresh }, remote, objects, { jobs: 1 });
    expect(first.transferred).toBe(5);
    expect(first.failed).toHaveLength(4);

    store.reads = 0;
    store.failReadsAfter = Infinity;
    const second = await fetchObjects({ cache: fresh }, remote, objects);
    expect(second).toMatchObject({ transferred: 4, skipped: 5, failed: [] });
    expect(store.reads).toBe(4);
  });

  it("reports a corrupt remote object by oid and path and never puts it in the cache", async () => {
    const { cache, objects, fileOids } = await cacheWithDirectory(3);
    await pushObjects({ cache }, remote, objects);
    const bad = fileOids[2] as Oid;
    writeFileSync(join(remoteDir, objectKey(bad)), "tampered\n");
    const fresh = new ObjectCache(join(root, "fresh-cache"));
    const result = await fetchObjects({ cache: fresh }, remote, objects);
    expect(result.failed).toEqual([
      { oid: bad, path: "data/f2", reason: expect.stringMatching(/corrupt on remote 'storage'/) as string },
    ]);
    expect(result.transferred).toBe(3);
    expect(await fresh.has(bad)).toBe(false);
    const leftovers = readdirSync(dirname(fresh.objectPath(bad))).filter((name) => name.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });

  it("reports objects missing from the remote", async () => {
    const { objects } = await cacheWithDirectory(2);
    const fresh = new ObjectCache(join(root, "fresh-cache"));
    const result = await fetchObjects({ cache: fresh }, remote, objects);
    expect(result.transferred).toBe(0);
    expect(result.failed.map((f) => f.reason)).toEqual(Array(3).fill("is missing from remote 'storage'"));
  });

  it("reads objects a DVC 2 remote keeps in the legacy layout", async () => {
    const oid = md5("legacy\n");
    mkdirSync(dirname(join(remoteDir, legacyObjectKey(oid))), { recursive: true });
    writeFileSync(join(remoteDir, legacyObjectKey(oid)), "legacy\n");
    const fresh = new ObjectCache(join(root, "fresh-cache"));
    const result = await fetchObjects(
      { cache: fresh },
      remote,
      new Map([[oid, { path: "old", dvcFile: "old.dvc" }]]),
    );
    expect(result).toMatchObject({ transferred: 1, failed: [] });
    expect(await fresh.verify(oid)).toBe(true);
  });
});

describe("remote existence checks", () => {
  it("stats each object when few are asked of a large remote, and lists prefixes otherwise", () => {
    expect(existenceCheck(1, 0)).toBe("stat");
    expect(existenceCheck(50, 0)).toBe("list");
    // 4,000 objects under 00/ suggest ~1M objects: listing would take ~5,000 weighted pages.
    expect(existenceCheck(50, 4000)).toBe("stat");
    expect(existenceCheck(10_000, 4000)).toBe("list");
  });

  it("lists only the fan-out prefixes the objects fall in", async () => {
    const { cache, objects } = await cacheWithDirectory(3);
    await pushObjects({ cache }, remote, objects);
    store.lists = 0;
    store.stats = 0;
    const oids = [...objects.keys()];
    const found = await remoteHas(remote, [...oids, md5("absent")]);
    expect([...found].sort()).toEqual([...oids].sort());
    expect(store.stats).toBe(0);
    const prefixes = new Set([...oids, md5("absent")].map((oid) => oid.slice(0, 2)));
    expect(store.lists).toBe(prefixes.size + (prefixes.has("00") ? 0 : 1));
  });
});
