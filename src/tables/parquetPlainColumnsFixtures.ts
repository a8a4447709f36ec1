/**
 * Set-up shared by the Parquet plain-column tests: a temp directory per test file, writers for files as
 * hyparquet and as pyarrow (version 1 pages) lay them out, and readers that fetch through the fast path, the
 * table reader, or hyparquet alone. Test-only; nothing in the product imports it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata, parquetReadObjects, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { ByteWriter, parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { afterAll, beforeAll, expect } from "vitest";

import { hasTypedColumns } from "./columnarTableChunk.js";
import { openTable } from "./openTable.js";
import type { PlainPiece } from "./parquetPlainColumns.js";
import { snappyDecompress } from "./snappyDecompress.js";
import type { CellValue } from "./tableChunk.js";

let dir: string;

/** Makes the temp directory the calling file's Parquet files go into before its tests, removing it after. */
export function useScratchDirectory(): void {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-plain-columns-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}

/** `name` inside the calling file's temp directory. */
export const scratchPath = (name: string): string => join(dir, name);

/** Deterministic values with fractions, negatives and repeats. */
export function doubles(length: number, seed: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => Math.sin(i * 12.9898 + seed) * 1000);
}

export interface ReadFile {
  file: AsyncBuffer;
  metadata: FileMetaData;
  /** Bytes fetched so far. */
  fetched: () => number;
}

export async function openBytes(path: string): Promise<ReadFile> {
  const bytes = await readFile(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  let fetched = 0;
  const file: AsyncBuffer = {
    byteLength: buffer.byteLength,
    slice: (start, end) => {
      const slice = buffer.slice(start, end);
      fetched += slice.byteLength;
      return slice;
    },
  };
  return { file, metadata: parquetMetadata(buffer), fetched: () => fetched };
}

/** The column's rows [from, to) joined from the fast path's pieces, checking they tile the range. */
export function joined(pieces: readonly PlainPiece[] | undefined, from: number, to: number): number[] {
  expect(pieces).toBeDefined();
  const values: number[] = [];
  let next = from;
  for (const piece of pieces ?? []) {
    expect(piece.rowStart).toBe(next);
    for (const value of piece.values) values.push(Number(value));
    next += piece.values.length;
  }
  expect(next).toBe(to);
  return values;
}

/** Every column's cells and whether each chunk held it as a typed array, read through the table reader. */
export async function readCells(
  path: string,
  options: { chunkRows?: number; columns?: string[] } = {},
): Promise<{ cells: Record<string, CellValue[]>; typed: Record<string, boolean[]> }> {
  const cells: Record<string, CellValue[]> = {};
  const typed: Record<string, boolean[]> = {};
  for await (const chunk of openTable(path, options).chunks()) {
    for (const name of options.columns ?? chunk.columns) {
      (cells[name] ??= []).push(...chunk.column(name));
      (typed[name] ??= []).push(hasTypedColumns(chunk) && chunk.typedColumn(name) !== undefined);
    }
  }
  return { cells, typed };
}

/** The cells the reader made of hyparquet's own values before the fast path existed. */
export async function hyparquetCells(path: string, name: string): Promise<CellValue[]> {
  const bytes = await readFile(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const rows = (await parquetReadObjects({
    file,
    columns: [name],
    compressors: { SNAPPY: snappyDecompress },
  })) as Record<string, unknown>[];
  return rows.map(({ [name]: value }) => {
    if (typeof value === "bigint")
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value === undefined ? null : (value as CellValue);
  });
}

export async function writeHyparquet(
  name: string,
  columnData: ColumnSource[],
  options: {
    codec?: "SNAPPY" | "UNCOMPRESSED";
    rowGroupSize?: number;
    pageSize?: number;
    statistics?: boolean;
  },
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, new Uint8Array(parquetWriteBuffer({ columnData, ...options })));
  return path;
}

export interface V1Page {
  /** Rows as dictionary indices (RLE_DICTIONARY) or values (PLAIN). */
  indices?: number[];
  values?: Float64Array;
  /** Rows of the page that are null (their values are left out of `indices`). */
  nulls?: number[];
  /** Bytes of values to leave out, making the page malformed. */
  cut?: number;
  /** Bytes stored as the definition levels' runs instead of those of `nulls`, making them malformed. */
  levels?: number[];
  /** Bytes stored as the index runs after the bit width instead of those of `indices`, making them malformed. */
  runs?: number[];
}

/**
 * One DOUBLE column (or several alike, one after another: `columns`) in one row group as pyarrow writes it by
 * default: DATA_PAGE (version 1) pages, each compressed whole, a PLAIN dictionary page first,
 * dictionary-encoded pages, then PLAIN pages once the dictionary was given up.
 */
export async function writeV1File(
  name: string,
  options: {
    optional: boolean;
    codec: "SNAPPY" | "UNCOMPRESSED";
    dictionary: Float64Array;
    pages: V1Page[];
    columns?: string[];
  },
): Promise<string> {
  const out = new ByteWriter();
  out.appendUint32(0x31524150);
  const names = options.columns ?? ["x"];
  const chunks = names.map((name) => ({ name, ...writeV1Chunk(out, options) }));
  writeMetadata(out, {
    version: 1,
    schema: [
      { name: "schema", num_children: names.length },
      ...names.map((name) => ({
        name,
        type: "DOUBLE" as const,
        repetition_type: options.optional ? ("OPTIONAL" as const) : ("REQUIRED" as const),
      })),
    ],
    num_rows: BigInt(chunks[0]?.rows ?? 0),
    row_groups: [
      {
        columns: chunks.map((chunk) => ({
          file_offset: BigInt(chunk.chunkStart),
          meta_data: {
            type: "DOUBLE" as const,
            encodings: ["PLAIN" as const, "RLE" as const, "RLE_DICTIONARY" as const],
            path_in_schema: [chunk.name],
            codec: options.codec,
            num_values: BigInt(chunk.rows),
            total_uncompressed_size: chunk.chunkSize,
            total_compressed_size: chunk.chunkSize,
            data_page_offset: BigInt(chunk.dataPageOffset),
            dictionary_page_offset: BigInt(chunk.chunkStart),
          },
        })),
        total_byte_size: chunks.reduce((sum, chunk) => sum + chunk.chunkSize, 0n),
        num_rows: BigInt(chunks[0]?.rows ?? 0),
      },
    ],
    metadata_length: 0,
  });
  out.appendUint32(0x31524150);
  const path = join(dir, name);
  await writeFile(path, new Uint8Array(out.getBuffer()));
  return path;
}

function writeV1Chunk(
  out: ByteWriter,
  options: { optional: boolean; codec: "SNAPPY" | "UNCOMPRESSED"; dictionary: Float64Array; pages: V1Page[] },
): { chunkStart: number; dataPageOffset: number; rows: number; chunkSize: bigint } {
  const chunkStart = out.offset;
  const compress = (bytes: Uint8Array): Uint8Array =>
    options.codec === "SNAPPY" ? snappyCompress(bytes) : bytes;
  const dictionaryBytes = new Uint8Array(options.dictionary.buffer);
  const dictionaryBody = compress(dictionaryBytes);
  writePageHeader(out, {
    type: "DICTIONARY_PAGE",
    uncompressed_page_size: dictionaryBytes.length,
    compressed_page_size: dictionaryBody.length,
    dictionary_page_header: { num_values: options.dictionary.length, encoding: "PLAIN" },
  });
  out.appendBytes(dictionaryBody);
  const dataPageOffset = out.offset;
  let rows = 0;
  for (const page of options.pages) {
    const nulls = page.nulls ?? [];
    const count = (page.indices?.length ?? page.values?.length ?? 0) + nulls.length;
    const body = new ByteWriter();
    if (options.optional) {
      const levels = new ByteWriter();
      const present = new Array<number>(count).fill(1);
      for (const row of nulls) present[row] = 0;
      if (page.levels === undefined) writeRleBitPackedHybrid(levels, present, 1);
      else levels.appendBytes(Uint8Array.from(page.levels));
      body.appendUint32(levels.offset);
      body.appendBytes(new Uint8Array(levels.getBuffer()));
    }
    if (page.indices !== undefined) {
      const bitWidth = 32 - Math.clz32(options.dictionary.length - 1);
      body.appendUint8(bitWidth);
      if (page.runs === undefined) writeRleBitPackedHybrid(body, page.indices, bitWidth);
      else body.appendBytes(Uint8Array.from(page.runs));
    } else {
      const { buffer, byteOffset, byteLength } = page.values as Float64Array;
      const values = new Uint8Array(buffer, byteOffset, byteLength);
      body.appendBytes(values.subarray(0, values.length - (page.cut ?? 0)));
    }
    const uncompressed = new Uint8Array(body.getBuffer());
    const compressed = compress(uncompressed);
    writePageHeader(out, {
      type: "DATA_PAGE",
      uncompressed_page_size: uncompressed.length,
      compressed_page_size: compressed.length,
      data_page_header: {
        num_values: count,
        encoding: page.indices !== undefined ? "RLE_DICTIONARY" : "PLAIN",
        definition_level_encoding: "RLE",
        repetition_level_encoding: "RLE",
      },
    });
    out.appendBytes(compressed);
    rows += count;
  }
  return { chunkStart, dataPageOffset, rows, chunkSize: BigInt(out.offset - chunkStart) };
}
