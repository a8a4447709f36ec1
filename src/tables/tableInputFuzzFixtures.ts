/**
 * Seeded inputs for tableInputFuzz.test.ts: a small valid table of an `id` and two features `f0`, `f1` written
 * as CSV, TSV, JSON Lines or Parquet, then damaged the ways real files are (cut short, bytes flipped, ragged
 * rows, open quotes, bad encodings, corrupt Parquet footers and pages). Everything follows from one seed, so a
 * failing case is rerun from its seed alone. Test-only; nothing in the product imports it.
 */
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";

import { SeededRandom } from "../seededRandom.js";
import type { TableFormat } from "./tableFormat.js";

/** The fuzz test's seeded choices. */
export class Rng extends SeededRandom {}

export interface FuzzInput {
  format: TableFormat;
  /** What was done to the valid file, for the failure report. */
  mutation: string;
  bytes: Uint8Array;
}

const utf8 = new TextEncoder();
const NUMBERS = ["0", "1", "-2", "0.25", "-1.5", "3.75", "1e3", "1.5e-3", "+4", "12.5", "-0.125"];
const IDS = (row: number): string[] => [`r${row}`, `é${row}`, `日本${row}`, `r,${row}`, `say "${row}"`];
/** Bytes that mean something to one of the parsers (separators, quotes, line ends, braces, UTF-8 leads). */
const LOADED_BYTES = [
  0x22, 0x2c, 0x09, 0x0a, 0x0d, 0x7b, 0x7d, 0x5b, 0x3a, 0x00, 0xff, 0xc3, 0xe2, 0x80, 0x2e,
];
const INVALID_UTF8 = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80], [0xf5, 0x80]];
const BOM = [0xef, 0xbb, 0xbf];
/** Feature cells pandas would not read as a number, or reads only loosely. */
const ODD_CELLS = [
  ...["abc", "1.2.3", "", "NA", "nan", "inf", "-Infinity", "0x1A", " 7 ", "1e", "--1", ".5", "5.", "1_000"],
  ...["١٢", "TRUE", "1e400", "-1e400", "1e-400", "9".repeat(400), "-0", "1,5", "𝟙"],
];
/** Lines a JSON Lines file should not have, or has only rarely. */
const ODD_JSON_LINES = [
  ...["[1,2,3]", '"text"', "42", "null", "true", "{}", "{'id':'x'}", '{"id":"x","f0":1', "{", "}"],
  ...['{"id":"x","f0":{"a":1},"f1":2}', '{"id":"x","f0":[1,2],"f1":2}', '{"id":"x","f0":1,"f0":5,"f1":2}'],
  ...['{"id":"x","f0":"1.5","f1":2}', '{"id":"x","f0":true,"f1":2}', '{"id":"x","f0":1e400,"f1":2}'],
  ...['{"id":"x","f0":123456789012345678901234567890,"f1":2}', '{"id":"x","f0":-0,"f1":1E5}'],
  ...['{"id":"x","f1":2}', '{"id":"x","f0":1,"f1":2,"extra":3}', '{"id":"x","f0":1,"f1":2,}'],
  ...[' {"id" : "x" , "f0" : 1 , "f1" : 2 } ', '{"id":"x","f0":1,"f1":2}{"id":"y"}'],
  ...['{"f1":2,"id":"x","f0":1}', '{"id":"\\ud800","f0":1,"f1":2}', '{"id":"a\\u0000b","f0":1,"f1":2}'],
  ...['{"id":"x","f0":0x10,"f1":2}', '{"id":"x","f0":NaN,"f1":2}', '{"id":"x","f0":01,"f1":2}'],
  ...['{"id":"x","f0":1.,"f1":2}', '{"id":"x","f0":.5,"f1":2}', '{"id":"x","f0":1e,"f1":2}'],
  ...['{"id":"x","f0":-,"f1":2}', '{"id":"x","f0":null,"f1":null}', '{"id":null,"f0":1,"f1":2}'],
  ...['{"id":"x","f0":1,"f1":2,"id":"y"}', '{"id":"x","f0":9007199254740993,"f1":-9223372036854775809}'],
];

interface BaseRow {
  id: string;
  f0: string;
  f1: string;
}

function baseRows(rng: Rng): BaseRow[] {
  return Array.from({ length: 1 + rng.int(9) }, (_, row) => ({
    id: rng.chance(0.7) ? `r${row}` : rng.pick(IDS(row)),
    f0: rng.pick(NUMBERS),
    f1: rng.pick(NUMBERS),
  }));
}

/** A valid file of `format`, then one mutation of it. */
export function fuzzInput(format: TableFormat, rng: Rng): FuzzInput {
  const rows = baseRows(rng);
  if (format === "parquet") return parquetMutation(parquetBytes(rows, rng), rows, rng);
  const lines =
    format === "jsonl" ? jsonLines(rows, rng) : delimitedLines(rows, format === "tsv" ? "\t" : ",", rng);
  const eol = rng.chance(0.2) ? "\r\n" : "\n";
  const valid = utf8.encode(lines.join(eol) + (rng.chance(0.8) ? eol : ""));
  return textMutation(format, lines, eol, valid, rng);
}

function delimitedLines(rows: readonly BaseRow[], separator: string, rng: Rng): string[] {
  const names = rng.chance(0.3) ? ["f1", "id", "f0"] : ["id", "f0", "f1"];
  const quote = (text: string): string =>
    /[",\t\n\r]/.test(text) || rng.chance(0.1) ? `"${text.replaceAll('"', '""')}"` : text;
  return [
    names.join(separator),
    ...rows.map((row) => names.map((name) => quote(row[name as keyof BaseRow])).join(separator)),
  ];
}

function jsonLines(rows: readonly BaseRow[], rng: Rng): string[] {
  const spaced = rng.chance(0.3);
  return rows.map((row) => {
    const numbers = (text: string): string => text.replace(/^\+/, "");
    const object = `{"id":${JSON.stringify(row.id)},"f0":${numbers(row.f0)},"f1":${numbers(row.f1)}}`;
    return spaced ? object.replaceAll(",", ", ").replaceAll(":", ": ") : object;
  });
}

function textMutation(
  format: TableFormat,
  lines: string[],
  eol: string,
  valid: Uint8Array,
  rng: Rng,
): FuzzInput {
  const separator = format === "tsv" ? "\t" : ",";
  const text = (mutation: string, changed: string[], end = eol): FuzzInput => ({
    format,
    mutation,
    bytes: utf8.encode(changed.join(end) + end),
  });
  const line = 1 + rng.int(Math.max(1, lines.length - 1));
  const replaced = (value: string): string[] => lines.map((old, i) => (i === line ? value : old));
  const kind = rng.int(format === "jsonl" ? 14 : 16);
  switch (kind) {
    case 0:
      return { format, mutation: "truncated", bytes: valid.slice(0, rng.int(valid.length)) };
    case 1:
    case 2:
      return byteMutation(format, valid, rng);
    case 3:
      return {
        format,
        mutation: "byte order mark",
        bytes: spliced(valid, rng.chance(0.7) ? 0 : lineStart(valid, rng), 0, BOM),
      };
    case 4: {
      const mixed = lines.map((old) => old + (rng.chance(0.5) ? "\r" : "")).join("\n");
      return {
        format,
        mutation: "CRLF and LF mixed, a lone CR",
        bytes: utf8.encode(mixed.replace(/\n/, "\r")),
      };
    }
    case 5:
      return {
        format,
        mutation: "invalid UTF-8",
        bytes: spliced(valid, rng.int(valid.length + 1), 0, rng.pick(INVALID_UTF8)),
      };
    case 6:
      return {
        format,
        mutation: "empty",
        bytes: rng.pick([new Uint8Array(0), utf8.encode("\n\n"), utf8.encode("\r\n \n")]),
      };
    case 7:
      return text("header only", lines.slice(0, format === "jsonl" ? 0 : 1));
    case 8:
      return text("the first line again", [lines[0] ?? "", ...lines]);
    case 9:
    case 10:
    case 11: {
      if (format === "jsonl") {
        const odd = rng.pick(ODD_JSON_LINES);
        const at = rng.int(lines.length + 1);
        return text(
          `odd line at ${at + 1}`,
          rng.chance(0.5) ? [...lines.slice(0, at), odd, ...lines.slice(at)] : replaced(odd),
        );
      }
      const cells = (lines[line] ?? "").split(separator);
      const field = 1 + rng.int(2);
      cells[field] = rng.pick(ODD_CELLS);
      return text(`odd feature cell on line ${line + 1}`, replaced(cells.join(separator)));
    }
    case 12:
      return { format, mutation: "double byte order mark", bytes: spliced(valid, 0, 0, [...BOM, ...BOM]) };
    case 13:
      return text(
        "blank lines between rows",
        lines.flatMap((old) => (rng.chance(0.4) ? [old, ""] : [old])),
      );
    case 14: {
      const header = (lines[0] ?? "").split(separator);
      if (rng.chance(0.5)) header.push("extra");
      else header.splice(rng.int(header.length), 1);
      return text("header with a column more or less", [header.join(separator), ...lines.slice(1)]);
    }
    default: {
      const record = lines[line] ?? "";
      const open = rng.chance(0.5);
      const ragged = open
        ? `"${record}`
        : rng.chance(0.5)
          ? `${record}${separator}9`
          : record.slice(0, record.lastIndexOf(separator));
      return text(open ? `quote left open on line ${line + 1}` : `ragged line ${line + 1}`, replaced(ragged));
    }
  }
}

/** One byte flipped, inserted or deleted. */
function byteMutation(format: TableFormat, valid: Uint8Array, rng: Rng): FuzzInput {
  const at = rng.int(valid.length + 1);
  switch (rng.int(3)) {
    case 0:
      return {
        format,
        mutation: `byte ${at} replaced`,
        bytes: spliced(valid, at, 1, [rng.chance(0.5) ? rng.pick(LOADED_BYTES) : rng.int(256)]),
      };
    case 1:
      return {
        format,
        mutation: `byte inserted at ${at}`,
        bytes: spliced(valid, at, 0, [rng.pick(LOADED_BYTES)]),
      };
    default:
      return { format, mutation: `bytes deleted at ${at}`, bytes: spliced(valid, at, 1 + rng.int(3), []) };
  }
}

function spliced(bytes: Uint8Array, at: number, remove: number, insert: readonly number[]): Uint8Array {
  return Uint8Array.from([...bytes.subarray(0, at), ...insert, ...bytes.subarray(at + remove)]);
}

function lineStart(bytes: Uint8Array, rng: Rng): number {
  const starts = [0, ...[...bytes].flatMap((byte, i) => (byte === 0x0a ? [i + 1] : []))];
  return rng.pick(starts);
}

function parquetBytes(rows: readonly BaseRow[], rng: Rng, features?: ColumnSource[]): Uint8Array {
  const float = rng.chance(0.5);
  const numbers = (name: "f0" | "f1"): ColumnSource => ({
    name,
    data: float ? Float32Array.from(rows, (row) => Number(row[name])) : rows.map((row) => Number(row[name])),
    type: float ? "FLOAT" : "DOUBLE",
    nullable: !float,
  });
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "id", data: rows.map((row) => row.id), type: "STRING" },
      ...(features ?? [numbers("f0"), numbers("f1")]),
    ],
    rowGroupSize: 1 + rng.int(rows.length),
    ...(rng.chance(0.5) ? { pageSize: 8 } : {}),
    codec: rng.chance(0.6) ? "SNAPPY" : "UNCOMPRESSED",
  });
  return new Uint8Array(buffer);
}

function parquetMutation(valid: Uint8Array, rows: readonly BaseRow[], rng: Rng): FuzzInput {
  const format = "parquet";
  const length = valid.length;
  const view = new DataView(valid.buffer, valid.byteOffset, length);
  const footerLength = view.getUint32(length - 8, true);
  const changed = (mutation: string, at: number, bytes: readonly number[]): FuzzInput => ({
    format,
    mutation,
    bytes: spliced(valid, at, bytes.length, bytes),
  });
  const chunks = parquetMetadata(
    valid.buffer.slice(valid.byteOffset, valid.byteOffset + length) as ArrayBuffer,
  ).row_groups.flatMap((group) => group.columns);
  const chunk = rng.pick(chunks).meta_data;
  const pageStart = Number(chunk?.data_page_offset ?? 4);
  const chunkSize = Number(chunk?.total_compressed_size ?? 1);
  const kind = rng.int(12);
  switch (kind) {
    case 0:
      return { format, mutation: "truncated", bytes: valid.slice(0, rng.int(length)) };
    case 1:
      return byteMutation(format, valid, rng);
    case 2: {
      const bad = rng.pick([
        0,
        1,
        length,
        length - 8,
        length - 7,
        0xffffffff,
        footerLength + 1,
        footerLength - 1,
        rng.int(2 ** 32),
      ]);
      return changed(`footer length ${bad}`, length - 8, [
        bad & 0xff,
        (bad >>> 8) & 0xff,
        (bad >>> 16) & 0xff,
        bad >>> 24,
      ]);
    }
    case 3:
      return changed("wrong magic", rng.chance(0.5) ? 0 : length - 4, [
        ...utf8.encode(rng.pick(["PAR0", "PARE", "\0\0\0\0"])),
      ]);
    case 4:
    case 5:
      return changed(`page header byte ${pageStart}+`, pageStart + rng.int(Math.min(12, chunkSize)), [
        rng.int(256),
      ]);
    case 6:
    case 7:
      return changed(
        `page data byte in chunk at ${pageStart}`,
        pageStart + Math.floor(chunkSize / 2) + rng.int(Math.ceil(chunkSize / 2)),
        [rng.int(256)],
      );
    case 8:
      return changed("footer byte", length - 8 - footerLength + rng.int(footerLength), [rng.int(256)]);
    case 9:
      return {
        format,
        mutation: "magic only",
        bytes: rng.pick([
          new Uint8Array(0),
          utf8.encode("PAR1"),
          utf8.encode("PAR1PAR1"),
          utf8.encode("PAR1\0\0\0\0\0\0\0\0PAR1"),
        ]),
      };
    default:
      return { format, mutation: "features of another type", bytes: oddlyTypedParquet(rows, rng) };
  }
}

/** A valid Parquet file whose feature columns are not plain numbers (or are missing, or hold nulls). */
function oddlyTypedParquet(rows: readonly BaseRow[], rng: Rng): Uint8Array {
  const f1: ColumnSource = { name: "f1", data: rows.map((row) => Number(row.f1)), type: "DOUBLE" };
  const f0 = rng.pick<ColumnSource | undefined>([
    { name: "f0", data: rows.map((row) => row.f0), type: "STRING" },
    { name: "f0", data: rows.map((row, i) => (i % 2 === 0 ? "abc" : row.f0)), type: "STRING" },
    { name: "f0", data: rows.map((_, i) => i % 2 === 0), type: "BOOLEAN" },
    {
      name: "f0",
      data: BigInt64Array.from(rows, (_, i) => 2n ** 62n + BigInt(i)),
      type: "INT64",
      nullable: false,
    },
    {
      name: "f0",
      data: rows.map((row, i) => (i === rows.length - 1 ? null : Number(row.f0))),
      type: "DOUBLE",
    },
    { name: "f0", data: rows.map((_, i) => ({ a: i })), type: "JSON" },
    { name: "f0", data: rows.map((_, i) => new Date(Date.UTC(2024, 0, 1 + i))), type: "TIMESTAMP" },
    undefined,
  ]);
  return parquetBytes(rows, rng, f0 === undefined ? [f1] : [f0, f1]);
}
