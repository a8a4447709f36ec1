/**
 * One page of a flat numeric Parquet column (FLOAT, DOUBLE, INT32, INT64) decoded without hyparquet: PLAIN
 * values stay the page's own bytes until they are copied into the caller's typed array, dictionary indices go
 * through a typed array and are looked up word by word. A page this cannot decode exactly (a null, an encoding
 * other than PLAIN or dictionary) is reported as a fallback so the caller hands the column to hyparquet; a page
 * that contradicts its own header throws.
 */

import type { PageHeader } from "hyparquet";

import { decompressedPage, type ReadableCodec } from "./parquetDecompressors.js";
import { lookUpDictionaryIndices } from "./parquetDictionaryIndices.js";
import { allLevelsPresent } from "./rleBitPackedHybrid.js";

export type PlainType = "FLOAT" | "DOUBLE" | "INT32" | "INT64";

/** The typed array hyparquet itself gives for a REQUIRED PLAIN column of each type. */
export type PlainValues = Float32Array | Float64Array | Int32Array | BigInt64Array;

export interface PlainColumnFormat {
  readonly type: PlainType;
  /** Definition levels precede the values (max definition level 1); REQUIRED columns have none. */
  readonly optional: boolean;
}

/** A data page's values: its PLAIN bytes, or values looked up in the dictionary. */
export type DecodedPage = { readonly bytes: Uint8Array } | { readonly values: PlainValues };

/** Why a well-formed page is left to hyparquet. */
export type PageFallback = "nulls" | "encoding";

export type PageResult<T> = { readonly decoded: T } | { readonly fallback: PageFallback };

export function bytesPerValue(type: PlainType): 4 | 8 {
  return type === "FLOAT" || type === "INT32" ? 4 : 8;
}

export function newValues(type: PlainType, length: number): PlainValues {
  switch (type) {
    case "FLOAT":
      return new Float32Array(length);
    case "DOUBLE":
      return new Float64Array(length);
    case "INT32":
      return new Int32Array(length);
    case "INT64":
      return new BigInt64Array(length);
  }
}

/** Rows in a data page: a flat column has one value (or null) per row in either page version. */
export function dataPageRows(header: PageHeader): number {
  const rows =
    header.type === "DATA_PAGE" ? header.data_page_header?.num_values : header.data_page_header_v2?.num_rows;
  if (rows === undefined || !Number.isInteger(rows) || rows < 0) {
    throw new Error(`${header.type} header has no valid row count`);
  }
  return rows;
}

export function decodeDictionaryPage(
  header: PageHeader,
  body: Uint8Array,
  format: PlainColumnFormat,
  codec: ReadableCodec,
): PageResult<PlainValues> {
  const dictionary = header.dictionary_page_header;
  if (dictionary === undefined) throw new Error("DICTIONARY_PAGE has no dictionary header");
  if (dictionary.encoding !== "PLAIN" && dictionary.encoding !== "PLAIN_DICTIONARY") {
    return { fallback: "encoding" };
  }
  const page = decompressedPage(body, header.uncompressed_page_size, codec);
  const count = dictionary.num_values;
  const width = bytesPerValue(format.type);
  if (!Number.isInteger(count) || count < 0 || count * width > page.length) {
    throw new Error(`dictionary page holds ${page.length} bytes for ${count} values`);
  }
  const values = newValues(format.type, count);
  new Uint8Array(values.buffer).set(page.subarray(0, count * width));
  return { decoded: values };
}

export function decodeDataPage(
  header: PageHeader,
  body: Uint8Array,
  format: PlainColumnFormat,
  codec: ReadableCodec,
  dictionary: PlainValues | undefined,
): PageResult<DecodedPage> {
  const rows = dataPageRows(header);
  if (header.type === "DATA_PAGE") {
    const page = decompressedPage(body, header.uncompressed_page_size, codec);
    const encoding = header.data_page_header?.encoding;
    let pos = 0;
    if (format.optional) {
      // Version 1 pages prefix the definition levels with their byte length (4 bytes, little-endian).
      if (header.data_page_header?.definition_level_encoding !== "RLE") return { fallback: "encoding" };
      if (page.length < 4) throw new Error(`DATA_PAGE of ${page.length} bytes has no definition levels`);
      const length = new DataView(page.buffer, page.byteOffset, 4).getUint32(0, true);
      pos = 4 + length;
      if (pos > page.length) throw new Error(`definition levels of ${length} bytes run past the page`);
      if (!allLevelsPresent(page, 4, pos, rows)) return { fallback: "nulls" };
    }
    return decodeValues(page.subarray(pos), encoding, rows, format, dictionary);
  }
  const v2 = header.data_page_header_v2;
  if (header.type !== "DATA_PAGE_V2" || v2 === undefined)
    throw new Error(`${header.type} is not a data page`);
  if (v2.num_values !== rows)
    throw new Error(`page has ${v2.num_values} values for ${rows} rows of a flat column`);
  if (v2.num_nulls > 0) return { fallback: "nulls" };
  const levelsEnd = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
  const valuesSize = header.uncompressed_page_size - levelsEnd;
  if (levelsEnd > body.length || valuesSize < 0) {
    throw new Error(`levels of ${levelsEnd} bytes run past a page of ${body.length} bytes`);
  }
  if (format.optional && !allLevelsPresent(body, v2.repetition_levels_byte_length, levelsEnd, rows)) {
    return { fallback: "nulls" };
  }
  const raw = body.subarray(levelsEnd);
  // An empty value section may be stored as zero bytes, which is no valid compressed stream.
  const values =
    v2.is_compressed !== false && valuesSize > 0 ? decompressedPage(raw, valuesSize, codec) : raw;
  if (values.length !== valuesSize) {
    throw new Error(`page values hold ${values.length} bytes where the header says ${valuesSize}`);
  }
  return decodeValues(values, v2.encoding, rows, format, dictionary);
}

/** Copies `count` rows of `page`, from its row `from`, into `out` at `at`. */
export function copyRows(page: DecodedPage, out: PlainValues, at: number, from: number, count: number): void {
  if ("bytes" in page) {
    const width = out.BYTES_PER_ELEMENT;
    const target = new Uint8Array(out.buffer, out.byteOffset + at * width, count * width);
    target.set(page.bytes.subarray(from * width, (from + count) * width));
  } else {
    // Both arrays are of the column's one type; TypeScript cannot see that through the union.
    (out as Float64Array).set((page.values as Float64Array).subarray(from, from + count), at);
  }
}

function decodeValues(
  bytes: Uint8Array,
  encoding: string | undefined,
  rows: number,
  format: PlainColumnFormat,
  dictionary: PlainValues | undefined,
): PageResult<DecodedPage> {
  const width = bytesPerValue(format.type);
  if (encoding === "PLAIN") {
    if (bytes.length < rows * width) {
      throw new Error(`page holds ${bytes.length} bytes of values for ${rows} rows of ${width} bytes`);
    }
    return { decoded: { bytes: bytes.subarray(0, rows * width) } };
  }
  if (encoding !== "RLE_DICTIONARY" && encoding !== "PLAIN_DICTIONARY") return { fallback: "encoding" };
  // hyparquet then yields the indices themselves, so it keeps that behaviour too.
  if (dictionary === undefined) return { fallback: "encoding" };
  if (rows === 0) return { decoded: { values: newValues(format.type, 0) } };
  if (bytes.length < 1) throw new Error(`dictionary-encoded page has no index bit width`);
  const values = newValues(format.type, rows);
  lookUpDictionaryIndices(bytes, 1, bytes.length, bytes[0] as number, dictionary, values);
  return { decoded: { values } };
}
