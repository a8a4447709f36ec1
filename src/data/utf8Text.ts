/**
 * Strict UTF-8 reading for the files DVC and FlowOps share (`.dvc`, `dvc.yaml`, `dvc.lock`, params,
 * `.dvc/config`, `.dvcignore`). Node's "utf8" decoding silently turns a bad byte into U+FFFD, so a damaged
 * `path:` in a `.dvc` file named a different file, which checkout then created. dvc refuses such a file
 * ("unable to read: ..., is not valid utf-8"); so do we, naming the file, line and byte offset. It must not
 * change how a missing or unreadable file fails: those errors pass through unchanged for the caller.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { FlowOpsError } from "../errors.js";

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads `path` as UTF-8; invalid bytes are a FlowOpsError naming the file and line. */
export async function readUtf8File(path: string): Promise<string> {
  return decodeUtf8(path, await readFile(path));
}

/** As readUtf8File, for the synchronous callers (nested `.dvcignore` files found while walking). */
export function readUtf8FileSync(path: string): string {
  return decodeUtf8(path, readFileSync(path));
}

/** Decodes `bytes` read from `path`; a leading BOM is kept, as Node's "utf8" decoding keeps it. */
export function decodeUtf8(path: string, bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw invalidUtf8(path, bytes);
  }
}

function invalidUtf8(path: string, bytes: Uint8Array): FlowOpsError {
  const offset = firstInvalidOffset(bytes);
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  const byte = (bytes[offset] ?? 0).toString(16).padStart(2, "0");
  // The `file:line: message` shape of yamlFile.ts's malformedFile, which imports this module.
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${path}:${line}: not valid UTF-8 (byte 0x${byte} at offset ${offset})`,
  );
}

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidOffset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

/** The length of the well-formed sequence at `i` (RFC 3629 table 3-7), 0 when it is not well formed. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  if (b0 < 0x80) return 1;
  const ranges: [number, number][] =
    b0 >= 0xc2 && b0 <= 0xdf
      ? [[0x80, 0xbf]]
      : b0 === 0xe0
        ? [
            [0xa0, 0xbf],
            [0x80, 0xbf],
          ]
        : b0 === 0xed
          ? [
              [0x80, 0x9f],
              [0x80, 0xbf],
            ]
          : b0 >= 0xe1 && b0 <= 0xef
            ? [
                [0x80, 0xbf],
                [0x80, 0xbf],
              ]
            : b0 === 0xf0
              ? [
                  [0x90, 0xbf],
                  [0x80, 0xbf],
                  [0x80, 0xbf],
                ]
              : b0 >= 0xf1 && b0 <= 0xf3
                ? [
                    [0x80, 0xbf],
                    [0x80, 0xbf],
                    [0x80, 0xbf],
                  ]
                : b0 === 0xf4
                  ? [
                      [0x80, 0x8f],
                      [0x80, 0xbf],
                      [0x80, 0xbf],
                    ]
                  : [];
  if (ranges.length === 0) return 0;
  for (const [k, [low, high]] of ranges.entries()) {
    const b = bytes[i + 1 + k];
    if (b === undefined || b < low || b > high) return 0;
  }
  return ranges.length + 1;
}
