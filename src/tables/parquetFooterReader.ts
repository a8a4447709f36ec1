/**
 * Parquet footers read with every character of their text, as pyarrow reads them. hyparquet's metadata.js
 * decodes column names, paths and key-value metadata with a private default TextDecoder, which drops a leading
 * U+FEFF (taking it for a byte order mark), and takes no option for it: a column pandas writes as "\uFEFFid"
 * would be read as "id", and a file FlowOps writes part by part would no longer match its own columns.
 *
 * So hyparquet parses the footer as usual and, only when the footer's bytes hold EF BB BF (U+FEFF in UTF-8,
 * which few footers do), its strings are decoded again from hyparquet's own thrift parse of the same bytes:
 * one more pass over that footer, none over any other. Statistics and values are decoded by hyparquet through
 * the parsers of parquetText.ts, which every read here is given.
 */

import { parquetMetadata } from "hyparquet";
import type { AsyncBuffer, FileMetaData, KeyValue, MetadataOptions } from "hyparquet";
import { defaultInitialFetchSize } from "hyparquet/src/metadata.js";
import { deserializeTCompactProtocol } from "hyparquet/src/thrift.js";

import { PARQUET_TEXT_PARSERS, parquetText } from "./parquetText.js";

/** "PAR1", little-endian. */
const PARQUET_MAGIC = 0x31524150;
/** U+FEFF in UTF-8. */
const FEFF_UTF8 = Buffer.from([0xef, 0xbb, 0xbf]);

/** A footer as hyparquet's thrift parser gives it: structs of `field_<id>` keys. */
type ThriftStruct = Record<`field_${number}`, unknown>;

/**
 * hyparquet's `parquetMetadata` with every string kept: `file` ends with the footer, its length and "PAR1" (a
 * whole file, or its tail). Text parsers are added under `options.parsers`.
 */
export function readParquetMetadata(
  file: ArrayBuffer | Uint8Array,
  options: MetadataOptions = {},
): FileMetaData {
  const metadata = parquetMetadata(file, {
    ...options,
    parsers: { ...PARQUET_TEXT_PARSERS, ...options.parsers },
  });
  const bytes = file instanceof Uint8Array ? file : new Uint8Array(file);
  const start = bytes.length - 8 - metadata.metadata_length;
  const footer = Buffer.from(bytes.buffer, bytes.byteOffset + start, metadata.metadata_length);
  if (footer.indexOf(FEFF_UTF8) >= 0) {
    // The same view and offset hyparquet parsed from, so the parse ends where its did.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    restoreText(metadata, deserializeTCompactProtocol({ view, offset: start }));
  }
  return metadata;
}

/**
 * hyparquet's `parquetMetadataAsync` with every string kept, fetching as it does: the file's last 512 KiB, which
 * hold most footers, and then the whole footer when it is larger.
 */
export async function readParquetMetadataAsync(
  file: AsyncBuffer,
  options: MetadataOptions = {},
): Promise<FileMetaData> {
  const tailStart = Math.max(0, file.byteLength - defaultInitialFetchSize);
  const tail = await file.slice(tailStart, file.byteLength);
  const footerStart = file.byteLength - 8 - footerLength(tail);
  if (footerStart >= 0 && footerStart < tailStart) {
    return readParquetMetadata(await file.slice(footerStart, file.byteLength), options);
  }
  // A footer longer than the file is refused by hyparquet's parse, naming both lengths.
  return readParquetMetadata(tail, options);
}

/** The footer length stored before "PAR1", or 0 when there is none (the parse then says what is wrong). */
function footerLength(tail: ArrayBuffer): number {
  const view = new DataView(tail);
  if (view.byteLength < 8 || view.getUint32(view.byteLength - 4, true) !== PARQUET_MAGIC) return 0;
  return view.getUint32(view.byteLength - 8, true);
}

/**
 * Every string of `metadata` that hyparquet's metadata.js decodes, again from the thrift fields (FileMetaData,
 * SchemaElement, RowGroup, ColumnChunk, ColumnMetaData and KeyValue field ids of parquet.thrift). Paths in
 * schema too: hyparquet finds a column chunk's column by them.
 */
function restoreText(metadata: FileMetaData, raw: ThriftStruct): void {
  const elements = structs(raw.field_2);
  metadata.schema.forEach((element, i) => {
    const name = text(elements[i]?.field_4);
    if (name !== undefined) element.name = name;
  });
  const groups = structs(raw.field_4);
  metadata.row_groups.forEach((group, g) => {
    const chunks = structs(groups[g]?.field_1);
    group.columns.forEach((chunk, c) => {
      const rawChunk = chunks[c];
      const filePath = text(rawChunk?.field_1);
      if (filePath !== undefined) chunk.file_path = filePath;
      const rawMeta = rawChunk?.field_3 as ThriftStruct | undefined;
      const meta = chunk.meta_data;
      if (meta === undefined || rawMeta === undefined) return;
      const path = Array.isArray(rawMeta.field_3) ? rawMeta.field_3 : [];
      meta.path_in_schema = meta.path_in_schema.map((part, p) => text(path[p]) ?? part);
      if (meta.key_value_metadata !== undefined) {
        meta.key_value_metadata = keyValues(meta.key_value_metadata, rawMeta.field_8);
      }
    });
  });
  if (metadata.key_value_metadata !== undefined) {
    metadata.key_value_metadata = keyValues(metadata.key_value_metadata, raw.field_5);
  }
  const createdBy = text(raw.field_6);
  if (createdBy !== undefined) metadata.created_by = createdBy;
}

function keyValues(decoded: readonly KeyValue[], raw: unknown): KeyValue[] {
  const pairs = structs(raw);
  return decoded.map((pair, i) => {
    const key = text(pairs[i]?.field_1) ?? pair.key;
    const value = text(pairs[i]?.field_2) ?? pair.value;
    return value === undefined ? { key } : { key, value };
  });
}

function structs(value: unknown): readonly (ThriftStruct | undefined)[] {
  return Array.isArray(value) ? (value as (ThriftStruct | undefined)[]) : [];
}

function text(value: unknown): string | undefined {
  return value instanceof Uint8Array ? parquetText(value) : undefined;
}
