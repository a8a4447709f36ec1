/**
 * Parquet text decoded as pyarrow reads it, every character kept. hyparquet decodes UTF-8 with a default
 * TextDecoder, which takes a leading U+FEFF for a byte order mark and drops it: a cell "\uFEFFx" would come out
 * as "x", a silent change of the data. In Parquet the bytes are the value; there is no byte order mark to skip.
 * Invalid UTF-8 still becomes U+FFFD, as it did through hyparquet's decoder, rather than failing the read.
 *
 * Must not import hyparquet at run time: the table reader loads it lazily (see parquetReader.ts).
 */

import type { ParquetParsers } from "hyparquet";

const utf8KeepingLeadingFeff = new TextDecoder("utf-8", { ignoreBOM: true });

/** The text of UTF-8 bytes from a Parquet file (a value, a column name, a footer key or value). */
export function parquetText(bytes: Uint8Array): string {
  return utf8KeepingLeadingFeff.decode(bytes);
}

/** hyparquet's `parsers` for text: given to every read of values and of footers (their statistics). */
export const PARQUET_TEXT_PARSERS: Partial<ParquetParsers> = {
  // hyparquet passes undefined through for a missing statistic, as its own parser does.
  stringFromBytes: (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : parquetText(bytes)),
};
