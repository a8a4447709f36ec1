import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { hasTypedColumns } from "./columnarTableChunk.js";
import { openTable } from "./openTable.js";
import { decompressedPage, isReadableCodec } from "./parquetDecompressors.js";
import type { CellValue } from "./tableChunk.js";

/** Made by test/fixtures/tables/codecs/generate.py: 40 rows in two row groups, one file per codec. */
const fixture = (codec: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/tables/codecs/codec-${codec}.parquet`, import.meta.url));

const ROWS = 40;

describe("Parquet page codecs", () => {
  // pyarrow's "lz4" is Parquet's LZ4_RAW.
  for (const codec of ["gzip", "zstd", "brotli", "lz4"]) {
    it(`reads a file pyarrow compressed with ${codec}, numeric columns on the fast path`, async () => {
      const values: Record<string, CellValue[]> = {};
      const typed: boolean[] = [];
      // Chunks of 7 rows cross the row groups' boundary (rows 20 and 21).
      for await (const chunk of openTable(fixture(codec), { chunkRows: 7 }).chunks()) {
        typed.push(hasTypedColumns(chunk) && chunk.typedColumn("x") instanceof Float64Array);
        for (const name of chunk.columns) (values[name] ??= []).push(...chunk.column(name));
      }
      expect(typed.every(Boolean)).toBe(true);
      expect(values["x"]).toEqual(Array.from({ length: ROWS }, (_, i) => i / 4));
      const n = Array.from({ length: ROWS }, (_, i): CellValue => (i % 2 === 1 ? -i : i));
      n[ROWS - 1] = (2n ** 60n + 7n).toString();
      expect(values["n"]).toEqual(n);
      expect(values["label"]).toEqual(Array.from({ length: ROWS }, (_, i) => `row ${i % 5}`));
    });
  }

  it("reads GZIP and BROTLI pages with node:zlib, checking their size against the page header", () => {
    const page = new TextEncoder().encode("flowops ".repeat(50));
    // zlib gives Buffers, which compare unequal to a plain Uint8Array of the same bytes.
    expect(new Uint8Array(decompressedPage(gzipSync(page), page.length, "GZIP"))).toEqual(page);
    expect(new Uint8Array(decompressedPage(brotliCompressSync(page), page.length, "BROTLI"))).toEqual(page);
    expect(() => decompressedPage(gzipSync(page), page.length + 1, "GZIP")).toThrow(/header says 401/);
    expect(() => decompressedPage(gzipSync(page), page.length - 1, "GZIP")).toThrow(/larger than/);
    expect(() => decompressedPage(page.subarray(0, 3), 4, "UNCOMPRESSED")).toThrow(/holds 3 bytes/);
  });

  it("leaves codecs it cannot read to hyparquet's error", () => {
    expect(isReadableCodec("ZSTD")).toBe(true);
    expect(isReadableCodec("LZ4_RAW")).toBe(true);
    expect(isReadableCodec("LZO")).toBe(false);
    expect(isReadableCodec("LZ4")).toBe(false);
  });
});
