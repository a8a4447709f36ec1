/**
 * A Parquet file as hyparquet's AsyncBuffer over one open file handle: each byte range is one positioned read
 * into a buffer of exactly its size. hyparquet's own `asyncBufferFromFile` opens a read stream per range and
 * joins its 64 KiB pieces, which for a batch prediction (a range per column chunk per window) was most of the
 * reading time spent outside decoding. The handle stays open until `close`.
 */

import { open, type FileHandle } from "node:fs/promises";

import type { AsyncBuffer } from "hyparquet";

export interface FileByteRanges extends AsyncBuffer {
  close(): Promise<void>;
}

export async function openFileByteRanges(path: string): Promise<FileByteRanges> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    return {
      byteLength: size,
      slice: (start, end) => readRange(handle, path, start, Math.min(end ?? size, size)),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readRange(handle: FileHandle, path: string, start: number, end: number): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(Math.max(0, end - start));
  let filled = 0;
  while (filled < bytes.length) {
    const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
    if (bytesRead === 0) throw new Error(`${path} ended at byte ${start + filled}, before byte ${end}`);
    filled += bytesRead;
  }
  return bytes.buffer;
}
