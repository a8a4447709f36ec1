/**
 * What hyparquet reads from a data page's uncompressed bytes by run counts it trusts, checked before it reads
 * them: the level runs of a version 1 page, and the runs of values stored RLE or dictionary-encoded (a bit
 * width byte, or a 4-byte length for RLE booleans, then RLE / bit-packed hybrid runs). hyparquet writes each
 * run's count into a plain Array sized by the page's value count, so one damaged run header grows it towards
 * 2^31 entries; and a dictionary index past the dictionary's end becomes an undefined value, a wrong row.
 * So every run must stay within the values left (num_values, less the nulls the definition levels count), and
 * every dictionary index within the dictionary. Runs are walked, not decoded, but for counting nulls in
 * bit-packed levels and bounding bit-packed indices.
 *
 * It must not decompress or locate pages: parquetColumnChunkCheck.ts gives it bytes as they are stored, the
 * decompressor hook of parquetCheckedChunks.ts the bytes hyparquet decompressed.
 */

import type { Encoding } from "hyparquet";

import {
  checkRleBitPackedHybridRuns,
  countRleBitPackedHybridValue,
  largestRleBitPackedHybridValue,
} from "./rleBitPackedHybrid.js";

/** What a column's pages hold, as far as reading their runs needs. */
export interface PageColumn {
  maxDefinitionLevel: number;
  maxRepetitionLevel: number;
  /** hyparquet reads RLE values of a BOOLEAN column as length-prefixed 1-bit runs, of any other as indices. */
  boolean: boolean;
}

/** The section of a page that holds its values, as hyparquet reads them. */
export interface ValuesSection {
  version: 1 | 2;
  encoding: Encoding;
  /** Values stored (num_values less the nulls). */
  count: number;
  /** Entries of the dictionary in effect (undefined when the chunk has none: hyparquet then yields indices). */
  dictionarySize: number | undefined;
}

/** What is wrong with the version 1 page `bytes[start, end)` of `numValues` values, or undefined. */
export function dataPageV1Problem(
  bytes: Uint8Array,
  start: number,
  end: number,
  numValues: number,
  encoding: Encoding,
  column: PageColumn,
  dictionarySize: number | undefined,
): string | undefined {
  // Each level section of a version 1 page starts with its byte length (4 bytes, little-endian).
  let pos = start;
  let nulls = 0;
  for (const kind of ["repetition", "definition"] as const) {
    const maxLevel = kind === "repetition" ? column.maxRepetitionLevel : column.maxDefinitionLevel;
    if (maxLevel === 0) continue;
    if (pos + 4 > end) return `the page ends before its ${kind} levels`;
    const length = readUint32(bytes, pos);
    const levelsEnd = pos + 4 + length;
    const problem = levelsProblem(kind, bytes, pos + 4, levelsEnd, maxLevel, numValues, end);
    if (problem !== undefined) return problem;
    // Only values stored as runs need their count; PLAIN ones hyparquet reads within the page's bytes.
    if (kind === "definition" && hasRunValues(encoding)) {
      const width = bitWidth(maxLevel);
      nulls = numValues - countRleBitPackedHybridValue(bytes, pos + 4, levelsEnd, width, numValues, maxLevel);
    }
    pos = levelsEnd;
  }
  return valuesProblem(
    bytes,
    pos,
    end,
    {
      version: 1,
      encoding,
      count: numValues - nulls,
      dictionarySize,
    },
    column,
  );
}

/** What is wrong with the `count` level runs in `bytes[start, end)`, which must end by `pageEnd`. */
export function levelsProblem(
  kind: "repetition" | "definition",
  bytes: Uint8Array,
  start: number,
  end: number,
  maxLevel: number,
  count: number,
  pageEnd = end,
): string | undefined {
  if (maxLevel === 0) return undefined;
  if (end > pageEnd) return `${kind} levels of ${end - start} bytes run past the page`;
  return runsProblem(`${kind} levels`, bytes, start, end, bitWidth(maxLevel), count);
}

/**
 * What is wrong with the values section `bytes[start, end)`, or undefined; values of other encodings than RLE
 * and dictionary are left to hyparquet, which reads them within the section's bytes.
 */
export function valuesProblem(
  bytes: Uint8Array,
  start: number,
  end: number,
  section: ValuesSection,
  column: PageColumn,
): string | undefined {
  const { version, encoding, count, dictionarySize } = section;
  if (!hasRunValues(encoding) || count === 0) return undefined;
  if (encoding === "RLE" && (version === 2 || column.boolean)) {
    if (start + 4 > end) return `the page ends before its RLE values`;
    const runsEnd = start + 4 + readUint32(bytes, start);
    if (runsEnd > end) return `RLE values of ${runsEnd - start - 4} bytes run past the page`;
    return runsProblem("RLE values", bytes, start + 4, runsEnd, 1, count);
  }
  const name = encoding === "RLE" ? "RLE values" : "dictionary indices";
  if (start >= end) return `the page ends before its ${name}' bit width`;
  const width = bytes[start] as number;
  if (width > 32) return `${name} have a bit width of ${width}`;
  // A version 1 page of width 0 holds no runs: hyparquet takes every index for 0 without reading on.
  const runs = version === 2 || width > 0;
  if (runs) {
    const problem = runsProblem(name, bytes, start + 1, end, width, count);
    if (problem !== undefined) return problem;
  }
  if (dictionarySize === undefined || encoding === "RLE" || 2 ** width <= dictionarySize) return undefined;
  const largest = runs && width > 0 ? largestRleBitPackedHybridValue(bytes, start + 1, end, width, count) : 0;
  return largest < dictionarySize
    ? undefined
    : `dictionary index ${largest} is outside the dictionary's ${dictionarySize} values`;
}

function runsProblem(
  name: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  width: number,
  count: number,
): string | undefined {
  try {
    checkRleBitPackedHybridRuns(bytes, start, end, width, count);
    return undefined;
  } catch (error) {
    return `${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function hasRunValues(encoding: Encoding): boolean {
  return encoding === "RLE" || encoding === "RLE_DICTIONARY" || encoding === "PLAIN_DICTIONARY";
}

function bitWidth(maxLevel: number): number {
  return 32 - Math.clz32(maxLevel);
}

function readUint32(bytes: Uint8Array, pos: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
}
