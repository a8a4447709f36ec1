/** Reading a Parquet file back in tests: its top-level column types and its rows as hyparquet gives them. */
import { readFile } from "node:fs/promises";

import { parquetReadObjects, parquetSchema } from "hyparquet";

import { readParquetMetadata } from "./parquetFooterReader.js";
import { PARQUET_TEXT_PARSERS } from "./parquetText.js";

/** A file's top-level column types (STRING for UTF8 text) and its rows (INT64 as BigInts, text as pyarrow's). */
export async function parquetContents(
  path: string,
): Promise<{ types: string[]; rows: Record<string, unknown>[] }> {
  const bytes = await readFile(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const metadata = readParquetMetadata(file);
  const types = parquetSchema(metadata).children.map(({ element }) =>
    element.converted_type === "UTF8" ? "STRING" : String(element.type),
  );
  return { types, rows: await parquetReadObjects({ file, metadata, parsers: PARQUET_TEXT_PARSERS }) };
}
