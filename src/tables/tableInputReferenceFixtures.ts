/**
 * Slow, obvious readers of the fuzz test's inputs (tableInputFuzz.test.ts), written from the formats' rules and
 * not from FlowOps' readers: RFC 4180 records split character by character, JSON Lines through JSON.parse,
 * Parquet through hyparquet alone (but for its text decoding, which would drop a leading U+FEFF). They say what a correct reader must find in a file (its rows, or that the
 * file is not readable and whether the fault lies in a record or in the file as a whole), so the test can tell
 * an error that belongs from one that does not, and a right row from a wrong one. Test-only.
 */
import { parquetReadObjects } from "hyparquet";

import { CheckedColumnChunks } from "./parquetCheckedChunks.js";
import { PANDAS_NA_VALUES } from "./numericColumn.js";
import { PARQUET_TEXT_PARSERS } from "./parquetText.js";
import type { TableFormat } from "./tableFormat.js";

export interface ReferenceRow {
  id: unknown;
  f0: unknown;
  f1: unknown;
}

export type ReferenceTable =
  | { kind: "rows"; columns: string[]; rows: ReferenceRow[] }
  /**
   * `file`: the file as a whole cannot be read (empty, no such column in the header, not Parquet), so an error
   * names the file; `record`: one line or row is at fault, so an error names it too.
   */
  | { kind: "invalid"; scope: "file" | "record"; reason: string };

const FEATURES = ["f0", "f1"];
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export async function referenceTable(format: TableFormat, bytes: Uint8Array): Promise<ReferenceTable> {
  switch (format) {
    case "csv":
      return referenceDelimited(bytes, ",");
    case "tsv":
      return referenceDelimited(bytes, "\t");
    case "jsonl":
      return referenceJsonLines(bytes);
    case "parquet":
      return referenceParquet(bytes);
  }
}

/**
 * Whether a reader must take the cell as this number: plain decimal notation as pandas.read_csv reads it, or a
 * finite JSON or Parquet number. Anything else (text, missing markers, overflow) a reader may take or refuse.
 */
export function plainNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "string" || value.length > 25) return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) && (number === 0 || Math.abs(number) > 1e-300) ? number : undefined;
}

/** An id that every output format writes back as the same text (not a number, a missing marker or a boolean). */
export function plainText(value: unknown): value is string {
  return (
    typeof value === "string" &&
    /^\p{L}/u.test(value) &&
    !PANDAS_NA_VALUES.has(value) &&
    !/^(inf|infinity|nan|true|false)$/i.test(value)
  );
}

function invalid(scope: "file" | "record", reason: string): ReferenceTable {
  return { kind: "invalid", scope, reason };
}

function withHeader(columns: string[], records: unknown[][]): ReferenceTable {
  if (new Set(columns).size !== columns.length) return invalid("file", "duplicate column names");
  const missing = FEATURES.filter((name) => !columns.includes(name));
  if (missing.length > 0) return invalid("file", `no column ${missing.join(", ")}`);
  const at = (record: unknown[], name: string): unknown => record[columns.indexOf(name)] ?? null;
  const rows = records.map((record) => ({
    id: at(record, "id"),
    f0: at(record, "f0"),
    f1: at(record, "f1"),
  }));
  return { kind: "rows", columns, rows };
}

function decoded(bytes: Uint8Array): string | undefined {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

function referenceDelimited(bytes: Uint8Array, separator: string): ReferenceTable {
  const text = decoded(bytes);
  if (text === undefined) return invalid("record", "not UTF-8");
  const records: (string | null)[][] = [];
  let pos = 0;
  while (pos < text.length) {
    const lineFeed = text.indexOf("\n", pos);
    const lineEnd = lineFeed === -1 ? text.length : lineFeed;
    const content = text.slice(pos, lineEnd);
    // A line that is empty once its CR is dropped is blank and skipped, before the header as after it.
    if (content === "" || content === "\r") {
      pos = lineEnd + 1;
      continue;
    }
    const record = delimitedRecord(text, pos, separator);
    if (typeof record === "string") return invalid("record", record);
    records.push(record.fields);
    pos = record.end;
  }
  const header = records.shift();
  if (header === undefined) return invalid("file", "no header");
  // The header is read, and its names checked, before any row is.
  if (new Set(header).size !== header.length) return invalid("file", "duplicate column names");
  const ragged = records.findIndex((record) => record.length !== header.length);
  if (ragged !== -1) return invalid("record", `record ${ragged + 1} is ragged`);
  return withHeader(
    header.map((name) => name ?? ""),
    records,
  );
}

/** One RFC 4180 record from `pos`: its fields and where the next starts, or why it is malformed. */
function delimitedRecord(
  text: string,
  pos: number,
  separator: string,
): { fields: (string | null)[]; end: number } | string {
  const fields: (string | null)[] = [];
  let at = pos;
  for (;;) {
    let value = "";
    if (text[at] === '"') {
      at++;
      for (;;) {
        if (at >= text.length) return "a quote is left open";
        if (text[at] === '"' && text[at + 1] === '"') {
          value += '"';
          at += 2;
        } else if (text[at] === '"') {
          at++;
          break;
        } else {
          value += text[at++];
        }
      }
      const next = text[at];
      const lineEnd = next === "\n" || (next === "\r" && (text[at + 1] === "\n" || at + 1 === text.length));
      if (next !== undefined && next !== separator && !lineEnd) return "text after a closing quote";
    } else {
      while (at < text.length && text[at] !== separator && text[at] !== "\n") value += text[at++];
      if (text[at] !== separator && value.endsWith("\r")) value = value.slice(0, -1);
    }
    fields.push(value === "" ? null : value);
    if (text[at] === separator) {
      at++;
      continue;
    }
    if (text[at] === "\r") at++;
    return { fields, end: at + 1 };
  }
}

function referenceJsonLines(bytes: Uint8Array): ReferenceTable {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const objects: Record<string, unknown>[] = [];
  let start = 0;
  for (let line = 1; start <= body.length; line++) {
    const lineFeed = body.indexOf(0x0a, start);
    const end = lineFeed === -1 ? body.length : lineFeed;
    let source: string;
    try {
      source = strictUtf8.decode(body.subarray(start, end));
    } catch {
      return invalid("record", `line ${line} is not UTF-8`);
    }
    start = end + 1;
    if (source.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      return invalid("record", `line ${line} is not JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return invalid("record", `line ${line} is not an object`);
    }
    objects.push(value as Record<string, unknown>);
  }
  const first = objects[0];
  if (first === undefined) return invalid("file", "no lines");
  const columns = Object.keys(first);
  return withHeader(
    columns,
    objects.map((object) => columns.map((name) => object[name])),
  );
}

async function referenceParquet(bytes: Uint8Array): Promise<ReferenceTable> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  try {
    const { parquetSchema } = await import("hyparquet");
    // hyparquet alone would drop a leading U+FEFF from names and text, which pyarrow keeps.
    const { readParquetMetadata } = await import("./parquetFooterReader.js");
    const metadata = readParquetMetadata(file);
    const columns = parquetSchema(metadata).children.map((child) => child.element.name);
    // parquet.thrift: num_rows is a required i64 of the file and of each row group, the file's the groups' sum.
    const counts = metadata.row_groups.map((group) => group.num_rows as unknown);
    if (
      ![metadata.num_rows as unknown, ...counts].every(
        (n) => typeof n === "bigint" || Number.isSafeInteger(n),
      )
    ) {
      return invalid("file", "a num_rows in the footer is not an integer");
    }
    if (counts.reduce<number>((sum, n) => sum + Number(n), 0) !== Number(metadata.num_rows)) {
      return invalid("file", "the footer's num_rows is not the sum of its row groups'");
    }
    // hyparquet alone trusts damaged page headers and level runs, and can spin forever on them (fuzz case
    // 400070), so its pages pass the reader's own check first.
    const whole = {
      byteLength: file.byteLength,
      slice: (start: number, end?: number) => file.slice(start, end),
    };
    const checked = new CheckedColumnChunks(metadata).over(whole, columns);
    const objects = await parquetReadObjects({ file: checked, metadata, parsers: PARQUET_TEXT_PARSERS });
    return withHeader(
      columns,
      objects.map((object) => columns.map((name) => object[name])),
    );
  } catch (error) {
    return invalid("file", `hyparquet: ${error instanceof Error ? error.message : String(error)}`);
  }
}
