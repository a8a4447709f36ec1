import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata, parquetReadObjects, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { ByteWriter, parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { hasTypedColumns } from "./columnarTableChunk.js";
import { openTable } from "./openTable.js";
import { openTableWriter } from "./openTableWriter.js";
import { ParquetPlainColumns, type PlainPiece } from "./parquetPlainColumns.js";
import { snappyDecompress } from "./snappyDecompress.js";
import type { CellValue } from "./tableChunk.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-plain-columns-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic values with fractions, negatives and repeats. */
function doubles(length: number, seed: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => Math.sin(i * 12.9898 + seed) * 1000);
}

interface ReadFile {
  file: AsyncBuffer;
  metadata: FileMetaData;
  /** Bytes fetched so far. */
  fetched: () => number;
}

async function openBytes(path: string): Promise<ReadFile> {
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
function joined(pieces: readonly PlainPiece[] | undefined, from: number, to: number): number[] {
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
async function readCells(
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
async function hyparquetCells(path: string, name: string): Promise<CellValue[]> {
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

async function writeHyparquet(
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

interface V1Page {
  /** Rows as dictionary indices (RLE_DICTIONARY) or values (PLAIN). */
  indices?: number[];
  values?: Float64Array;
  /** Rows of the page that are null (their values are left out of `indices`). */
  nulls?: number[];
  /** Bytes of values to leave out, making the page malformed. */
  cut?: number;
}

/**
 * One DOUBLE column in one row group as pyarrow writes it by default: DATA_PAGE (version 1) pages, each
 * compressed whole, a PLAIN dictionary page first, dictionary-encoded pages, then PLAIN pages once the
 * dictionary was given up.
 */
async function writeV1File(
  name: string,
  options: { optional: boolean; codec: "SNAPPY" | "UNCOMPRESSED"; dictionary: Float64Array; pages: V1Page[] },
): Promise<string> {
  const out = new ByteWriter();
  out.appendUint32(0x31524150);
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
      writeRleBitPackedHybrid(levels, present, 1);
      body.appendUint32(levels.offset);
      body.appendBytes(new Uint8Array(levels.getBuffer()));
    }
    if (page.indices !== undefined) {
      const bitWidth = 32 - Math.clz32(options.dictionary.length - 1);
      body.appendUint8(bitWidth);
      writeRleBitPackedHybrid(body, page.indices, bitWidth);
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
  const chunkSize = BigInt(out.offset - chunkStart);
  writeMetadata(out, {
    version: 1,
    schema: [
      { name: "schema", num_children: 1 },
      { name: "x", type: "DOUBLE", repetition_type: options.optional ? "OPTIONAL" : "REQUIRED" },
    ],
    num_rows: BigInt(rows),
    row_groups: [
      {
        columns: [
          {
            file_offset: BigInt(chunkStart),
            meta_data: {
              type: "DOUBLE",
              encodings: ["PLAIN", "RLE", "RLE_DICTIONARY"],
              path_in_schema: ["x"],
              codec: options.codec,
              num_values: BigInt(rows),
              total_uncompressed_size: chunkSize,
              total_compressed_size: chunkSize,
              data_page_offset: BigInt(dataPageOffset),
              dictionary_page_offset: BigInt(chunkStart),
            },
          },
        ],
        total_byte_size: chunkSize,
        num_rows: BigInt(rows),
      },
    ],
    metadata_length: 0,
  });
  out.appendUint32(0x31524150);
  const path = join(dir, name);
  await writeFile(path, new Uint8Array(out.getBuffer()));
  return path;
}

describe("Parquet plain columns", () => {
  it("reads the OPTIONAL numeric columns our writer writes as the typed arrays of their type", async () => {
    const path = join(dir, "ours.parquet");
    const names = ["f64", "f32", "i32", "i64"];
    const writer = openTableWriter(path, "parquet", names);
    const batches = [700, 1, 299];
    const f64 = doubles(1000, 1);
    const i64 = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i * 1000 - 7));
    i64[500] = 2n ** 60n + 9n;
    i64[501] = -(2n ** 53n);
    let start = 0;
    for (const rows of batches) {
      const end = start + rows;
      await writer.write({
        f64: f64.subarray(start, end),
        f32: Float32Array.from(f64.subarray(start, end)),
        i32: Int32Array.from(f64.subarray(start, end), Math.round),
        i64: i64.subarray(start, end),
      });
      start = end;
    }
    await writer.close();

    const { cells, typed } = await readCells(path, { chunkRows: 333 });
    expect(cells["f64"]).toEqual(Array.from(f64));
    expect(cells["f32"]).toEqual(Array.from(Float32Array.from(f64)));
    expect(cells["i32"]).toEqual(Array.from(f64, Math.round));
    for (const name of names) expect(cells[name]).toEqual(await hyparquetCells(path, name));
    expect(cells["i64"]?.[500]).toBe((2n ** 60n + 9n).toString());
    expect(cells["i64"]?.[501]).toBe((-(2n ** 53n)).toString());
    expect(cells["i64"]?.[999]).toBe(998_993);
    expect(typed["f64"]).toEqual([true, true, true, true]);
    expect(typed["f32"]).toEqual([true, true, true, true]);
    expect(typed["i32"]).toEqual([true, true, true, true]);
    // INT64 stays cells, as it always was: its values are not all exact as numbers.
    expect(typed["i64"]).toEqual([false, false, false, false]);
  });

  it("reads only the selected columns", async () => {
    const path = join(dir, "selected.parquet");
    const writer = openTableWriter(path, "parquet", ["a", "b", "c"]);
    await writer.write({ a: doubles(50, 1), b: doubles(50, 2), c: doubles(50, 3) });
    await writer.close();
    const { cells } = await readCells(path, { columns: ["c", "a"] });
    expect(Object.keys(cells).sort()).toEqual(["a", "c"]);
    expect(cells["c"]).toEqual(Array.from(doubles(50, 3)));
  });

  it("continues across windows smaller than a row group, fetching each page once", async () => {
    const values = doubles(5000, 4);
    const path = await writeHyparquet(
      "pages.parquet",
      [{ name: "x", data: values, type: "DOUBLE", nullable: true }],
      { codec: "SNAPPY", rowGroupSize: 2000, pageSize: 1024 },
    );
    const { file, metadata, fetched } = await openBytes(path);
    expect(metadata.row_groups[0]?.columns[0]?.meta_data?.encodings).not.toContain("RLE_DICTIONARY");
    const plain = new ParquetPlainColumns(file, metadata);
    const read: number[] = [];
    for (let start = 0; start < values.length; start += 37) {
      const end = Math.min(values.length, start + 37);
      read.push(...joined((await plain.read(["x"], start, end)).get("x"), start, end));
    }
    expect(read).toEqual(Array.from(values));
    expect(fetched()).toBeLessThan(values.byteLength * 1.3);
  });

  it("reads windows that jump back or ahead, and windows spanning row groups", async () => {
    const values = doubles(3000, 5);
    const path = await writeHyparquet(
      "jumps.parquet",
      [{ name: "x", data: values, type: "DOUBLE", nullable: false }],
      { codec: "UNCOMPRESSED", rowGroupSize: 700, pageSize: 2048 },
    );
    const { file, metadata } = await openBytes(path);
    const plain = new ParquetPlainColumns(file, metadata);
    for (const [from, to] of [
      [100, 900],
      [900, 901],
      [50, 60],
      [2999, 3000],
      [0, 3000],
      [1400, 2101],
    ] as const) {
      expect(joined((await plain.read(["x"], from, to)).get("x"), from, to)).toEqual(
        Array.from(values.subarray(from, to)),
      );
    }
  });

  it("reads dictionary-encoded FLOAT, INT32 and INT64 columns as hyparquet does", async () => {
    const length = 3000;
    const path = await writeHyparquet(
      "dictionary.parquet",
      (
        [
          { name: "f", data: Float32Array.from({ length }, (_, i) => (i % 13) / 4), type: "FLOAT" },
          { name: "i", data: Int32Array.from({ length }, (_, i) => (i * 7) % 300), type: "INT32" },
          {
            name: "l",
            data: BigInt64Array.from({ length }, (_, i) => BigInt(i % 5) * 2n ** 40n),
            type: "INT64",
          },
          { name: "r", data: Int32Array.from({ length }, (_, i) => i % 3), type: "INT32", nullable: false },
        ] satisfies ColumnSource[]
      ).map((column): ColumnSource => ({ ...column, encoding: "RLE_DICTIONARY" })),
      { codec: "SNAPPY", rowGroupSize: 1000, pageSize: 500 },
    );
    const { metadata } = await openBytes(path);
    for (const chunk of metadata.row_groups[0]?.columns ?? []) {
      expect(chunk.meta_data?.encodings).toContain("RLE_DICTIONARY");
    }
    const { file } = await openBytes(path);
    expect([
      ...(await new ParquetPlainColumns(file, metadata).read(["f", "i", "l", "r"], 0, 10)).keys(),
    ]).toEqual(["f", "i", "l", "r"]);
    const { cells, typed } = await readCells(path, { chunkRows: 600 });
    for (const name of ["f", "i", "l", "r"]) expect(cells[name]).toEqual(await hyparquetCells(path, name));
    expect(typed["f"]?.every(Boolean)).toBe(true);
    expect(typed["i"]?.every(Boolean)).toBe(true);
    expect(typed["r"]?.every(Boolean)).toBe(true);
  });

  it("reads version 1 pages that fall back from a dictionary to PLAIN, compressed or not", async () => {
    const dictionary = doubles(300, 6);
    const indices = Array.from({ length: 1000 }, (_, i) => (i * i) % 300);
    indices.fill(17, 100, 160);
    const tail = doubles(800, 7);
    for (const codec of ["SNAPPY", "UNCOMPRESSED"] as const) {
      for (const optional of [true, false]) {
        const path = await writeV1File(`v1-${codec}-${optional}.parquet`, {
          optional,
          codec,
          dictionary,
          pages: [
            { indices: indices.slice(0, 600) },
            { indices: indices.slice(600) },
            { values: tail.subarray(0, 500) },
            { values: tail.subarray(500) },
          ],
        });
        const expected = [...indices.map((index) => dictionary[index] as number), ...tail];
        const { cells, typed } = await readCells(path, { chunkRows: 450 });
        expect(cells["x"]).toEqual(expected);
        expect(cells["x"]).toEqual(await hyparquetCells(path, "x"));
        expect(typed["x"]?.every(Boolean)).toBe(true);

        const { file, metadata } = await openBytes(path);
        const plain = new ParquetPlainColumns(file, metadata);
        for (let start = 0; start < expected.length; start += 250) {
          const end = Math.min(expected.length, start + 250);
          expect(joined((await plain.read(["x"], start, end)).get("x"), start, end)).toEqual(
            expected.slice(start, end),
          );
        }
      }
    }
  });

  it("leaves columns with nulls to hyparquet, which gives null cells as before", async () => {
    const data = Array.from({ length: 2000 }, (_, i) => (i === 1500 ? null : i / 4));
    for (const statistics of [true, false]) {
      const path = await writeHyparquet(
        `nulls-${statistics}.parquet`,
        [
          { name: "x", data, type: "DOUBLE", nullable: true },
          { name: "y", data: doubles(2000, 8), type: "DOUBLE", nullable: true },
        ],
        { codec: "SNAPPY", rowGroupSize: 1000, statistics },
      );
      const { cells, typed } = await readCells(path, { chunkRows: 1000 });
      expect(cells["x"]).toEqual(data);
      expect(cells["y"]).toEqual(Array.from(doubles(2000, 8)));
      expect(typed["x"]).toEqual([false, false]);
      expect(typed["y"]).toEqual([true, true]);

      const { file, metadata } = await openBytes(path);
      const plain = new ParquetPlainColumns(file, metadata);
      expect([...(await plain.read(["x", "y"], 1000, 2000)).keys()]).toEqual(["y"]);
      expect(joined((await plain.read(["x"], 0, 1000)).get("x"), 0, 1000)).toEqual(data.slice(0, 1000));
      expect((await plain.read(["x"], 900, 1100)).has("x")).toBe(false);
    }
  });

  it("leaves version 1 pages with nulls to hyparquet", async () => {
    const dictionary = doubles(5, 13);
    const path = await writeV1File("v1-nulls.parquet", {
      optional: true,
      codec: "SNAPPY",
      dictionary,
      pages: [{ indices: [0, 1, 2, 3, 4, 0, 1, 2, 3, 4] }, { indices: [4, 3, 2], nulls: [1] }],
    });
    const d = (index: number): number => dictionary[index] as number;
    const { cells, typed } = await readCells(path);
    expect(cells["x"]).toEqual([...[0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 4].map(d), null, d(3), d(2)]);
    expect(typed["x"]).toEqual([false]);
    const { file, metadata } = await openBytes(path);
    const plain = new ParquetPlainColumns(file, metadata);
    expect((await plain.read(["x"], 0, 14)).has("x")).toBe(false);
  });

  it("leaves encodings other than PLAIN and dictionary to hyparquet", async () => {
    const length = 500;
    const path = await writeHyparquet(
      "delta.parquet",
      [
        {
          name: "d",
          data: BigInt64Array.from({ length }, (_, i) => BigInt(i * 3)),
          type: "INT64",
          encoding: "DELTA_BINARY_PACKED",
        },
        { name: "s", data: doubles(length, 14), type: "DOUBLE", encoding: "BYTE_STREAM_SPLIT" },
      ],
      { rowGroupSize: 200 },
    );
    const { file, metadata } = await openBytes(path);
    const plain = new ParquetPlainColumns(file, metadata);
    expect((await plain.read(["d", "s"], 0, 100)).size).toBe(0);
    const { cells } = await readCells(path, { chunkRows: 150 });
    expect(cells["d"]).toEqual(Array.from({ length }, (_, i) => i * 3));
    expect(cells["s"]).toEqual(Array.from(doubles(length, 14)));
  });

  it("leaves timestamps, dates, decimals, unsigned integers and text to hyparquet", async () => {
    const path = await writeHyparquet(
      "converted.parquet",
      [
        { name: "when", data: [new Date(0), new Date(86_400_000)], type: "TIMESTAMP" },
        { name: "text", data: ["a", "b"], type: "STRING" },
        { name: "plain", data: Float64Array.of(1, 2), type: "DOUBLE" },
      ],
      {},
    );
    const { file, metadata } = await openBytes(path);
    expect([
      ...(await new ParquetPlainColumns(file, metadata).read(["when", "text", "plain"], 0, 2)).keys(),
    ]).toEqual(["plain"]);
    const { cells } = await readCells(path);
    expect(cells["when"]).toEqual(["1970-01-01T00:00:00.000Z", "1970-01-02T00:00:00.000Z"]);

    for (const element of [
      { converted_type: "DATE" },
      { converted_type: "DECIMAL", scale: 2, precision: 9 },
      { converted_type: "UINT_32" },
      { logical_type: { type: "INTEGER", bitWidth: 32, isSigned: false } },
    ] as const) {
      const annotated: FileMetaData = {
        ...metadata,
        schema: metadata.schema.map((entry) =>
          entry.name === "plain" ? { ...entry, type: "INT32", ...element } : entry,
        ),
        row_groups: metadata.row_groups.map((group) => ({
          ...group,
          columns: group.columns.map((chunk) =>
            chunk.meta_data?.path_in_schema[0] === "plain"
              ? { ...chunk, meta_data: { ...chunk.meta_data, type: "INT32" } }
              : chunk,
          ),
        })),
      };
      expect((await new ParquetPlainColumns(file, annotated).read(["plain"], 0, 2)).size).toBe(0);
    }
  });

  it("reads an empty file", async () => {
    const path = await writeHyparquet(
      "empty.parquet",
      [{ name: "x", data: new Float64Array(0), type: "DOUBLE" }],
      {},
    );
    const chunks = [];
    for await (const chunk of openTable(path).chunks()) chunks.push(chunk);
    expect(chunks.map((chunk) => [chunk.rowCount, chunk.column("x")])).toEqual([[0, []]]);
    const { file, metadata } = await openBytes(path);
    expect((await new ParquetPlainColumns(file, metadata).read(["x"], 0, 0)).size).toBe(0);
  });

  it("rejects a page with fewer values than rows, naming the file and rows", async () => {
    const path = await writeV1File("short.parquet", {
      optional: true,
      codec: "UNCOMPRESSED",
      dictionary: doubles(4, 9),
      pages: [{ indices: [0, 1, 2, 3] }, { values: doubles(10, 10), cut: 8 }],
    });
    const read = readCells(path);
    await expect(read).rejects.toThrow(FlowOpsError);
    await expect(readCells(path)).rejects.toThrow(
      `${path}: cannot read rows 1-14 as Parquet (page holds 72 bytes of values for 10 rows of 8 bytes)`,
    );
  });

  it("rejects a page that runs past its column chunk", async () => {
    const path = await writeV1File("overrun.parquet", {
      optional: false,
      codec: "UNCOMPRESSED",
      dictionary: doubles(2, 11),
      pages: [{ values: doubles(10, 12) }],
    });
    const bytes = await readFile(path);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const meta = metadata.row_groups[0]?.columns[0]?.meta_data;
    if (meta === undefined) throw new Error("no column chunk");
    meta.total_compressed_size -= 4n;
    const { file } = await openBytes(path);
    await expect(new ParquetPlainColumns(file, metadata).read(["x"], 0, 10)).rejects.toThrow(
      /a page of column 'x' at byte \d+ runs past its column chunk/,
    );
  });
});
