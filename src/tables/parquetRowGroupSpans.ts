/**
 * Row groups as byte ranges, so they can be moved between Parquet files without decoding them: a row group of
 * one file is valid in any file with the same schema once the absolute offsets in its footer entry are moved
 * by as many bytes as its bytes were. This is how a Parquet writer appends a part file (batch prediction's
 * resumable chunks) by copying it rather than decoding and re-encoding every value.
 */

import type { ColumnChunk, FileMetaData, RowGroup, SchemaElement } from "hyparquet";

/** A row group's bytes: [start, end) of its file, covering all its column chunks. */
export interface RowGroupSpan {
  start: number;
  end: number;
  rowGroup: RowGroup;
}

export function rowGroupSpans(metadata: FileMetaData): RowGroupSpan[] {
  return metadata.row_groups.map((rowGroup) => {
    let start = Infinity;
    let end = 0;
    for (const column of rowGroup.columns) {
      const meta = column.meta_data;
      if (meta === undefined || column.file_path !== undefined) {
        throw new Error("a column chunk kept in another file cannot be copied");
      }
      const first = chunkStart(column);
      start = Math.min(start, first);
      end = Math.max(end, first + Number(meta.total_compressed_size));
    }
    return { start: start === Infinity ? 0 : start, end, rowGroup };
  });
}

/** Where a column chunk's bytes begin: its dictionary page when it has one, else its first data page. */
function chunkStart(column: ColumnChunk): number {
  const meta = column.meta_data;
  if (meta === undefined) return Number(column.file_offset);
  const dictionary = meta.dictionary_page_offset;
  // Some writers record a dictionary offset of 0 for chunks without a dictionary; 0 is the magic number.
  const offsets = [
    meta.data_page_offset,
    ...(dictionary !== undefined && dictionary > 0n ? [dictionary] : []),
  ];
  if (meta.index_page_offset !== undefined && meta.index_page_offset > 0n)
    offsets.push(meta.index_page_offset);
  return Number(offsets.reduce((a, b) => (b < a ? b : a)));
}

/**
 * The footer entry of a row group whose bytes moved by `delta`. Page indexes and Bloom filters live outside
 * the row group's span and are not moved with it, so their references are dropped.
 */
export function relocatedRowGroup(rowGroup: RowGroup, delta: bigint): RowGroup {
  const columns = rowGroup.columns.map((column): ColumnChunk => {
    const meta = column.meta_data;
    const moved: ColumnChunk = { file_offset: column.file_offset + delta };
    if (meta === undefined) return moved;
    const { bloom_filter_offset: _bloomOffset, bloom_filter_length: _bloomLength, ...kept } = meta;
    return {
      ...moved,
      meta_data: {
        ...kept,
        data_page_offset: meta.data_page_offset + delta,
        ...(meta.dictionary_page_offset !== undefined && meta.dictionary_page_offset > 0n
          ? { dictionary_page_offset: meta.dictionary_page_offset + delta }
          : {}),
        ...(meta.index_page_offset !== undefined && meta.index_page_offset > 0n
          ? { index_page_offset: meta.index_page_offset + delta }
          : {}),
      },
    };
  });
  const { file_offset: fileOffset, ...rest } = rowGroup;
  return {
    ...rest,
    columns,
    ...(fileOffset !== undefined ? { file_offset: fileOffset + delta } : {}),
  };
}

/** Whether two schemas' columns are written alike (names, types, nullability), so row groups move between them. */
export function sameLeafSchema(a: readonly SchemaElement[], b: readonly SchemaElement[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((element, i) => leafKey(element) === leafKey(b[i] as SchemaElement));
}

function leafKey(element: SchemaElement): string {
  return JSON.stringify([
    element.name,
    element.type ?? null,
    element.type_length ?? null,
    element.repetition_type ?? null,
    element.num_children ?? null,
    element.converted_type ?? null,
    element.scale ?? null,
    element.precision ?? null,
    element.logical_type ?? null,
  ]);
}
