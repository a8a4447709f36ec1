/**
 * Hashes many files four at a time with the SIMD MD5 of `md5LanesModule.ts`. Each of the four lanes streams
 * one file: its chunks are read straight into the module's memory (no copy between the kernel's and the
 * hash's buffers), its last chunk is padded there, and every call compresses as many blocks as the
 * shortest lane has left; a lane whose file ends takes the next file. So four small files cost about what
 * two cost with OpenSSL, one after another.
 * A file larger than `LANE_MAX_BYTES` (by the caller's size hint), or a file alone, is hashed by OpenSSL
 * instead: once the small files are done it would be the only lane working, at a quarter of the vector's
 * throughput.
 * Blocking reads, for worker threads and for a handful of files on the main thread (as `md5FileSyncStamped`).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { md5FileSyncStamped, stampOf, type StampedDigest } from "./md5File.js";
import { LANE_STATE_BYTES, MD5_INITIAL_STATE, MD5_LANES, md5LanesModuleBytes } from "./md5LanesModule.js";

/** A file's digest or why it could not be read; one unreadable file does not stop the others. */
export type HashOutcome = StampedDigest | { error: { code?: string; message: string } };

/** Files above this size hint go to OpenSSL (see the module comment). */
export const LANE_MAX_BYTES = 8 << 20;
/**
 * Each lane reads 64 KiB at a time: four lanes' chunks (256 KiB) stay in the core's L2 cache between the
 * kernel's copy and the hash, and most small files take one read plus the one that finds their end.
 */
const LANE_CHUNK_BYTES = 64 << 10;
/** A chunk plus room for its padding (at most 72 bytes), rounded to keep regions 64-byte aligned. */
const LANE_REGION_BYTES = LANE_CHUNK_BYTES + 128;
const TABLE_OFFSET = LANE_STATE_BYTES;
const REGIONS_OFFSET = 256;
const MEMORY_PAGES = Math.ceil((REGIONS_OFFSET + MD5_LANES * LANE_REGION_BYTES) / 65536);

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

interface Lane {
  /** Position in the caller's list, or -1 when the lane has no file. */
  index: number;
  path: string;
  fd: number;
  /** Bytes of the file read so far. */
  size: number;
  /** Blocks in the lane's region not yet compressed, and where they start. */
  blocks: number;
  pointer: number;
  /** The region holds the file's last chunk, padded. */
  ended: boolean;
}

type CompressBlocks = (state: number, lanes: number, blocks: number) => void;

/** The part of the WebAssembly API used here: the project's TypeScript libs (ES2023, Node) do not declare it. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let shared: Md5Lanes | undefined;

export class Md5Lanes {
  /** Undefined where the module cannot run (no WebAssembly SIMD): every file is then hashed by OpenSSL alone. */
  private readonly compress: CompressBlocks | undefined;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  /** `simd: false` hashes one file at a time with OpenSSL, as a machine without WebAssembly SIMD does. */
  constructor(options: { simd?: boolean } = {}) {
    let instance: { exports: Record<string, unknown> } | undefined;
    if (options.simd !== false) {
      try {
        instance = new wasm.Instance(new wasm.Module(md5LanesModuleBytes(MEMORY_PAGES)));
      } catch {
        // V8 compiles SIMD only on CPUs that have it (SSE4.1 on x64); such a machine keeps OpenSSL's speed.
      }
    }
    this.compress = instance?.exports.md5 as CompressBlocks | undefined;
    // The memory never grows, so these views stay valid.
    const buffer =
      (instance?.exports.memory as { buffer: ArrayBuffer } | undefined)?.buffer ?? new ArrayBuffer(0);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  /** One per thread, made on first use (compiling the module takes well under a millisecond). */
  static shared(): Md5Lanes {
    shared ??= new Md5Lanes();
    return shared;
  }

  /**
   * MD5, size and after-read stamp of each file, in input order. `sizes` are hints (a stale or missing size
   * only changes which code hashes the file); `onBytes` hears each chunk read, for progress.
   */
  hashFiles(
    paths: readonly string[],
    onBytes?: (bytes: number) => void,
    sizes?: readonly number[],
  ): HashOutcome[] {
    const outcomes = new Array<HashOutcome>(paths.length);
    const compress = this.compress;
    const queue: number[] = [];
    paths.forEach((path, index) => {
      if (compress === undefined || (sizes?.[index] ?? 0) > LANE_MAX_BYTES) {
        outcomes[index] = hashAlone(path, onBytes);
      } else {
        queue.push(index);
      }
    });
    if (compress === undefined) return outcomes;
    // One file would have a lane to itself, at a quarter of the vector's throughput: OpenSSL is faster.
    if (queue.length === 1) {
      const index = queue[0] as number;
      outcomes[index] = hashAlone(paths[index] as string, onBytes);
      return outcomes;
    }
    let next = 0;
    const lanes: Lane[] = Array.from({ length: MD5_LANES }, (_, lane) => ({
      index: -1,
      path: "",
      fd: -1,
      size: 0,
      blocks: 0,
      pointer: regionOf(lane),
      ended: false,
    }));

    const fail = (lane: Lane, error: unknown) => {
      outcomes[lane.index] = failedOutcome(error);
      if (lane.fd >= 0) closeQuietly(lane.fd);
      lane.fd = -1;
      lane.index = -1;
    };
    const start = (lane: Lane, position: number) => {
      while (next < queue.length) {
        lane.index = queue[next++]!;
        lane.path = paths[lane.index]!;
        lane.size = 0;
        this.resetState(position);
        try {
          lane.fd = openSync(lane.path, "r");
          this.fill(lane, position, onBytes);
          return;
        } catch (error) {
          fail(lane, error);
        }
      }
      lane.index = -1;
    };

    lanes.forEach(start);
    for (;;) {
      let step = Infinity;
      for (const lane of lanes) if (lane.index >= 0 && lane.blocks < step) step = lane.blocks;
      if (step === Infinity) break;
      lanes.forEach((lane, position) => {
        // An idle lane compresses whatever its region holds; its result is never read.
        if (lane.index < 0) lane.pointer = regionOf(position);
        this.view.setUint32(TABLE_OFFSET + 4 * position, lane.pointer, true);
      });
      compress(0, TABLE_OFFSET, step);
      lanes.forEach((lane, position) => {
        if (lane.index < 0) return;
        lane.blocks -= step;
        lane.pointer += step * 64;
        if (lane.blocks > 0) return;
        try {
          if (lane.ended) {
            const stamp = stampOf(fstatSync(lane.fd));
            outcomes[lane.index] = { md5: this.digest(position), size: lane.size, stamp };
            const fd = lane.fd;
            lane.fd = -1;
            closeSync(fd);
            start(lane, position);
          } else {
            this.fill(lane, position, onBytes);
          }
        } catch (error) {
          fail(lane, error);
          start(lane, position);
        }
      });
    }
    return outcomes;
  }

  /**
   * Reads the lane's next chunk into its region. A short read is the end of a regular file: the chunk is
   * padded there (0x80, zeros, the length in bits) so the lane's last blocks are ordinary blocks.
   */
  private fill(lane: Lane, position: number, onBytes?: (bytes: number) => void): void {
    const region = regionOf(position);
    const read = readSync(lane.fd, this.bytes, region, LANE_CHUNK_BYTES, null);
    lane.size += read;
    lane.pointer = region;
    if (read > 0) onBytes?.(read);
    if (read === LANE_CHUNK_BYTES) {
      lane.blocks = LANE_CHUNK_BYTES / 64;
      lane.ended = false;
      return;
    }
    const blocks = (read + 8 + 64) >>> 6;
    const end = region + blocks * 64;
    this.bytes[region + read] = 0x80;
    this.bytes.fill(0, region + read + 1, end - 8);
    const bits = lane.size * 8;
    this.view.setUint32(end - 8, bits % 2 ** 32, true);
    this.view.setUint32(end - 4, Math.floor(bits / 2 ** 32), true);
    lane.blocks = blocks;
    lane.ended = true;
  }

  private resetState(position: number): void {
    MD5_INITIAL_STATE.forEach((word, index) => this.view.setUint32(16 * index + 4 * position, word, true));
  }

  /** The lane's chaining value, a b c d little-endian: MD5's digest bytes. */
  private digest(position: number): string {
    let hex = "";
    for (let word = 0; word < 4; word++) {
      const at = 16 * word + 4 * position;
      for (let byte = 0; byte < 4; byte++) hex += HEX[this.bytes[at + byte]!]!;
    }
    return hex;
  }
}

function regionOf(position: number): number {
  return REGIONS_OFFSET + position * LANE_REGION_BYTES;
}

function hashAlone(path: string, onBytes?: (bytes: number) => void): HashOutcome {
  try {
    return md5FileSyncStamped(path, onBytes);
  } catch (error) {
    return failedOutcome(error);
  }
}

/** A read error as an outcome: its code (ENOENT, EISDIR...) and message, which cross to the pool's thread. */
export function failedOutcome(error: unknown): { error: { code?: string; message: string } } {
  const { code, message } = error as NodeJS.ErrnoException;
  return { error: { ...(code === undefined ? {} : { code }), message } };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The read error already names the file.
  }
}
