/**
 * The page codecs FlowOps reads, given to hyparquet (its `compressors` option) and used by the fast numeric
 * path (parquetPlainPage.ts) alike, so that both read the same files. SNAPPY is snappyDecompress.ts; GZIP and
 * BROTLI are node:zlib's (native, no package needed); ZSTD, the default of Polars, Spark and DuckDB and what
 * pandas writes with `compression="zstd"`, is fzstd's, as Node 20's zlib has none; LZ4_RAW is
 * lz4RawDecompress.ts. LZO and the deprecated Hadoop-framed LZ4 are left out: hyparquet's error names them.
 */

import { brotliDecompressSync, unzipSync } from "node:zlib";

import { decompress as zstdDecompress } from "fzstd";
import type { CompressionCodec, Compressors } from "hyparquet";

import { lz4RawDecompress } from "./lz4RawDecompress.js";
import { snappyDecompress } from "./snappyDecompress.js";

export const PARQUET_DECOMPRESSORS = {
  SNAPPY: snappyDecompress,
  // unzip takes the gzip stream the format calls for and the bare zlib one some older writers stored.
  GZIP: (input, size) => unzipSync(input, zlibLimit(size)),
  BROTLI: (input, size) => brotliDecompressSync(input, zlibLimit(size)),
  // Without an output buffer fzstd sizes its own from the frame header and decodes straight into it; given one,
  // it would hand back the whole buffer however many bytes it wrote, hiding a short page.
  ZSTD: (input) => zstdDecompress(input),
  LZ4_RAW: lz4RawDecompress,
} satisfies Compressors;

/** The codecs a page may be stored with for FlowOps to read it. */
export type ReadableCodec = "UNCOMPRESSED" | keyof typeof PARQUET_DECOMPRESSORS;

export function isReadableCodec(codec: CompressionCodec): codec is ReadableCodec {
  return codec === "UNCOMPRESSED" || Object.hasOwn(PARQUET_DECOMPRESSORS, codec);
}

/** A page's bytes decompressed; throws when they are not the `size` bytes its header promises. */
export function decompressedPage(body: Uint8Array, size: number, codec: ReadableCodec): Uint8Array {
  const page = codec === "UNCOMPRESSED" ? body : PARQUET_DECOMPRESSORS[codec](body, size);
  if (page.length !== size) throw new Error(`page holds ${page.length} bytes where the header says ${size}`);
  return page;
}

/**
 * Stops zlib once it has more bytes than the page header promises, so a corrupt page fails instead of
 * inflating without bound (the limit must be at least one byte).
 */
function zlibLimit(size: number): { maxOutputLength: number } {
  return { maxOutputLength: Math.max(1, size) };
}
