import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lookUpArtifactFile, type ArtifactFile } from "./artifactFile.js";
import type { ArtifactStore, RangedReadStore } from "./store.js";

const BYTES = Buffer.from("0123456789");

/** A remote-like store holding one file, `f.txt`; `ranged` adds readRange. */
function remoteStore(ranged: boolean): ArtifactStore & { calls: string[] } {
  const calls: string[] = [];
  const store: ArtifactStore & { calls: string[] } = {
    rootUri: "s3://bucket/root",
    calls,
    write: async () => undefined,
    read: async () => {
      calls.push("read");
      return Readable.from([BYTES.subarray(0, 4), BYTES.subarray(4)]);
    },
    list: async () => [],
    stat: async (path) => (path === "f.txt" ? { is_dir: false, file_size: BYTES.length } : undefined),
    delete: async () => undefined,
  };
  if (!ranged) return store;
  const withRange: RangedReadStore & { calls: string[] } = {
    ...store,
    readRange: async (_path, start, end) => {
      calls.push(`range ${start}-${end}`);
      return Readable.from([BYTES.subarray(start, end)]);
    },
  };
  return withRange;
}

async function fileOf(store: ArtifactStore): Promise<ArtifactFile> {
  const found = await lookUpArtifactFile(store, "f.txt");
  if (found.kind !== "file") throw new Error("expected a file");
  return found.file;
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("a remote store's file", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("asks a store that reads ranges for the range alone, and for the whole file with read()", async () => {
    const store = remoteStore(true);
    const file = await fileOf(store);
    expect(await text(await file.open(3, 7))).toBe("3456");
    expect(await text(await file.open(8, 50))).toBe("89");
    expect(await text(await file.open())).toBe("0123456789");
    expect(await text(await file.open(5, 5))).toBe("");
    expect(store.calls).toEqual(["range 3-7", "range 8-10", "read"]);
  });

  it("cuts the range from the whole stream of a store that cannot read ranges", async () => {
    const store = remoteStore(false);
    expect(await text(await (await fileOf(store)).open(3, 7))).toBe("3456");
    expect(store.calls).toEqual(["read"]);
  });

  it("is dated now to st_mtime's sub-millisecond precision, as MLflow's temporary copy is", async () => {
    vi.spyOn(performance, "now").mockReturnValue(123.456789);
    const file = await fileOf(remoteStore(true));
    const expected = Math.round((performance.timeOrigin + 123.456789) * 1000) / 1e6;
    expect(file.mtime).toBeCloseTo(expected, 5);
    expect(file.local).toBe(false);
  });
});
