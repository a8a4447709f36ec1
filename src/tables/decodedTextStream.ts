/**
 * Streams a text file as decoded UTF-8 strings, 1 MiB of bytes at a time, for the line-oriented readers (CSV,
 * TSV, JSON Lines). Decoding is strict (`fatal: true`): a byte sequence that is not UTF-8 stops the read with
 * `InvalidUtf8Error`, which says how many line breaks precede the bad byte within its 1 MiB block, so the reader
 * (which knows how many lines it has consumed) can name the line. A leading UTF-8 byte order mark is dropped.
 */

import { createReadStream } from "node:fs";

import { FlowOpsError } from "../errors.js";

export const READ_BLOCK_BYTES = 1 << 20;

export class InvalidUtf8Error extends Error {
  constructor(
    /** Line feeds in the undecoded block before the first invalid byte. */
    readonly newlinesBefore: number,
  ) {
    super("invalid UTF-8");
  }
}

export async function* decodedTextStream(path: string): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const stream = createReadStream(path, { highWaterMark: READ_BLOCK_BYTES });
  try {
    for await (const block of stream as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(block, { stream: true });
      } catch {
        throw new InvalidUtf8Error(countLineFeeds(block, firstInvalidUtf8Offset(block)));
      }
      if (text.length > 0) yield text;
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      // A multi-byte sequence cut off by the end of the file: it sits on the last line read.
      throw new InvalidUtf8Error(0);
    }
    if (tail.length > 0) yield tail;
  } catch (error) {
    throw fileReadError(path, error);
  } finally {
    stream.destroy();
  }
}

function fileReadError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT")
    return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `table file ${path} does not exist`);
  if (code === "EISDIR")
    return new FlowOpsError("INVALID_PARAMETER_VALUE", `${path} is a directory, not a table file`);
  return error;
}

function countLineFeeds(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < end; i = bytes.indexOf(10, i + 1)) count++;
  return count;
}

/**
 * Offset of the first byte that cannot start or continue a UTF-8 sequence. Continuation bytes at the very start
 * belong to a sequence begun in the previous block and are skipped; a sequence cut off by the end of the block
 * is not an error here (the next block completes it).
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    let length: number;
    if (lead < 0x80) length = 1;
    else if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) length = 3;
    else if (lead >= 0xf0 && lead <= 0xf4) length = 4;
    else return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return bytes.length;
      const next = bytes[i + k] ?? 0;
      if ((next & 0xc0) !== 0x80) return i;
      // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are invalid at the second byte.
      if (k === 1 && !secondByteAllowed(lead, next)) return i;
    }
    i += length;
  }
  return bytes.length;
}

function secondByteAllowed(lead: number, second: number): boolean {
  if (lead === 0xe0) return second >= 0xa0;
  if (lead === 0xed) return second < 0xa0;
  if (lead === 0xf0) return second >= 0x90;
  if (lead === 0xf4) return second < 0x90;
  return true;
}
