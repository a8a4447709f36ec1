/**
 * One Parquet column chunk written straight from a typed array: PLAIN values are the array's own little-endian
 * bytes, so a FLOAT column of a Float32Array is one memory copy, with no per-value encoding, dictionary trial,
 * compression or generic statistics walk (which is where hyparquet-writer spends its time on numeric data).
 * Pages are DATA_PAGE_V2 of at most PAGE_BYTES of values, uncompressed (numeric features and model outputs
 * rarely shrink under Snappy, and readers then copy nothing); an OPTIONAL column carries its definition levels
 * as one RLE run of "present", since a typed array holds no nulls. Min, max, null and NaN counts are kept.
 */

import { LITTLE_ENDIAN, safeInt64At } from "./int64Words.js";

import type { ByteWriter, ParquetWriter, SchemaElement } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";

/** A footer's column chunk entry, in hyparquet-writer's own copy of hyparquet's types. */
export type WriterColumnChunk = ParquetWriter["row_groups"][number]["columns"][number];
type Statistics = NonNullable<NonNullable<WriterColumnChunk["meta_data"]>["statistics"]>;

/** Typed arrays whose bytes are a Parquet column's PLAIN values as they are. */
export type PlainNumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | BigUint64Array;

const PAGE_BYTES = 1 << 20;
/** Value runs at least this long skip the writer's buffer (see DirectByteWriter). */
const DIRECT_BYTES = 1 << 14;

/**
 * The values in the physical form `element` is written in, when they are a typed array that converts without
 * loss of meaning (small integers widen to INT32, Uint32 to INT64, float64 narrows to FLOAT as any FLOAT
 * writer does); undefined when the general encoder must handle them (cells, BOOLEAN or text columns).
 */
export function plainNumericValues(element: SchemaElement, values: unknown): PlainNumericArray | undefined {
  if (!LITTLE_ENDIAN || !ArrayBuffer.isView(values) || values instanceof DataView) return undefined;
  if (element.logical_type !== undefined) return undefined;
  const unsigned64 = element.converted_type === "UINT_64";
  if (element.converted_type !== undefined && !unsigned64) return undefined;
  const bigints = values instanceof BigInt64Array || values instanceof BigUint64Array;
  switch (element.type) {
    case "FLOAT":
      if (values instanceof Float32Array) return values;
      return bigints ? undefined : Float32Array.from(values as unknown as ArrayLike<number>);
    case "DOUBLE":
      if (values instanceof Float64Array) return values;
      return bigints ? undefined : Float64Array.from(values as unknown as ArrayLike<number>);
    case "INT32":
      if (values instanceof Int32Array) return values;
      return isSmallInteger(values) ? Int32Array.from(values) : undefined;
    case "INT64":
      if (unsigned64) return values instanceof BigUint64Array ? values : undefined;
      if (values instanceof BigInt64Array) return values;
      if (values instanceof Uint32Array || isSmallInteger(values)) {
        return BigInt64Array.from(values as ArrayLike<number>, (value) => BigInt(value));
      }
      return undefined;
    default:
      return undefined;
  }
}

function isSmallInteger(
  values: ArrayBufferView,
): values is Int8Array | Int16Array | Uint8Array | Uint16Array {
  return (
    values instanceof Int8Array ||
    values instanceof Int16Array ||
    values instanceof Uint8Array ||
    values instanceof Uint16Array
  );
}

/** A ByteWriter that can also pass large byte runs to its file without copying them into its buffer. */
export interface DirectByteWriter extends ByteWriter {
  appendDirect?(bytes: Uint8Array): void;
}

/** Writes `values` as the column chunk of `element` at the writer's current offset and returns its metadata. */
export function writePlainNumericChunk(
  writer: DirectByteWriter,
  element: SchemaElement,
  values: PlainNumericArray,
): WriterColumnChunk {
  if (element.type === undefined) throw new Error(`column ${element.name} has no physical type`);
  const optional = element.repetition_type !== "REQUIRED";
  const chunkStart = writer.offset;
  const pageRows = Math.max(1, Math.floor(PAGE_BYTES / values.BYTES_PER_ELEMENT));
  let uncompressed = 0;
  let pages = 0;
  for (let start = 0; start < values.length || pages === 0; start += pageRows) {
    const end = Math.min(values.length, start + pageRows);
    const rows = end - start;
    const levels = optional && rows > 0 ? presentRun(rows) : new Uint8Array(0);
    const data = new Uint8Array(
      values.buffer,
      values.byteOffset + start * values.BYTES_PER_ELEMENT,
      rows * values.BYTES_PER_ELEMENT,
    );
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: levels.length + data.length,
      compressed_page_size: levels.length + data.length,
      data_page_header_v2: {
        num_values: rows,
        num_nulls: 0,
        num_rows: rows,
        encoding: "PLAIN",
        definition_levels_byte_length: levels.length,
        repetition_levels_byte_length: 0,
        is_compressed: false,
      },
    });
    uncompressed += writer.offset - headerStart + levels.length + data.length;
    writer.appendBytes(levels);
    if (writer.appendDirect !== undefined && data.length >= DIRECT_BYTES) writer.appendDirect(data);
    else writer.appendBytes(data);
    pages++;
  }
  return {
    file_offset: BigInt(chunkStart),
    meta_data: {
      type: element.type,
      encodings: ["PLAIN"],
      path_in_schema: [element.name],
      codec: "UNCOMPRESSED",
      num_values: BigInt(values.length),
      total_compressed_size: BigInt(writer.offset - chunkStart),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: BigInt(chunkStart),
      statistics: numericStatistics(values),
      encoding_stats: [{ page_type: "DATA_PAGE_V2", encoding: "PLAIN", count: pages }],
    },
  };
}

/** Definition levels for `rows` present values at bit width 1: one RLE run (header `rows << 1`, value 1). */
function presentRun(rows: number): Uint8Array {
  const bytes: number[] = [];
  let header = rows * 2;
  while (header >= 0x80) {
    bytes.push((header % 0x80) | 0x80);
    header = Math.floor(header / 0x80);
  }
  bytes.push(header, 1);
  return Uint8Array.from(bytes);
}

/**
 * Min and max skipping NaN (the Parquet rule), with -0 as a zero minimum and +0 as a zero maximum; no bounds
 * when every value is NaN or there are none.
 */
export function numericStatistics(values: PlainNumericArray): Statistics {
  if (values instanceof BigInt64Array) return bigintStatistics(values);
  if (values instanceof BigUint64Array) return bigintStatistics(values);
  // One scan per array type: a single loop fed every type reads elements through a megamorphic access, which
  // cost ~10 ns per value (a fifth of a 1M-row Parquet predict went here); each of these stays monomorphic.
  const bounds =
    values instanceof Float32Array
      ? float32Bounds(values)
      : values instanceof Float64Array
        ? float64Bounds(values)
        : int32Bounds(values);
  const float = !(values instanceof Int32Array);
  // The hyparquet type does not list nan_count yet; the writer passes it through to the footer.
  const counts = {
    null_count: 0n,
    ...(float ? { nan_count: BigInt(values.length - bounds.present) } : {}),
  } as Statistics;
  if (bounds.present === 0) return counts;
  const { min, max } = bounds;
  return { ...counts, min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max };
}

interface Bounds {
  min: number;
  max: number;
  /** Values that are not NaN. */
  present: number;
}

function float32Bounds(values: Float32Array): Bounds {
  // Two running bounds (even and odd elements) halve the chain of dependent compares; a NaN fails every compare,
  // so it never becomes a bound and is only counted.
  let min0 = Infinity;
  let max0 = -Infinity;
  let min1 = Infinity;
  let max1 = -Infinity;
  let nans = 0;
  const n = values.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = values[i]!;
    const b = values[i + 1]!;
    if (a < min0) min0 = a;
    if (a > max0) max0 = a;
    if (a !== a) nans++;
    if (b < min1) min1 = b;
    if (b > max1) max1 = b;
    if (b !== b) nans++;
  }
  if (i < n) {
    const a = values[i]!;
    if (a < min0) min0 = a;
    if (a > max0) max0 = a;
    if (a !== a) nans++;
  }
  return { min: lower(min0, min1), max: upper(max0, max1), present: n - nans };
}

function float64Bounds(values: Float64Array): Bounds {
  // Two running bounds (even and odd elements) halve the chain of dependent compares; a NaN fails every compare,
  // so it never becomes a bound and is only counted.
  let min0 = Infinity;
  let max0 = -Infinity;
  let min1 = Infinity;
  let max1 = -Infinity;
  let nans = 0;
  const n = values.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = values[i]!;
    const b = values[i + 1]!;
    if (a < min0) min0 = a;
    if (a > max0) max0 = a;
    if (a !== a) nans++;
    if (b < min1) min1 = b;
    if (b > max1) max1 = b;
    if (b !== b) nans++;
  }
  if (i < n) {
    const a = values[i]!;
    if (a < min0) min0 = a;
    if (a > max0) max0 = a;
    if (a !== a) nans++;
  }
  return { min: lower(min0, min1), max: upper(max0, max1), present: n - nans };
}

/** The smaller of two running minima; not Math.min, which would prefer -0 and turn Infinity into a bound. */
function lower(a: number, b: number): number {
  return b < a ? b : a;
}

function upper(a: number, b: number): number {
  return b > a ? b : a;
}

function int32Bounds(values: Int32Array): Bounds {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max, present: values.length };
}

function bigintStatistics(values: BigInt64Array | BigUint64Array): Statistics {
  if (values.length === 0) return { null_count: 0n };
  if (values instanceof BigInt64Array) {
    const bounds = safeInt64Bounds(values);
    if (bounds !== undefined) {
      return { min_value: BigInt(bounds.min), max_value: BigInt(bounds.max), null_count: 0n };
    }
  }
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!;
    if (value < min) min = value;
    else if (value > max) max = value;
  }
  return { min_value: min, max_value: max, null_count: 0n };
}

/**
 * Bounds of 64-bit integers read as two 32-bit halves, as doubles: reading a BigInt64Array makes a BigInt per
 * element (~35 ms per million labels, as much as the rest of a part's statistics). Undefined when a value
 * lies outside ±2^53, where a double is no longer exact; the caller then compares BigInts.
 */
function safeInt64Bounds(values: BigInt64Array): { min: number; max: number } | undefined {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = safeInt64At(words, i, true);
    if (value === undefined) return undefined;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}
