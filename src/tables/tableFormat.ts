/**
 * The table file formats FlowOps reads and how a path's extension maps to one. Unknown extensions are an
 * error that lists the known ones, rather than a guess.
 */

import { FlowOpsError } from "../errors.js";

export const TABLE_FORMATS = ["csv", "tsv", "jsonl", "parquet"] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const FORMAT_BY_EXTENSION: ReadonlyMap<string, TableFormat> = new Map([
  [".csv", "csv"],
  [".tsv", "tsv"],
  [".jsonl", "jsonl"],
  [".ndjson", "jsonl"],
  [".parquet", "parquet"],
]);

export function isTableFormat(value: string): value is TableFormat {
  return (TABLE_FORMATS as readonly string[]).includes(value);
}

/** Parses a user-given format name (a CLI flag, a config field). */
export function parseTableFormat(value: string): TableFormat {
  if (isTableFormat(value)) return value;
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `unknown table format '${value}'; known formats: ${TABLE_FORMATS.join(", ")}`,
  );
}

/** The format of a file from its extension (case-insensitive). */
export function formatFromPath(path: string): TableFormat {
  const lower = path.toLowerCase();
  for (const [extension, format] of FORMAT_BY_EXTENSION) {
    if (lower.endsWith(extension)) return format;
  }
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `cannot tell the table format of ${path} from its extension; known extensions: ` +
      `${[...FORMAT_BY_EXTENSION.keys()].join(", ")} (or pass the format explicitly)`,
  );
}
