/**
 * The checks a Parquet page header must pass before its page is decoded. hyparquet's `parquetHeader` maps
 * whatever thrift fields a header holds, so a damaged byte can leave out a field parquet.thrift marks required,
 * or turn a number into a bigint, a list or a negative count; hyparquet then computes with `undefined` (a NaN
 * reader offset that re-reads byte 0 forever) or allocates by a damaged count. Both page decoders (hyparquet
 * and parquetPlainPage.ts) call this first. It looks at the header alone; what a page must agree with outside
 * it (its column chunk, its levels) is parquetColumnChunkCheck.ts's.
 */

import type { PageHeader } from "hyparquet";

const PAGE_TYPES: ReadonlySet<unknown> = new Set([
  "DATA_PAGE",
  "INDEX_PAGE",
  "DICTIONARY_PAGE",
  "DATA_PAGE_V2",
]);

/** What is wrong with the header, or undefined when its required fields are present and agree. */
export function pageHeaderProblem(header: PageHeader): string | undefined {
  if (!PAGE_TYPES.has(header.type)) return `the page header has no known page type`;
  const sizes =
    countProblem("page header", "uncompressed_page_size", header.uncompressed_page_size) ??
    countProblem("page header", "compressed_page_size", header.compressed_page_size);
  if (sizes !== undefined) return sizes;
  switch (header.type) {
    case "DATA_PAGE": {
      const page = header.data_page_header;
      const name = "DATA_PAGE header";
      if (page === undefined) return `the page header lacks its data_page_header`;
      return (
        countProblem(name, "num_values", page.num_values) ??
        encodingProblem(name, "encoding", page.encoding) ??
        encodingProblem(name, "definition_level_encoding", page.definition_level_encoding) ??
        encodingProblem(name, "repetition_level_encoding", page.repetition_level_encoding)
      );
    }
    case "DICTIONARY_PAGE": {
      const page = header.dictionary_page_header;
      const name = "DICTIONARY_PAGE header";
      if (page === undefined) return `the page header lacks its dictionary_page_header`;
      return (
        countProblem(name, "num_values", page.num_values) ?? encodingProblem(name, "encoding", page.encoding)
      );
    }
    case "DATA_PAGE_V2":
      return dataPageV2Problem(header);
    case "INDEX_PAGE":
      // No writer we know of writes one, and hyparquet refuses it by name.
      return undefined;
  }
}

function dataPageV2Problem(header: PageHeader): string | undefined {
  const page = header.data_page_header_v2;
  const name = "DATA_PAGE_V2 header";
  if (page === undefined) return `the page header lacks its data_page_header_v2`;
  const missing =
    countProblem(name, "num_values", page.num_values) ??
    countProblem(name, "num_nulls", page.num_nulls) ??
    countProblem(name, "num_rows", page.num_rows) ??
    encodingProblem(name, "encoding", page.encoding) ??
    countProblem(name, "definition_levels_byte_length", page.definition_levels_byte_length) ??
    countProblem(name, "repetition_levels_byte_length", page.repetition_levels_byte_length);
  if (missing !== undefined) return missing;
  if (typeof page.is_compressed !== "boolean") return `${name} has is_compressed that is no boolean`;
  if (page.num_nulls > page.num_values) {
    return `${name} has ${page.num_nulls} nulls among ${page.num_values} values`;
  }
  // Every row starts with a value (a null or an empty list is one too).
  if (page.num_rows > page.num_values)
    return `${name} has ${page.num_rows} rows but ${page.num_values} values`;
  const levels = page.repetition_levels_byte_length + page.definition_levels_byte_length;
  if (levels > header.compressed_page_size || levels > header.uncompressed_page_size) {
    return `${name} has ${levels} bytes of levels in a page of ${Math.min(header.compressed_page_size, header.uncompressed_page_size)}`;
  }
  return undefined;
}

/** A thrift i32 that counts something: a non-negative integer, not a bigint or struct from a damaged type byte. */
function countProblem(name: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return `${name} lacks ${field}`;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    return `${name} has ${field} ${typeof value === "number" || typeof value === "bigint" ? String(value) : "that is no count"}`;
  }
  return undefined;
}

/** hyparquet maps an encoding number it does not know to undefined, as it does a missing field. */
function encodingProblem(name: string, field: string, value: unknown): string | undefined {
  return typeof value === "string" ? undefined : `${name} lacks a known ${field}`;
}
