/**
 * The end of a Parquet file built part by part (TablePartTarget): the parts' row groups already lie in the file
 * one after another, behind its opening magic, and each part's footer, with those row groups' offsets in the
 * file, is a file of its own. When every part's columns have the type that holds them all (the rule, since a
 * model's outputs keep their types and Parquet input columns keep theirs), the file is finished where it lies: one
 * footer listing every row group is written after them, so no row is read or copied again. Otherwise (text input
 * whose column held numbers in one part and text in another) a new file is written through ParquetTableWriter,
 * which copies the parts that already have the joined types and converts the others.
 */

import { readFileSync } from "node:fs";

import { parquetSchema } from "hyparquet";
import type { FileMetaData } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";
import { ByteWriter } from "hyparquet-writer";

import { FlowOpsError } from "../errors.js";
import { openFileByteRanges, type FileByteRanges } from "./fileByteRanges.js";
import { fileColumns, joinedElement, type FileColumn } from "./parquetColumnTypes.js";
import { writeParquetFooter } from "./parquetFooter.js";
import { readParquetMetadata } from "./parquetFooterReader.js";
import { sameLeafSchema } from "./parquetRowGroupSpans.js";
import { STORED_PARSERS, rewritableRowGroup } from "./parquetStoredColumns.js";
import { PARQUET_MAGIC } from "./parquetFileEnd.js";
import { ParquetTableWriter } from "./parquetWriter.js";
import { TableFileSink } from "./tableWriter.js";

export interface ParquetParts {
  /** The file the parts were written to. */
  path: string;
  /** Its length when the last part ended: anything after (a footer from an earlier, interrupted finish) goes. */
  bytes: number;
  /** Each part's footer file, in order. */
  footers: readonly string[];
  columns: readonly string[];
}

/**
 * Finishes the file and returns the path of the finished Parquet file: `parts.path` itself, or `rewritePath`
 * when the parts' types differ and the rows were written again there.
 */
export async function finishParquetParts(parts: ParquetParts, rewritePath: string): Promise<string> {
  const footers = parts.footers.map((path) => readPartFooter(path, parts.columns));
  const joined = parts.columns.map((_, c) =>
    joinedElement(footers.map((footer) => footer.columns[c] as FileColumn)),
  );
  const schema: SchemaElement[] = [{ name: "root", num_children: joined.length }, ...joined];
  const withRows = footers.filter((footer) => footer.metadata.num_rows > 0n);
  if (withRows.length > 0 && withRows.every((footer) => sameLeafSchema(footer.elements, schema))) {
    writeJoinedFooter(parts, schema, withRows);
    return parts.path;
  }
  const writer = new ParquetTableWriter(rewritePath, parts.columns);
  try {
    for (const footer of footers) {
      await writer.appendBytes(`${parts.path} (part ${footer.path})`, () =>
        openPartBytes(parts.path, parts.bytes, footer.bytes),
      );
    }
  } finally {
    await writer.close();
  }
  return rewritePath;
}

interface PartFooter {
  path: string;
  bytes: Uint8Array;
  metadata: FileMetaData;
  /** The schema as the part's writer chose it, root first. */
  elements: SchemaElement[];
  columns: FileColumn[];
}

function readPartFooter(path: string, columns: readonly string[]): PartFooter {
  const bytes = readFileSync(path);
  let metadata: FileMetaData;
  try {
    // Statistics of timestamps as stored: a Date would round them, and then not bound the values.
    metadata = readParquetMetadata(bytes, { parsers: STORED_PARSERS });
  } catch (error) {
    throw new FlowOpsError("INVALID_STATE", `${path} is not a Parquet footer: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // hyparquet-writer brings its own copy of hyparquet's types; the schema elements are the same thrift structs.
  const top = parquetSchema(metadata).children.map((child) => child.element as SchemaElement);
  const names = top.map((element) => element.name);
  if (names.join("\u0000") !== columns.join("\u0000")) {
    throw new FlowOpsError(
      "INVALID_STATE",
      `${path} has columns ${names.join(", ")}; expected ${columns.join(", ")}`,
    );
  }
  return {
    path,
    bytes,
    metadata,
    elements: metadata.schema as SchemaElement[],
    columns: fileColumns(metadata, top),
  };
}

/** One footer listing every part's row groups, written after the last of them. */
function writeJoinedFooter(
  parts: ParquetParts,
  schema: SchemaElement[],
  footers: readonly PartFooter[],
): void {
  const sink = new TableFileSink(parts.path, parts.bytes);
  try {
    const out = new ByteWriter();
    out.offset = parts.bytes;
    const rowGroups = footers.flatMap((footer) =>
      footer.metadata.row_groups.map((group) => rewritableRowGroup(group, schema)),
    );
    writeParquetFooter(out, {
      version: 2,
      created_by: "flowops",
      schema,
      num_rows: footers.reduce((sum, footer) => sum + footer.metadata.num_rows, 0n),
      row_groups: rowGroups,
    } as Parameters<typeof writeParquetFooter>[1]);
    out.appendUint32(PARQUET_MAGIC);
    sink.write(out.getBytes());
  } finally {
    sink.close();
  }
}

/**
 * A part as the bytes of a Parquet file of its own: the shared file up to where the last part ended (its row
 * groups' offsets count from that file's start), then the part's footer.
 */
async function openPartBytes(path: string, bytes: number, footer: Uint8Array): Promise<FileByteRanges> {
  const data = await openFileByteRanges(path);
  const byteLength = bytes + footer.length;
  const slice = async (start: number, end = byteLength): Promise<ArrayBuffer> => {
    const to = Math.min(end, byteLength);
    const result = new Uint8Array(Math.max(0, to - start));
    if (start < bytes) result.set(new Uint8Array(await data.slice(start, Math.min(to, bytes))), 0);
    if (to > bytes) {
      const from = Math.max(start, bytes);
      result.set(footer.subarray(from - bytes, to - bytes), from - start);
    }
    return result.buffer;
  };
  return { byteLength, slice, close: () => data.close() };
}
