/**
 * One artifact file opened for a download answer: its size and time (the validators are built from them),
 * and byte ranges of it on demand. A local store's file is read in place, ranges by seeking; a store that
 * reads ranges itself (S3) is asked for just the range; any other store's file is streamed from its start
 * and cut to the range. Nothing is ever buffered whole. MLflow downloads a remote file to a temporary one
 * first, which is why its tags and times there are the download's.
 */
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { notFound } from "../errors.js";
import { pythonMtime } from "./fileValidators.js";
import { isArtifactChanged, supportsLocalPaths, supportsRangedRead, type ArtifactStore } from "./store.js";

export interface ArtifactFile {
  size: number;
  /** Seconds, as Python's `st_mtime` float. */
  mtime: number;
  /** True when the bytes are a local file, which MLflow's servers answer with their file responses. */
  local: boolean;
  /** What werkzeug's tag hashes: the absolute path of a local file, else the file's URI in its store. */
  identity: string;
  /** Streams the bytes in [start, end); errors opening the file are thrown here, before any header is sent. */
  open(start?: number, end?: number): Promise<Readable>;
}

export type ArtifactLookup = { kind: "file"; file: ArtifactFile } | { kind: "directory" };

export async function lookUpArtifactFile(store: ArtifactStore, path: string): Promise<ArtifactLookup> {
  const info = await store.stat(path);
  if (info === undefined) return throwMissing(store, path);
  if (info.is_dir) return { kind: "directory" };
  if (supportsLocalPaths(store)) {
    const absolute = await store.localPath(path);
    const local = await stat(absolute, { bigint: true }).catch(() => undefined);
    if (local === undefined || !local.isFile()) return throwMissing(store, path);
    const size = Number(local.size);
    return {
      kind: "file",
      file: {
        size,
        mtime: pythonMtime(local.mtimeNs),
        local: true,
        identity: absolute,
        async open(start = 0, end = size) {
          // O_NOFOLLOW: localPath resolved every link already, so a link here appeared since.
          const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
          if (end <= start) {
            await handle.close();
            return Readable.from([]);
          }
          return handle.createReadStream({ start, end: end - 1 });
        },
      },
    };
  }
  const size = info.file_size;
  return {
    kind: "file",
    file: {
      size,
      // MLflow's tag and time here are those of the temporary copy it downloads: now, to st_mtime's precision.
      mtime: pythonMtime(wallClockNs()),
      local: false,
      identity: `${store.rootUri.replace(/\/+$/, "")}/${path}`,
      async open(start = 0, end = size) {
        if (end <= start) return Readable.from([]);
        // Even a whole read asks for the stat's content: a file replaced since would not fit the length sent.
        if (supportsRangedRead(store) && (info.etag !== undefined || start > 0 || end < size))
          return store.readRange(path, start, Math.min(end, size), info.etag);
        if (start === 0 && end >= size) return store.read(path);
        return Readable.from(sliceBytes(await store.read(path), start, end));
      },
    },
  };
}

/**
 * Runs `answer` (a look-up, then a read) again when the file was replaced between the two, so the bytes sent
 * are those of one version; after a few changes in a row the ABORTED refusal is the answer.
 */
export async function withSettledArtifact<T>(answer: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await answer();
    } catch (error) {
      if (attempt >= attempts || !isArtifactChanged(error)) throw error;
    }
  }
}

/** Now in nanoseconds, finer than Date.now()'s milliseconds (a file's st_mtime has sub-millisecond digits). */
function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** The store's own not-found error, so the message stays the one its read() gives. */
async function throwMissing(store: ArtifactStore, path: string): Promise<never> {
  const body = await store.read(path);
  // Appeared since the stat: a retry would see it, this request reports it missing.
  body.destroy();
  throw notFound(`Artifact '${path}' does not exist.`);
}

/** The bytes of `source` in [start, end); stops reading (and so releases the source) at `end`. */
async function* sliceBytes(source: Readable, start: number, end: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const from = Math.max(start - position, 0);
    const to = Math.min(end - position, chunk.length);
    if (to > from) yield chunk.subarray(from, to);
    position += chunk.length;
    if (position >= end) return;
  }
}
