/**
 * Checks the pages of a column chunk before hyparquet decodes them. hyparquet trusts what a page header says
 * and what the level runs say: a header without a required field sent its level reader to a NaN offset that
 * reads byte 0 forever, and a damaged run count grows a plain Array towards 2^31 entries. So every page header
 * must pass parquetPageHeaderCheck.ts, lie within the chunk and, for a flat column, keep to the row group's
 * rows; and where the level bytes are stored as they are (every DATA_PAGE_V2 page, DATA_PAGE pages of an
 * UNCOMPRESSED chunk) their runs are walked, as hyparquet will read them, without being decoded.
 *
 * It must not decompress: a DATA_PAGE page of a compressed chunk keeps its levels inside the compressed bytes,
 * and those levels, like the values of every page, are left to hyparquet.
 */

import type { CompressionCodec, PageHeader } from "hyparquet";

import { pageHeaderProblem } from "./parquetPageHeaderCheck.js";
import { checkRleBitPackedHybridRuns } from "./rleBitPackedHybrid.js";

/** Where a column chunk lies and how its levels are stored. */
export interface ColumnChunkLayout {
  /** Zero-based row group. */
  group: number;
  /** The leaf's path, dot-separated. */
  column: string;
  /** File bytes [start, end) of its pages, as hyparquet locates them. */
  start: number;
  end: number;
  codec: CompressionCodec;
  maxDefinitionLevel: number;
  maxRepetitionLevel: number;
  /** The row group's rows when the column is flat (one value per row, which hyparquet reads up to); else undefined. */
  flatRows: number | undefined;
}

export type HeaderParser = (reader: { view: DataView; offset: number }) => PageHeader;

/** Throws, naming the column, row group and the page's file offset, when a page of `bytes` (the chunk's) is bad. */
export function checkColumnChunkPages(
  bytes: Uint8Array,
  chunk: ColumnChunkLayout,
  parseHeader: HeaderParser,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let rows = 0;
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
    const problem = pageHeaderProblem(header) ?? pageProblem(bytes, reader.offset, header, chunk);
    if (problem !== undefined) throw new Error(`${where}: ${problem}`);
    if (header.type === "DATA_PAGE") rows += header.data_page_header?.num_values ?? 0;
    if (header.type === "DATA_PAGE_V2") rows += header.data_page_header_v2?.num_rows ?? 0;
    if (chunk.flatRows !== undefined && rows > chunk.flatRows) {
      throw new Error(`${where}: the pages hold more rows than the ${chunk.flatRows} of the row group`);
    }
    offset = reader.offset + header.compressed_page_size;
  }
}

/** What is wrong with a page whose header passed pageHeaderProblem, given its body at `bodyStart`. */
function pageProblem(
  bytes: Uint8Array,
  bodyStart: number,
  header: PageHeader,
  chunk: ColumnChunkLayout,
): string | undefined {
  const bodyEnd = bodyStart + header.compressed_page_size;
  if (bodyEnd > bytes.length)
    return `the page of ${header.compressed_page_size} bytes runs past its column chunk`;
  const v2 = header.data_page_header_v2;
  if (header.type === "DATA_PAGE_V2" && v2 !== undefined) {
    if (chunk.maxDefinitionLevel === 0 && v2.num_nulls > 0)
      return `a required column's page has ${v2.num_nulls} nulls`;
    const repetitionEnd = bodyStart + v2.repetition_levels_byte_length;
    return (
      levelsProblem("repetition", bytes, bodyStart, repetitionEnd, chunk.maxRepetitionLevel, v2.num_values) ??
      levelsProblem(
        "definition",
        bytes,
        repetitionEnd,
        repetitionEnd + v2.definition_levels_byte_length,
        chunk.maxDefinitionLevel,
        v2.num_values,
      )
    );
  }
  const v1 = header.data_page_header;
  if (header.type !== "DATA_PAGE" || v1 === undefined || chunk.codec !== "UNCOMPRESSED") return undefined;
  if (header.uncompressed_page_size !== header.compressed_page_size) {
    return `an uncompressed page of ${header.compressed_page_size} bytes says it holds ${header.uncompressed_page_size}`;
  }
  // Each level section of a version 1 page starts with its byte length (4 bytes, little-endian).
  let pos = bodyStart;
  for (const [kind, maxLevel] of [
    ["repetition", chunk.maxRepetitionLevel],
    ["definition", chunk.maxDefinitionLevel],
  ] as const) {
    if (maxLevel === 0) continue;
    if (pos + 4 > bodyEnd) return `the page ends before its ${kind} levels`;
    const length = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
    const problem = levelsProblem(kind, bytes, pos + 4, pos + 4 + length, maxLevel, v1.num_values, bodyEnd);
    if (problem !== undefined) return problem;
    pos += 4 + length;
  }
  return undefined;
}

function levelsProblem(
  kind: "repetition" | "definition",
  bytes: Uint8Array,
  start: number,
  end: number,
  maxLevel: number,
  count: number,
  pageEnd = end,
): string | undefined {
  if (maxLevel === 0) return undefined;
  if (end > pageEnd) return `${kind} levels of ${end - start} bytes run past the page`;
  try {
    checkRleBitPackedHybridRuns(bytes, start, end, 32 - Math.clz32(maxLevel), count);
    return undefined;
  } catch (error) {
    return `${kind} levels: ${error instanceof Error ? error.message : String(error)}`;
  }
}
