/**
 * The Parquet reader's fast path for flat numeric columns. hyparquet assembles every value of an OPTIONAL
 * column (what pandas, pyarrow and our own writer write) into a plain Array one at a time, even when it holds
 * no nulls, and the reader then copied that into cells: most of the time of reading a wide numeric file. Here a
 * column whose every column chunk is a top-level FLOAT, DOUBLE, INT32 or INT64 leaf, with no logical type that
 * changes its values in hyparquet, stored in a codec parquetDecompressors.ts reads, is decoded page by page
 * (parquetPlainPage.ts) into the typed array hyparquet gives for a REQUIRED PLAIN column of that type.
 *
 * A column is read here only for windows without nulls: a row group whose statistics count nulls, or a page
 * whose definition levels show one, sends the column back to hyparquet for the window (decided before any of
 * its values are handed out, so nothing is mixed); an encoding other than PLAIN or dictionary sends it back for
 * good. A page that contradicts its header throws. Consecutive windows continue from a per-column cursor (the
 * next page's byte offset and first row, the dictionary, the last decoded page), so a row group larger than a
 * window is neither fetched nor decompressed again for each window; pages before a window are skipped by their
 * headers' row counts.
 */

import { endianness } from "node:os";

import type { AsyncBuffer, FileMetaData, PageHeader, SchemaElement } from "hyparquet";

import { isReadableCodec, type ReadableCodec } from "./parquetDecompressors.js";
import { pageHeaderProblem } from "./parquetPageHeaderCheck.js";
import {
  copyRows,
  dataPageRows,
  decodeDataPage,
  decodeDictionaryPage,
  newValues,
  type DecodedPage,
  type PageFallback,
  type PlainColumnFormat,
  type PlainType,
  type PlainValues,
} from "./parquetPlainPage.js";

export type { PlainValues } from "./parquetPlainPage.js";

/** Bytes fetched for a page header, and read past a page for the next one's; a header rarely needs 100. */
const HEADER_BYTES = 256;
/** A header larger than this (statistics of huge values) is taken for garbage. */
const MAX_HEADER_BYTES = 1 << 20;

export interface PlainPiece {
  /** The file row of `values[0]`. */
  rowStart: number;
  values: PlainValues;
}

/** One row group's column chunk: its rows and the bytes of its pages. */
interface ChunkSpan {
  groupStart: number;
  rows: number;
  start: number;
  end: number;
  codec: ReadableCodec;
  /** From the chunk's statistics, when they say. */
  nullCount: number | undefined;
}

interface Cursor {
  group: number;
  /** File offset of the next page header. */
  offset: number;
  /** Row within the group where the next page starts. */
  nextRow: number;
  dictionary: PlainValues | undefined;
  page: { firstRow: number; rows: number; decoded: DecodedPage } | undefined;
  /** The file row the last read ended at. */
  position: number;
  /** The last bytes fetched, which may hold the next page header. */
  held: { offset: number; bytes: Uint8Array } | undefined;
}

interface PlainColumn {
  name: string;
  format: PlainColumnFormat;
  spans: ChunkSpan[];
  cursor: Cursor | undefined;
  groupsWithNulls: Set<number>;
  unsupported: boolean;
}

type HeaderParser = (reader: { view: DataView; offset: number }) => PageHeader;

/** The fast-path state of one pass over one open file. */
export class ParquetPlainColumns {
  private readonly columns: ReadonlyMap<string, PlainColumn>;

  constructor(
    private readonly file: AsyncBuffer,
    metadata: FileMetaData,
  ) {
    this.columns = plainColumns(metadata);
  }

  /**
   * Rows [rowStart, rowEnd) of each named column this can read for that window, in pieces of one row group
   * each; the names it leaves out are for hyparquet. Throws when a page is malformed.
   */
  async read(names: readonly string[], rowStart: number, rowEnd: number): Promise<Map<string, PlainPiece[]>> {
    const candidates = names.flatMap((name) => {
      const column = this.columns.get(name);
      return column === undefined || column.unsupported ? [] : [column];
    });
    const result = new Map<string, PlainPiece[]>();
    if (candidates.length === 0 || rowEnd <= rowStart) return result;
    // The same module instance hyparquet's reader uses, loaded lazily for the reason parquetReader.ts gives.
    const { parquetHeader } = await import("hyparquet/src/column.js");
    const pieces = await Promise.all(
      candidates.map((column) => this.readColumn(column, rowStart, rowEnd, parquetHeader)),
    );
    candidates.forEach((column, i) => {
      const columnPieces = pieces[i];
      if (columnPieces !== undefined) result.set(column.name, columnPieces);
    });
    return result;
  }

  private async readColumn(
    column: PlainColumn,
    rowStart: number,
    rowEnd: number,
    parseHeader: HeaderParser,
  ): Promise<PlainPiece[] | undefined> {
    const groups = column.spans.flatMap((span, group) =>
      span.groupStart < rowEnd && span.groupStart + span.rows > rowStart ? [group] : [],
    );
    const hasNulls = (group: number): boolean =>
      column.groupsWithNulls.has(group) || (column.spans[group]?.nullCount ?? 0) > 0;
    if (groups.some(hasNulls)) return undefined;
    if (column.cursor?.position !== rowStart) column.cursor = undefined;
    const pieces: PlainPiece[] = [];
    for (const group of groups) {
      const span = column.spans[group] as ChunkSpan;
      const from = Math.max(rowStart, span.groupStart);
      const to = Math.min(rowEnd, span.groupStart + span.rows);
      const cursor = column.cursor?.group === group ? column.cursor : openCursor(group, span);
      column.cursor = cursor;
      const values = newValues(column.format.type, to - from);
      const fallback = await this.fill(column, cursor, span, values, from - span.groupStart, parseHeader);
      if (fallback !== undefined) {
        column.cursor = undefined;
        if (fallback === "nulls") column.groupsWithNulls.add(group);
        else column.unsupported = true;
        return undefined;
      }
      cursor.position = to;
      pieces.push({ rowStart: from, values });
    }
    return pieces;
  }

  /** Fills `out` with the group's rows from `firstRow` on, reading pages from the cursor. */
  private async fill(
    column: PlainColumn,
    cursor: Cursor,
    span: ChunkSpan,
    out: PlainValues,
    firstRow: number,
    parseHeader: HeaderParser,
  ): Promise<PageFallback | undefined> {
    let filled = 0;
    while (filled < out.length) {
      const row = firstRow + filled;
      const page = cursor.page;
      if (page !== undefined && row >= page.firstRow && row < page.firstRow + page.rows) {
        const count = Math.min(out.length - filled, page.firstRow + page.rows - row);
        copyRows(page.decoded, out, filled, row - page.firstRow, count);
        filled += count;
        continue;
      }
      if (row < cursor.nextRow) {
        Object.assign(cursor, openCursor(cursor.group, span));
        continue;
      }
      if (cursor.offset >= span.end) {
        throw new Error(
          `column '${column.name}' ends after row ${cursor.nextRow} of the ${span.rows} of row group ${cursor.group + 1}`,
        );
      }
      const { header, length } = await this.readHeader(cursor, span, parseHeader);
      const bodyStart = cursor.offset + length;
      const bodyEnd = bodyStart + header.compressed_page_size;
      if (bodyEnd > span.end) {
        throw new Error(
          `a page of column '${column.name}' at byte ${cursor.offset} runs past its column chunk`,
        );
      }
      if (header.type === "DICTIONARY_PAGE") {
        const body = await this.bytes(cursor, span, bodyStart, bodyEnd, HEADER_BYTES);
        const result = decodeDictionaryPage(header, body, column.format, span.codec);
        if ("fallback" in result) return result.fallback;
        cursor.dictionary = result.decoded;
        cursor.offset = bodyEnd;
        continue;
      }
      if (header.type !== "DATA_PAGE" && header.type !== "DATA_PAGE_V2") {
        throw new Error(`column '${column.name}' has a page of unsupported type ${String(header.type)}`);
      }
      const rows = dataPageRows(header);
      if (cursor.nextRow + rows > span.rows) {
        throw new Error(
          `column '${column.name}' has more rows than the ${span.rows} of row group ${cursor.group + 1}`,
        );
      }
      if (cursor.nextRow + rows > row) {
        const body = await this.bytes(cursor, span, bodyStart, bodyEnd, HEADER_BYTES);
        const result = decodeDataPage(header, body, column.format, span.codec, cursor.dictionary);
        if ("fallback" in result) return result.fallback;
        cursor.page = { firstRow: cursor.nextRow, rows, decoded: result.decoded };
      }
      cursor.nextRow += rows;
      cursor.offset = bodyEnd;
    }
    return undefined;
  }

  /** The page header at the cursor, from the bytes already held when they reach that far. */
  private async readHeader(
    cursor: Cursor,
    span: ChunkSpan,
    parseHeader: HeaderParser,
  ): Promise<{ header: PageHeader; length: number }> {
    for (let want = HEADER_BYTES; ; want *= 4) {
      const end = Math.min(span.end, cursor.offset + want);
      const bytes = await this.bytes(cursor, span, cursor.offset, end, 0);
      const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
      let reason: string;
      try {
        const header = parseHeader(reader);
        const problem = pageHeaderProblem(header);
        if (problem === undefined) return { header, length: reader.offset };
        reason = problem;
      } catch (error) {
        // A header cut short by the fetch reads past its bytes; fetch more, up to the chunk's end.
        if (end < span.end && want < MAX_HEADER_BYTES) continue;
        reason = error instanceof Error ? error.message : String(error);
      }
      throw new Error(`no valid page header at byte ${cursor.offset} (${reason})`);
    }
  }

  /** File bytes [start, end), fetched with `ahead` more (within the chunk) unless already held. */
  private async bytes(
    cursor: Cursor,
    span: ChunkSpan,
    start: number,
    end: number,
    ahead: number,
  ): Promise<Uint8Array> {
    const held = cursor.held;
    if (held !== undefined && start >= held.offset && end <= held.offset + held.bytes.length) {
      return held.bytes.subarray(start - held.offset, end - held.offset);
    }
    const bytes = new Uint8Array(await this.file.slice(start, Math.min(span.end, end + ahead)));
    if (bytes.length < end - start) throw new Error(`the file ends before byte ${end}`);
    cursor.held = { offset: start, bytes };
    return bytes.subarray(0, end - start);
  }
}

function openCursor(group: number, span: ChunkSpan): Cursor {
  return {
    group,
    offset: span.start,
    nextRow: 0,
    dictionary: undefined,
    page: undefined,
    position: span.groupStart,
    held: undefined,
  };
}

/** The columns every row group of which the fast path can read, by name. */
function plainColumns(metadata: FileMetaData): Map<string, PlainColumn> {
  const columns = new Map<string, PlainColumn>();
  // PLAIN values are copied as the host's own number bytes, which Parquet defines as little-endian.
  if (endianness() !== "LE") return columns;
  for (const [name, element] of topLevelLeaves(metadata.schema)) {
    const format = plainFormat(element);
    const spans = format === undefined ? undefined : chunkSpans(metadata, name, format.type);
    if (format !== undefined && spans !== undefined) {
      columns.set(name, {
        name,
        format,
        spans,
        cursor: undefined,
        groupsWithNulls: new Set(),
        unsupported: false,
      });
    }
  }
  return columns;
}

/** Top-level fields without children, by name; a name used twice is left out. */
function topLevelLeaves(schema: readonly SchemaElement[]): Map<string, SchemaElement> {
  const fields = new Map<string, SchemaElement | undefined>();
  let index = 1;
  for (let child = 0; child < (schema[0]?.num_children ?? 0) && index < schema.length; child++) {
    const element = schema[index] as SchemaElement;
    const leaf = (element.num_children ?? 0) === 0;
    fields.set(element.name, fields.has(element.name) || !leaf ? undefined : element);
    // Skip the field's subtree: each element opens num_children more slots.
    for (let open = 1; open > 0 && index < schema.length; index++) {
      open += (schema[index]?.num_children ?? 0) - 1;
    }
  }
  const leaves = new Map<string, SchemaElement>();
  for (const [name, element] of fields) if (element !== undefined) leaves.set(name, element);
  return leaves;
}

/**
 * The format of a column whose values hyparquet returns as they are stored (convert.js passes signed integer
 * annotations through; dates, timestamps, decimals and unsigned integers it converts, so those stay with it).
 */
function plainFormat(element: SchemaElement): PlainColumnFormat | undefined {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (type !== "FLOAT" && type !== "DOUBLE" && type !== "INT32" && type !== "INT64") return undefined;
  if (element.repetition_type === "REPEATED") return undefined;
  const signedInteger: readonly (string | undefined)[] =
    type === "INT32"
      ? [undefined, "INT_8", "INT_16", "INT_32"]
      : type === "INT64"
        ? [undefined, "INT_64"]
        : [undefined];
  if (!signedInteger.includes(converted)) return undefined;
  if (logical !== undefined && !(logical.type === "INTEGER" && logical.isSigned && type.startsWith("INT"))) {
    return undefined;
  }
  return { type, optional: element.repetition_type !== "REQUIRED" };
}

/** Where each row group's chunk of the column lies, or undefined when one cannot be read here. */
function chunkSpans(metadata: FileMetaData, name: string, type: PlainType): ChunkSpan[] | undefined {
  const spans: ChunkSpan[] = [];
  let groupStart = 0;
  for (const rowGroup of metadata.row_groups) {
    const chunks = rowGroup.columns.filter((chunk) => chunk.meta_data?.path_in_schema[0] === name);
    const chunk = chunks[0];
    const meta = chunk?.meta_data;
    if (chunks.length !== 1 || chunk?.file_path !== undefined || meta === undefined) return undefined;
    if (meta.path_in_schema.length !== 1 || meta.type !== type) return undefined;
    if (!isReadableCodec(meta.codec)) return undefined;
    // As hyparquet locates a chunk: some writers store a dictionary offset of 0 for "none".
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const rows = Number(rowGroup.num_rows);
    const nullCount = meta.statistics?.null_count;
    spans.push({
      groupStart,
      rows,
      start,
      end: start + Number(meta.total_compressed_size),
      codec: meta.codec,
      nullCount: nullCount === undefined ? undefined : Number(nullCount),
    });
    groupStart += rows;
  }
  return spans;
}
