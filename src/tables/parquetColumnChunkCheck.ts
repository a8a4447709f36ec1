/**
 * Checks the pages of a column chunk before hyparquet decodes them. hyparquet trusts what a page header says
 * and what the runs of levels and values say: a header without a required field sent its level reader to a NaN
 * offset that reads byte 0 forever, and a damaged run count grows a plain Array towards 2^31 entries. So every
 * page header must pass parquetPageHeaderCheck.ts, lie within the chunk and, for a flat column, keep to the row
 * group's rows; and the bytes of each data page pass parquetPageValuesCheck.ts: here where they are stored as
 * they are (the levels of every DATA_PAGE_V2 page, all of a page of an UNCOMPRESSED chunk or a V2 page stored
 * uncompressed), and for the rest once hyparquet has decompressed them (see `DecompressedPageCheck`).
 *
 * It must not decompress: a compressed page is decompressed once, by hyparquet, and only if it is read.
 */

import type { CompressionCodec, PageHeader } from "hyparquet";

import { pageHeaderProblem } from "./parquetPageHeaderCheck.js";
import {
  dataPageV1Problem,
  levelsProblem,
  valuesProblem,
  type PageColumn,
} from "./parquetPageValuesCheck.js";

/** Where a column chunk lies and how its levels and values are stored. */
export interface ColumnChunkLayout extends PageColumn {
  /** Zero-based row group. */
  group: number;
  /** The leaf's path, dot-separated. */
  column: string;
  /** File bytes [start, end) of its pages, as hyparquet locates them. */
  start: number;
  end: number;
  codec: CompressionCodec;
  /** The row group's rows when the column is flat (one value per row, which hyparquet reads up to); else undefined. */
  flatRows: number | undefined;
}

export type HeaderParser = (reader: { view: DataView; offset: number }) => PageHeader;

/**
 * The check of a compressed page's bytes, for when hyparquet has decompressed them: `at` is the file offset of
 * the compressed bytes it decompresses (the page's body, or a DATA_PAGE_V2 page's values after its levels).
 */
export interface DecompressedPageCheck {
  at: number;
  /** The column, row group and page, as an error names them. */
  where: string;
  problem(bytes: Uint8Array): string | undefined;
}

/**
 * Throws, naming the column, row group and the page's file offset, when a page of `bytes` (the chunk's) is bad;
 * returns the checks of its compressed pages, to run on their decompressed bytes.
 */
export function checkColumnChunkPages(
  bytes: Uint8Array,
  chunk: ColumnChunkLayout,
  parseHeader: HeaderParser,
): DecompressedPageCheck[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const deferred: DecompressedPageCheck[] = [];
  let offset = 0;
  let rows = 0;
  let dictionarySize: number | undefined;
  // As hyparquet's readColumn: pages until the chunk's last byte but one, and of a flat column only until
  // its rows are there.
  while (offset < bytes.length - 1 && (chunk.flatRows === undefined || rows < chunk.flatRows)) {
    const where = `column '${chunk.column}' of row group ${chunk.group + 1}, page at byte ${chunk.start + offset}`;
    const reader = { view, offset };
    let header: PageHeader;
    try {
      header = parseHeader(reader);
    } catch (error) {
      throw new Error(
        `${where}: no valid page header (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const page: Page = { bytes, bodyStart: reader.offset, header, chunk, dictionarySize };
    const problem =
      pageHeaderProblem(header) ??
      pageProblem(page, (at, check) => deferred.push({ at: chunk.start + at, where, problem: check }));
    if (problem !== undefined) throw new Error(`${where}: ${problem}`);
    if (header.type === "DICTIONARY_PAGE") dictionarySize = header.dictionary_page_header?.num_values;
    if (header.type === "DATA_PAGE") rows += header.data_page_header?.num_values ?? 0;
    if (header.type === "DATA_PAGE_V2") rows += header.data_page_header_v2?.num_rows ?? 0;
    if (chunk.flatRows !== undefined && rows > chunk.flatRows) {
      throw new Error(`${where}: the pages hold more rows than the ${chunk.flatRows} of the row group`);
    }
    offset = reader.offset + header.compressed_page_size;
  }
  return deferred;
}

/** A page whose header passed pageHeaderProblem, its body at `bodyStart` of the chunk's `bytes`. */
interface Page {
  bytes: Uint8Array;
  bodyStart: number;
  header: PageHeader;
  chunk: ColumnChunkLayout;
  /** Entries of the chunk's dictionary before the page. */
  dictionarySize: number | undefined;
}

/**
 * What is wrong with the page's stored bytes; what can only be seen once they are decompressed is handed to
 * `defer` with the offset in the chunk of the bytes hyparquet will decompress.
 */
function pageProblem(
  { bytes, bodyStart, header, chunk, dictionarySize }: Page,
  defer: (at: number, check: (decompressed: Uint8Array) => string | undefined) => void,
): string | undefined {
  const bodyEnd = bodyStart + header.compressed_page_size;
  if (bodyEnd > bytes.length)
    return `the page of ${header.compressed_page_size} bytes runs past its column chunk`;
  const v2 = header.data_page_header_v2;
  if (header.type === "DATA_PAGE_V2" && v2 !== undefined) {
    if (chunk.maxDefinitionLevel === 0 && v2.num_nulls > 0)
      return `a required column's page has ${v2.num_nulls} nulls`;
    const repetitionEnd = bodyStart + v2.repetition_levels_byte_length;
    const levelsEnd = repetitionEnd + v2.definition_levels_byte_length;
    const levels =
      levelsProblem("repetition", bytes, bodyStart, repetitionEnd, chunk.maxRepetitionLevel, v2.num_values) ??
      levelsProblem("definition", bytes, repetitionEnd, levelsEnd, chunk.maxDefinitionLevel, v2.num_values);
    if (levels !== undefined) return levels;
    const section = {
      version: 2,
      encoding: v2.encoding,
      count: v2.num_values - v2.num_nulls,
      dictionarySize,
    } as const;
    // As hyparquet's readDataPageV2: it decompresses the values unless they are flagged or sized as stored.
    const valuesSize = header.uncompressed_page_size - (levelsEnd - bodyStart);
    if (v2.is_compressed && valuesSize > 0 && chunk.codec !== "UNCOMPRESSED") {
      defer(levelsEnd, (values) => valuesProblem(values, 0, values.length, section, chunk));
      return undefined;
    }
    return valuesProblem(bytes, levelsEnd, bodyEnd, section, chunk);
  }
  const v1 = header.data_page_header;
  if (header.type !== "DATA_PAGE" || v1 === undefined) return undefined;
  const { num_values: numValues, encoding } = v1;
  if (chunk.codec !== "UNCOMPRESSED") {
    defer(bodyStart, (page) =>
      dataPageV1Problem(page, 0, page.length, numValues, encoding, chunk, dictionarySize),
    );
    return undefined;
  }
  if (header.uncompressed_page_size !== header.compressed_page_size) {
    return `an uncompressed page of ${header.compressed_page_size} bytes says it holds ${header.uncompressed_page_size}`;
  }
  return dataPageV1Problem(bytes, bodyStart, bodyEnd, numValues, encoding, chunk, dictionarySize);
}
