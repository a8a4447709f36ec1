/**
 * Streams a text file as blocks of whole lines of bytes, about 1 MiB at a time, for a reader that looks at the
 * bytes and decodes only what it keeps (the JSON Lines reader: a line of numbers needs no decoding at all). Each
 * block ends after a line feed, except the file's last; a line longer than a block is carried into the next one
 * whole. A leading UTF-8 byte order mark is dropped. Nothing here checks the encoding: `decodeLine` decodes a
 * line strictly, and a reader that reads a line's bytes itself must decode what it keeps strictly too.
 * decodedTextStream.ts is the decoded counterpart, for the CSV readers.
 */

import { isAscii } from "node:buffer";
import { createReadStream } from "node:fs";

import { READ_BLOCK_BYTES, fileReadError } from "./decodedTextStream.js";

const LF = 10;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export async function* lineBytesBlocks(path: string): AsyncGenerator<Buffer, void, undefined> {
  const stream = createReadStream(path, { highWaterMark: READ_BLOCK_BYTES });
  let tail: Buffer = Buffer.alloc(0);
  let atStart = true;
  try {
    for await (const block of stream as AsyncIterable<Buffer>) {
      let bytes = tail.length === 0 ? block : Buffer.concat([tail, block]);
      if (atStart) {
        // The mark is looked for once, in the file's first three bytes.
        if (bytes.length < BYTE_ORDER_MARK.length) {
          tail = bytes;
          continue;
        }
        if (BYTE_ORDER_MARK.every((byte, i) => bytes[i] === byte))
          bytes = bytes.subarray(BYTE_ORDER_MARK.length);
        atStart = false;
      }
      const cut = bytes.lastIndexOf(LF) + 1;
      if (cut === 0) {
        tail = bytes;
        continue;
      }
      // The rest is copied: the block it lies in can then go as soon as its lines are read.
      tail = Buffer.from(bytes.subarray(cut));
      yield bytes.subarray(0, cut);
    }
    if (tail.length > 0) yield tail;
  } catch (error) {
    throw fileReadError(path, error);
  } finally {
    stream.destroy();
  }
}

/** The line `bytes[start, end)` as text, or undefined when it is not UTF-8. */
export function decodeLine(bytes: Buffer, start: number, end: number): string | undefined {
  const line = bytes.subarray(start, end);
  // ASCII reads the same as Latin-1, whose decoding is a copy.
  if (isAscii(line)) return line.toString("latin1");
  try {
    return strictUtf8.decode(line);
  } catch {
    return undefined;
  }
}
