/**
 * The Parquet footer (thrift FileMetaData, compact protocol, then its length), written field by field.
 *
 * hyparquet-writer's writeMetadata builds an object of `field_<n>` keys for the whole footer and serialises it
 * generically (a regular expression per field name, a type guess per value, a TextEncoder per string): about
 * 1.8 ms per row group of 23 columns. Batch prediction writes one footer per part and one listing every part's
 * row group, so that was a tenth of `flowops predict`. This writes the same bytes directly: each value gets the
 * compact type hyparquet-writer would give it (a JS integer is i32, a bigint i64), so a footer is byte for byte
 * the one writeMetadata writes (parquetFooter.test.ts compares them). Footers with parts this does not know
 * (logical types, sorting columns, geospatial statistics, encrypted columns) go to writeMetadata.
 */
import {
  CompressionCodecs,
  ConvertedTypes,
  Encodings,
  FieldRepetitionTypes,
  PageTypes,
  ParquetTypes,
} from "hyparquet/src/constants.js";
import type { ByteWriter } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { schemaPathResolver } from "hyparquet-writer/src/schema.js";
import { unconvertStatistics } from "hyparquet-writer/src/unconvert.js";

type FooterMetadata = Parameters<typeof writeMetadata>[1];
type FooterSchemaElement = FooterMetadata["schema"][number];
type FooterRowGroup = FooterMetadata["row_groups"][number];
type FooterColumnChunk = FooterRowGroup["columns"][number];
type FooterColumnMetaData = NonNullable<FooterColumnChunk["meta_data"]>;
type FooterStatistics = NonNullable<FooterColumnMetaData["statistics"]>;

// Compact protocol type ids.
const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

/** The statistics struct's fields in id order, as unconvertStatistics names them. */
const STATISTICS_FIELDS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

const utf8 = new TextEncoder();

/** Writes `metadata` and its length as hyparquet-writer's writeMetadata does (same bytes). */
export function writeParquetFooter(out: ByteWriter, metadata: FooterMetadata): void {
  if (!directlyWritable(metadata)) {
    writeMetadata(out, metadata);
    return;
  }
  const start = out.offset;
  new FooterEncoder(out, metadata.schema).fileMetaData(metadata);
  out.appendUint32(out.offset - start);
}

function directlyWritable(metadata: FooterMetadata): boolean {
  if (metadata.schema.some((element) => element.logical_type !== undefined)) return false;
  return metadata.row_groups.every(
    (group) =>
      group.sorting_columns === undefined &&
      group.columns.every(
        (chunk) =>
          chunk.encrypted_column_metadata === undefined &&
          chunk.meta_data?.geospatial_statistics === undefined,
      ),
  );
}

class FooterEncoder {
  /** The last field id written in each open struct, innermost last. */
  private readonly lastFields: number[] = [];
  private lastField = 0;
  private readonly resolvePath: ReturnType<typeof schemaPathResolver>;
  private readonly elements = new Map<string, FooterSchemaElement>();

  constructor(
    private readonly out: ByteWriter,
    schema: FooterSchemaElement[],
  ) {
    this.resolvePath = schemaPathResolver(schema);
  }

  fileMetaData(metadata: FooterMetadata): void {
    this.openStruct();
    this.value(1, metadata.version);
    this.structList(2, metadata.schema, (element) => this.schemaElement(element));
    this.value(3, metadata.num_rows);
    this.structList(4, metadata.row_groups, (group) => this.rowGroup(group));
    if (metadata.key_value_metadata !== undefined) {
      this.structList(5, metadata.key_value_metadata, (entry) => {
        this.value(1, entry.key);
        this.value(2, entry.value);
      });
    }
    this.value(6, metadata.created_by);
    // Column orders: TypeDefinedOrder for every leaf, as writeMetadata lists them.
    const leaves = metadata.schema.filter((element) => Boolean(element.type));
    this.structList(7, leaves, () => {
      this.fieldHeader(1, STRUCT);
      this.openStruct();
      this.closeStruct();
    });
    this.closeStruct();
  }

  private schemaElement(element: FooterSchemaElement): void {
    this.value(1, element.type && ParquetTypes.indexOf(element.type));
    this.value(2, element.type_length);
    this.value(3, element.repetition_type && FieldRepetitionTypes.indexOf(element.repetition_type));
    this.value(4, element.name);
    this.value(5, element.num_children);
    this.value(6, element.converted_type && ConvertedTypes.indexOf(element.converted_type));
    this.value(7, element.scale);
    this.value(8, element.precision);
    this.value(9, element.field_id);
  }

  private rowGroup(group: FooterRowGroup): void {
    this.structList(1, group.columns, (chunk) => this.columnChunk(chunk));
    this.value(2, group.total_byte_size);
    this.value(3, group.num_rows);
    this.value(5, group.file_offset);
    this.value(6, group.total_compressed_size);
  }

  private columnChunk(chunk: FooterColumnChunk): void {
    this.value(1, chunk.file_path);
    this.value(2, chunk.file_offset);
    if (chunk.meta_data !== undefined) {
      this.fieldHeader(3, STRUCT);
      this.openStruct();
      this.columnMetaData(chunk.meta_data);
      this.closeStruct();
    }
    this.value(4, chunk.offset_index_offset);
    this.value(5, chunk.offset_index_length);
    this.value(6, chunk.column_index_offset);
    this.value(7, chunk.column_index_length);
  }

  private columnMetaData(meta: FooterColumnMetaData): void {
    this.value(1, ParquetTypes.indexOf(meta.type));
    this.scalarList(
      2,
      meta.encodings.map((encoding) => Encodings.indexOf(encoding)),
    );
    this.scalarList(3, meta.path_in_schema);
    this.value(4, CompressionCodecs.indexOf(meta.codec));
    this.value(5, meta.num_values);
    this.value(6, meta.total_uncompressed_size);
    this.value(7, meta.total_compressed_size);
    if (meta.key_value_metadata !== undefined) {
      this.structList(8, meta.key_value_metadata, (entry) => {
        this.value(1, entry.key);
        this.value(2, entry.value);
      });
    }
    this.value(9, meta.data_page_offset);
    this.value(10, meta.index_page_offset);
    this.value(11, meta.dictionary_page_offset);
    if (meta.statistics !== undefined) {
      this.fieldHeader(12, STRUCT);
      this.openStruct();
      this.statistics(meta.statistics, this.element(meta.path_in_schema));
      this.closeStruct();
    }
    if (meta.encoding_stats !== undefined) {
      this.structList(13, meta.encoding_stats, (stats) => {
        this.value(1, PageTypes.indexOf(stats.page_type));
        this.value(2, Encodings.indexOf(stats.encoding));
        this.value(3, stats.count);
      });
    }
    this.value(14, meta.bloom_filter_offset);
    this.value(15, meta.bloom_filter_length);
    const sizes = meta.size_statistics;
    if (sizes !== undefined) {
      this.fieldHeader(16, STRUCT);
      this.openStruct();
      this.value(1, sizes.unencoded_byte_array_data_bytes);
      if (sizes.repetition_level_histogram !== undefined)
        this.scalarList(2, sizes.repetition_level_histogram);
      if (sizes.definition_level_histogram !== undefined)
        this.scalarList(3, sizes.definition_level_histogram);
      this.closeStruct();
    }
  }

  /**
   * A plain number column's statistics are its min and max as little-endian bytes, written straight from the
   * values; anything else (text, decimals, dates) is converted by hyparquet-writer's unconvertStatistics.
   */
  private statistics(stats: FooterStatistics, element: FooterSchemaElement): void {
    const width = plainNumberWidth(element, stats);
    if (width === undefined) {
      const fields = unconvertStatistics(stats, element) as Record<string, unknown>;
      for (const id of STATISTICS_FIELDS) this.value(id, fields[`field_${id}`]);
      return;
    }
    this.plainNumber(1, stats.max, element, width);
    this.plainNumber(2, stats.min, element, width);
    this.value(3, stats.null_count);
    this.value(4, stats.distinct_count);
    this.plainNumber(5, stats.max_value, element, width);
    this.plainNumber(6, stats.min_value, element, width);
    // Number bounds are never truncated, so exactness is only ever what the statistics say.
    this.value(7, stats.is_max_value_exact);
    this.value(8, stats.is_min_value_exact);
    this.value(9, (stats as { nan_count?: unknown }).nan_count);
  }

  private plainNumber(id: number, value: unknown, element: FooterSchemaElement, width: number): void {
    if (value === undefined || value === null) return;
    this.fieldHeader(id, BINARY);
    this.out.appendVarInt(width);
    switch (element.type) {
      case "FLOAT":
        this.out.appendFloat32(value as number);
        return;
      case "DOUBLE":
        this.out.appendFloat64(value as number);
        return;
      case "INT32":
        this.out.appendInt32(value as number);
        return;
      default:
        this.out.appendInt64(BigInt(value as number | bigint));
    }
  }

  /** The leaf element a column's path names (statistics are converted by its type). */
  private element(path: readonly string[]): FooterSchemaElement {
    const key = path.join("\u0000");
    let element = this.elements.get(key);
    if (element === undefined) {
      const trail = this.resolvePath([...path]);
      element = trail[trail.length - 1]?.element as FooterSchemaElement;
      this.elements.set(key, element);
    }
    return element;
  }

  private openStruct(): void {
    this.lastFields.push(this.lastField);
    this.lastField = 0;
  }

  private closeStruct(): void {
    this.out.appendUint8(STOP);
    this.lastField = this.lastFields.pop() ?? 0;
  }

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.lastField;
    if (delta > 0 && delta <= 15) {
      this.out.appendUint8((delta << 4) | type);
    } else {
      this.out.appendUint8(type);
      this.out.appendZigZag(id);
    }
    this.lastField = id;
  }

  /** A scalar field with the compact type writeMetadata's serialiser infers from the JS value; undefined is absent. */
  private value(id: number, value: unknown): void {
    if (value === undefined) return;
    if (typeof value === "boolean") {
      this.fieldHeader(id, value ? TRUE : FALSE);
      return;
    }
    const type = scalarType(value);
    this.fieldHeader(id, type);
    this.scalar(type, value);
  }

  private scalar(type: number, value: unknown): void {
    switch (type) {
      case I32:
        this.out.appendZigZag(value as number);
        return;
      case I64:
        this.zigZag64(value as bigint);
        return;
      case DOUBLE:
        this.out.appendFloat64(value as number);
        return;
      default: {
        const bytes = typeof value === "string" ? utf8.encode(value) : (value as Uint8Array);
        this.out.appendVarInt(bytes.length);
        this.out.appendBytes(bytes);
      }
    }
  }

  /** The zigzag varint of an i64 in number arithmetic when it is exact there (footer offsets and sizes are). */
  private zigZag64(value: bigint): void {
    if (value > -0x8000000000000n && value < 0x8000000000000n) {
      const n = Number(value);
      let zigzag = n >= 0 ? n * 2 : -n * 2 - 1;
      while (zigzag >= 0x80) {
        this.out.appendUint8((zigzag % 0x80) | 0x80);
        zigzag = Math.floor(zigzag / 0x80);
      }
      this.out.appendUint8(zigzag);
      return;
    }
    this.out.appendZigZag(value);
  }

  private structList<T>(id: number, items: readonly T[], writeItem: (item: T) => void): void {
    this.fieldHeader(id, LIST);
    this.listHeader(items.length, items.length === 0 ? 0 : STRUCT);
    for (const item of items) {
      this.openStruct();
      writeItem(item);
      this.closeStruct();
    }
  }

  private scalarList(id: number, items: readonly unknown[]): void {
    this.fieldHeader(id, LIST);
    const type = listElementType(items);
    this.listHeader(items.length, type);
    for (const item of items) {
      if (type === FALSE) this.out.appendUint8(item === true ? 1 : 0);
      else this.scalar(type, item);
    }
  }

  private listHeader(length: number, elementType: number): void {
    if (length > 14) {
      this.out.appendUint8((15 << 4) | elementType);
      this.out.appendVarInt(length);
    } else {
      this.out.appendUint8((length << 4) | elementType);
    }
  }
}

/**
 * The byte width of the column's min/max when they are plain numbers of a plain number type (what
 * unconvertStatistics would turn into that many little-endian bytes), else undefined.
 */
function plainNumberWidth(element: FooterSchemaElement, stats: FooterStatistics): number | undefined {
  if (element.converted_type !== undefined || element.logical_type !== undefined) return undefined;
  const bounds = [stats.max, stats.min, stats.max_value, stats.min_value];
  switch (element.type) {
    case "FLOAT":
    case "DOUBLE":
      if (!bounds.every((bound) => bound === undefined || bound === null || typeof bound === "number"))
        return undefined;
      return element.type === "FLOAT" ? 4 : 8;
    case "INT32":
      return bounds.every((bound) => bound === undefined || bound === null || typeof bound === "number")
        ? 4
        : undefined;
    case "INT64":
      return bounds.every(
        (bound) =>
          bound === undefined ||
          bound === null ||
          typeof bound === "bigint" ||
          (typeof bound === "number" && Number.isInteger(bound)),
      )
        ? 8
        : undefined;
    default:
      return undefined;
  }
}

function scalarType(value: unknown): number {
  if (typeof value === "number") return Number.isInteger(value) ? I32 : DOUBLE;
  if (typeof value === "bigint") return I64;
  if (typeof value === "string" || value instanceof Uint8Array) return BINARY;
  throw new Error(`the Parquet footer cannot hold the value ${String(value)}`);
}

/** A list's element type as writeMetadata's serialiser picks it: integers widen to double; empty lists are 0. */
function listElementType(items: readonly unknown[]): number {
  let type = 0;
  for (const item of items) {
    const own = typeof item === "boolean" ? FALSE : scalarType(item);
    if (type === 0) type = own;
    else if (type === I32 && own === DOUBLE) type = DOUBLE;
    else if (!(type === DOUBLE && own === I32) && own !== type) {
      throw new Error(`the Parquet footer cannot hold a list mixing ${type} and ${own} values`);
    }
  }
  return type;
}
