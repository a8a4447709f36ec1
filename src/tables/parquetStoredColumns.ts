/**
 * Parquet input columns kept as the file stores them, with their schema element, so that a Parquet writer can
 * write a column it only passes through with the type it came with (an INT32 column with nulls stays INT32, a
 * timestamp keeps its unit and whether it is UTC, a DECIMAL its precision and scale). Cells (`column()`) lose
 * that: they have no integer, date or decimal type, and a Date has no microseconds.
 *
 * Stored values: numbers for INT32 (days for DATE, a TIME's units since midnight), BigInts for INT64 (timestamps
 * and times in their unit, UINT_64 unsigned, INT96 timestamps as nanoseconds), unscaled BigInts for DECIMAL of
 * any physical type, booleans, text for strings, null for missing. Only flat top-level columns of the types below
 * are kept (FLOAT16 as numbers too); the rest (lists, maps, structs, binary, UUID, JSON) stay cells, typed by
 * their values when written.
 */

import type { FileMetaData, ParquetParsers, SchemaElement as ReadElement } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";

import { PARQUET_TEXT_PARSERS } from "./parquetText.js";
import type { CellValue, TableChunk } from "./tableChunk.js";
import type { TableWriter, WriterColumn } from "./tableWriter.js";

export type StoredValue = CellValue | bigint;

/** The unit of a time column's stored numbers: days for DATE. */
export type TimestampUnit = "DAYS" | "MILLIS" | "MICROS" | "NANOS";

/**
 * Timestamps and dates as their stored numbers: Date objects would drop microseconds and a timezone's absence.
 * Text keeps every character (parquetText.ts).
 */
export const STORED_PARSERS: Partial<ParquetParsers> = {
  ...PARQUET_TEXT_PARSERS,
  timestampFromMilliseconds: (value: bigint) => value,
  timestampFromMicroseconds: (value: bigint) => value,
  timestampFromNanoseconds: (value: bigint) => value,
  dateFromDays: (value: number) => value,
};

/**
 * A column for a writer that takes stored columns (the Parquet writer): its values, typed arrays included,
 * are in the representation of `element`, which the writer writes the column as.
 */
export class StoredParquetColumn {
  constructor(
    readonly element: SchemaElement,
    readonly values: WriterColumn | readonly StoredValue[],
  ) {}

  get length(): number {
    return this.values.length;
  }
}

/** Capability of chunks that hold some columns of a Parquet file as it stores them. */
export interface StoredColumns {
  /** The column with its element, when the chunk holds it so (typed arrays included), else undefined. */
  storedColumn(name: string): StoredParquetColumn | undefined;
}

export function hasStoredColumns(chunk: TableChunk): chunk is TableChunk & StoredColumns {
  return typeof (chunk as Partial<StoredColumns>).storedColumn === "function";
}

/** Capability of writers that take `StoredParquetColumn`s besides the usual columns. */
export interface StoredColumnTableWriter extends TableWriter {
  readonly writesStoredColumns: true;
  write(columns: Readonly<Record<string, WriterColumn | StoredParquetColumn>>): Promise<void>;
}

export function writesStoredColumns(writer: TableWriter): writer is StoredColumnTableWriter {
  return (writer as Partial<StoredColumnTableWriter>).writesStoredColumns === true;
}

const INT_ANNOTATIONS = ["INT_8", "INT_16", "INT_32", "INT_64", "UINT_8", "UINT_16", "UINT_32", "UINT_64"];
const TIME_ANNOTATIONS = ["DATE", "TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS"];

/**
 * The element a top-level field is written back as when its values are kept stored, else undefined: always
 * OPTIONAL (every output column is nullable), and a signed 32- or 64-bit integer annotation, which says nothing
 * the physical type does not, dropped so the column stays on the typed writer's fast path. INT96 timestamps,
 * which no writer should produce any more, become INT64 nanoseconds, as pandas writes what it reads from them.
 */
export function storedElement(field: ReadElement): SchemaElement | undefined {
  const { type, converted_type: converted, logical_type: logical } = field;
  if (type === undefined || (field.num_children ?? 0) > 0 || field.repetition_type === "REPEATED") {
    return undefined;
  }
  const base: SchemaElement = { name: field.name, repetition_type: "OPTIONAL", type };
  if (type === "INT96" && converted === undefined && logical === undefined) {
    return {
      ...base,
      type: "INT64",
      logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "NANOS" },
    };
  }
  const annotated = { ...base, converted_type: converted, logical_type: logical };
  if (converted === "DECIMAL" || logical?.type === "DECIMAL") {
    if (type === "BOOLEAN" || type === "FLOAT" || type === "DOUBLE" || type === "INT96") return undefined;
    const scale = field.scale ?? (logical?.type === "DECIMAL" ? logical.scale : undefined);
    const precision = field.precision ?? (logical?.type === "DECIMAL" ? logical.precision : undefined);
    // A BYTE_ARRAY decimal is written as FIXED_LEN_BYTE_ARRAY wide enough for its precision, as pyarrow
    // rewrites one: hyparquet-writer encodes a BYTE_ARRAY decimal's zero as no bytes, which pyarrow refuses.
    const fixed = type === "BYTE_ARRAY" ? fixedDecimalBytes(precision) : field.type_length;
    if (type === "BYTE_ARRAY" && fixed === undefined) return undefined;
    // The converted type too, which a file may leave to the logical one: hyparquet-writer encodes a DECIMAL's
    // unscaled BigInts by it.
    return withoutUndefined({
      ...annotated,
      type: type === "BYTE_ARRAY" ? "FIXED_LEN_BYTE_ARRAY" : type,
      converted_type: "DECIMAL",
      type_length: fixed,
      scale,
      precision,
    });
  }
  switch (type) {
    case "BOOLEAN":
    case "FLOAT":
    case "DOUBLE":
      return converted === undefined && logical === undefined ? base : undefined;
    case "FIXED_LEN_BYTE_ARRAY":
      // FLOAT16's values are numbers; kept so that a model without a signature gets float16 as pandas reads it.
      return logical?.type === "FLOAT16" && field.type_length === 2
        ? { ...base, type_length: 2, logical_type: { type: "FLOAT16" } }
        : undefined;
    case "BYTE_ARRAY":
      return converted === "UTF8" || logical?.type === "STRING"
        ? { ...base, converted_type: "UTF8", logical_type: { type: "STRING" } }
        : undefined;
    case "INT32":
    case "INT64": {
      const plainSigned =
        (converted === undefined || converted === (type === "INT32" ? "INT_32" : "INT_64")) &&
        (logical === undefined ||
          (logical.type === "INTEGER" &&
            logical.isSigned &&
            logical.bitWidth === (type === "INT32" ? 32 : 64)));
      if (plainSigned) return base;
      const known =
        (converted === undefined ||
          INT_ANNOTATIONS.includes(converted) ||
          TIME_ANNOTATIONS.includes(converted)) &&
        (logical === undefined || ["INTEGER", "DATE", "TIME", "TIMESTAMP"].includes(logical.type));
      if (!known) return undefined;
      // hyparquet-writer encodes an INTEGER logical type's bit width as the wrong thrift type, which pyarrow
      // refuses; the converted type alone (INT_8, UINT_64) says the same to every reader.
      if (logical?.type === "INTEGER") {
        const prefix = logical.isSigned ? "INT" : "UINT";
        return {
          ...base,
          converted_type: converted ?? (`${prefix}_${logical.bitWidth}` as SchemaElement["converted_type"]),
        } as SchemaElement;
      }
      return withoutUndefined(annotated);
    }
    default:
      return undefined;
  }
}

/**
 * The file's metadata as hyparquet should read the stored columns: DECIMAL columns without their annotation,
 * so it gives their unscaled integers (or bytes) rather than a double, which cannot hold every decimal.
 */
export function storedReadMetadata(metadata: FileMetaData, decimals: ReadonlySet<string>): FileMetaData {
  if (decimals.size === 0) return metadata;
  const schema = metadata.schema.map((element, i) => {
    if (i === 0 || !decimals.has(element.name) || (element.num_children ?? 0) > 0) return element;
    const { converted_type: _converted, logical_type: _logical, ...physical } = element;
    return physical;
  });
  return { ...metadata, schema };
}

export function isDecimal(element: SchemaElement): boolean {
  return element.converted_type === "DECIMAL" || element.logical_type?.type === "DECIMAL";
}

/** hyparquet's values [from, to) of a stored column as stored values: missing as null, decimals unscaled. */
export function storedValues(
  element: SchemaElement,
  decoded: ArrayLike<unknown>,
  from: number,
  to: number,
): StoredValue[] {
  const values = new Array<StoredValue>(to - from);
  const decimal = isDecimal(element);
  for (let i = from; i < to; i++) {
    const value = decoded[i];
    if (value === undefined || value === null) values[i - from] = null;
    else if (decimal) values[i - from] = unscaledDecimal(value);
    else values[i - from] = value as StoredValue;
  }
  return values;
}

/** The unit of a DATE or TIMESTAMP column's stored numbers, else undefined (TIME columns: `timeOfDayUnit`). */
export function timeUnit(element: SchemaElement): TimestampUnit | undefined {
  const logical = element.logical_type;
  if (logical?.type === "TIMESTAMP") return logical.unit;
  if (logical?.type === "DATE" || element.converted_type === "DATE") return "DAYS";
  if (element.converted_type === "TIMESTAMP_MILLIS") return "MILLIS";
  if (element.converted_type === "TIMESTAMP_MICROS") return "MICROS";
  return undefined;
}

/** The unit of a TIME column's stored numbers (time since midnight), else undefined. */
export function timeOfDayUnit(element: SchemaElement): Exclude<TimestampUnit, "DAYS"> | undefined {
  const logical = element.logical_type;
  if (logical?.type === "TIME") return logical.unit;
  if (element.converted_type === "TIME_MILLIS") return "MILLIS";
  if (element.converted_type === "TIME_MICROS") return "MICROS";
  return undefined;
}

/** Whether a timestamp column's values are instants (UTC) rather than wall-clock times. */
export function isUtcTimestamp(element: SchemaElement): boolean {
  const logical = element.logical_type;
  if (logical?.type === "TIMESTAMP") return logical.isAdjustedToUTC;
  return element.converted_type === "TIMESTAMP_MILLIS" || element.converted_type === "TIMESTAMP_MICROS";
}

/**
 * A row group's entry from a footer hyparquet parsed, fit to be written again: hyparquet gives a DECIMAL column's
 * min and max as doubles, which may round past the values they bound, so they are left out (null counts stay).
 * Timestamps and dates stay exact when the footer was parsed with STORED_PARSERS.
 */
export function rewritableRowGroup<Group extends { columns: readonly ColumnChunkLike[] }>(
  group: Group,
  schema: readonly SchemaElement[],
): Group {
  const decimals = new Set(schema.filter(isDecimal).map((element) => element.name));
  if (decimals.size === 0) return group;
  const columns = group.columns.map((chunk) => {
    const meta = chunk.meta_data;
    const name = meta?.path_in_schema[0];
    if (meta?.statistics === undefined || name === undefined || !decimals.has(name)) return chunk;
    const { null_count } = meta.statistics;
    const statistics = null_count === undefined ? {} : { null_count };
    return { ...chunk, meta_data: { ...meta, statistics } };
  });
  return { ...group, columns };
}

interface ColumnChunkLike {
  meta_data?:
    { path_in_schema: readonly string[]; statistics?: { null_count?: bigint } | undefined } | undefined;
}

/** A decimal's unscaled value from what hyparquet gives without the annotation: a number, a BigInt or bytes. */
function unscaledDecimal(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  const bytes = value as Uint8Array;
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  // Two's complement, big-endian.
  return bytes.length > 0 ? BigInt.asIntN(bytes.length * 8, unscaled) : 0n;
}

/** The fewest bytes whose two's complement holds every decimal of `precision` digits (pyarrow's width). */
function fixedDecimalBytes(precision: number | undefined): number | undefined {
  if (precision === undefined || !Number.isInteger(precision) || precision < 1) return undefined;
  const limit = 10n ** BigInt(precision);
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) < limit) bytes++;
  return bytes;
}

function withoutUndefined(element: Record<string, unknown>): SchemaElement {
  return Object.fromEntries(
    Object.entries(element).filter(([, value]) => value !== undefined),
  ) as unknown as SchemaElement;
}
