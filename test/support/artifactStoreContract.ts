/**
 * The behaviour every ArtifactStore must have, written once and run against each backend (local disk,
 * S3 through moto). Backend-specific guarantees (symlinks on disk) live in that backend's own tests.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isArtifactChanged, supportsRangedRead, type ArtifactStore } from "../../src/artifacts/store.js";

export interface ArtifactStoreFixture {
  store: ArtifactStore;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** `size` pseudo-random bytes produced chunk by chunk, so the test never holds the file either. */
export function generatedBytes(size: number, seed = 1): Readable {
  let produced = 0;
  let state = seed;
  return new Readable({
    read() {
      if (produced >= size) return void this.push(null);
      const chunk = Buffer.alloc(Math.min(CHUNK, size - produced));
      for (let i = 0; i < chunk.length; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        chunk[i] = state >>> 24;
      }
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

/** A body that sends `before` bytes and then fails, like a client that disconnects mid-upload. */
export function failingBody(before: number): Readable {
  const source = generatedBytes(before);
  return Readable.from(
    (async function* () {
      for await (const chunk of source) yield chunk as Buffer;
      throw new Error("client went away");
    })(),
  );
}

export async function sha256Of(stream: Readable): Promise<{ hash: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash: hash.digest("hex"), size };
}

export async function readText(store: ArtifactStore, path: string): Promise<string> {
  return streamText(await store.read(path));
}

async function streamText(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export function runArtifactStoreContract(name: string, create: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore contract on ${name}`, () => {
    let fixture: ArtifactStoreFixture;
    let store: ArtifactStore;
    const put = (path: string, text: string) => store.write(path, Readable.from([Buffer.from(text)]));

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it("streams a multi-MiB file in and out unchanged", async () => {
      const size = 12 * MiB + 123;
      const expected = await sha256Of(generatedBytes(size, 7));
      await store.write("big/model.bin", generatedBytes(size, 7));
      expect(await sha256Of(await store.read("big/model.bin"))).toEqual(expected);
      expect(await store.stat("big/model.bin")).toMatchObject({ is_dir: false, file_size: size });
    });

    it("lists direct children with root-relative paths and no size for directories", async () => {
      await put("a.txt", "a");
      await put("dir/b.txt", "bb");
      await put("dir/sub/c.txt", "ccc");
      expect(await store.list("")).toEqual([
        { path: "a.txt", is_dir: false, file_size: 1 },
        { path: "dir", is_dir: true },
      ]);
      expect(await store.list("dir")).toEqual([
        { path: "dir/b.txt", is_dir: false, file_size: 2 },
        { path: "dir/sub", is_dir: true },
      ]);
      expect(await store.list("dir/sub/")).toEqual([{ path: "dir/sub/c.txt", is_dir: false, file_size: 3 }]);
    });

    it("lists a file or a missing directory as empty", async () => {
      await put("a.txt", "a");
      expect(await store.list("a.txt")).toEqual([]);
      expect(await store.list("nowhere")).toEqual([]);
    });

    it("replaces an existing file on write", async () => {
      await put("f.txt", "first version");
      await put("f.txt", "second");
      expect(await readText(store, "f.txt")).toBe("second");
    });

    it("deletes a directory with everything below it and leaves siblings sharing its prefix", async () => {
      await put("dir/a.txt", "a");
      await put("dir/sub/b.txt", "b");
      await put("dir2/c.txt", "c");
      await put("dir.txt", "d");
      await store.delete("dir");
      expect(await store.stat("dir")).toBeUndefined();
      expect((await store.list("")).map((entry) => entry.path)).toEqual(["dir.txt", "dir2"]);
    });

    it("deletes a single file and treats deleting a missing path as done", async () => {
      await put("keep.txt", "k");
      await put("gone.txt", "g");
      await store.delete("gone.txt");
      await store.delete("never-there/x.txt");
      expect((await store.list("")).map((entry) => entry.path)).toEqual(["keep.txt"]);
    });

    it("reports a missing file or a directory read as RESOURCE_DOES_NOT_EXIST", async () => {
      await put("dir/a.txt", "a");
      await expect(store.read("missing.txt")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
      await expect(store.read("dir")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
      await expect(store.read("dir/a.txt/more")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    });

    it("tells files, directories and missing paths apart with stat", async () => {
      await put("dir/a.txt", "abc");
      expect(await store.stat("dir")).toEqual({ is_dir: true });
      expect(await store.stat("dir/a.txt")).toMatchObject({ is_dir: false, file_size: 3 });
      expect(await store.stat("dir/none")).toBeUndefined();
    });

    it("reads a range of the content a stat's etag names, and refuses it once the file is replaced", async () => {
      if (!supportsRangedRead(store)) return;
      await put("tagged.txt", "0123456789");
      const before = await store.stat("tagged.txt");
      const etag = before?.is_dir === false ? before.etag : undefined;
      expect(await streamText(await store.readRange("tagged.txt", 2, 5, etag))).toBe("234");
      if (etag === undefined) return;
      await put("tagged.txt", "abcdefghij");
      const refused = store.readRange("tagged.txt", 2, 5, etag);
      await expect(refused).rejects.toMatchObject({ code: "ABORTED" });
      expect(isArtifactChanged(await refused.catch((error: unknown) => error))).toBe(true);
    });

    it.each(["../x", "a/../../x", "..%2fx", "%252e%252e/x", "a\\..\\x", "/etc/passwd", "a\u0000b", "C:/x"])(
      "refuses the path %j that could leave the root",
      async (path) => {
        const invalid = { code: "INVALID_PARAMETER_VALUE" };
        await expect(store.write(path, Readable.from([Buffer.from("x")]))).rejects.toMatchObject(invalid);
        await expect(store.read(path)).rejects.toMatchObject(invalid);
        await expect(store.list(path)).rejects.toMatchObject(invalid);
        await expect(store.delete(path)).rejects.toMatchObject(invalid);
      },
    );

    it("leaves no partial file when the body fails mid-upload", async () => {
      await expect(store.write("partial/small.bin", failingBody(300 * 1024))).rejects.toThrow();
      await expect(store.write("partial/large.bin", failingBody(10 * MiB))).rejects.toThrow();
      expect(await store.stat("partial/small.bin")).toBeUndefined();
      expect(await store.stat("partial/large.bin")).toBeUndefined();
      expect(await store.list("partial")).toEqual([]);
    });

    it("keeps the previous content when a replacing write fails", async () => {
      await put("model.txt", "good");
      await expect(store.write("model.txt", failingBody(1024))).rejects.toThrow();
      expect(await readText(store, "model.txt")).toBe("good");
    });
  });
}
