/**
 * Splits long lists for SQL: IN lists and multi-row INSERTs stay well under SQLite's and PostgreSQL's
 * bind-variable limits (32766 and 65535) whatever the request size.
 */

/** Largest IN list or row count sent in one statement. */
export const SQL_CHUNK_SIZE = 500;

export function inChunks<T>(items: readonly T[], size: number = SQL_CHUNK_SIZE): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
