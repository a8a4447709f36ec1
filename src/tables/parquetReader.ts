/**
 * Parquet tables. The schema's top-level fields are the columns; rows are decoded in windows of about
 * READ_WINDOW_CELLS values, only the requested columns, and chunks of `chunkRows` are cut from them. Flat
 * FLOAT, DOUBLE, INT32 and INT64 columns are decoded by parquetPlainColumns.ts while a window holds no nulls;
 * every other column, and those it hands back, by hyparquet (which skips the pages before a window without
 * decompressing them and stops after it), with the codecs of parquetDecompressors.ts. A FLOAT, DOUBLE, INT32 or
 * INT64 column without nulls in the window, or one hyparquet decodes to a typed array, stays one
 * (ColumnarTableChunk; INT64 as 64-bit integers, so a writer keeps them exact). Flat columns of the types
 * parquetStoredColumns.ts keeps are otherwise held as the file stores them, with their element, so a Parquet
 * writer writes them back with their own type (their cells are made on demand); other values become cells:
 * BigInt -> number when it is a safe integer (else its decimal text), Date -> ISO 8601 text, binary -> base64,
 * lists, maps and structs -> JSON text (the chunk keeps their schema, for writing them as pandas does:
 * parquetNestedJson.ts), missing -> null. Names and text keep every character, a leading U+FEFF included, as
 * pyarrow reads them (parquetFooterReader.ts, parquetText.ts).
 *
 * Memory: decoded values are bounded by the window (or one chunk, when chunks are larger); the compressed
 * bytes fetched per window are the pages it touches for the fast path, and for hyparquet those of the column
 * chunks it touches (a whole row group's column).
 *
 * Damaged files: hyparquet trusts page headers and the runs of levels and dictionary indices, so the pages of
 * each column chunk it is given are checked first, and a compressed page's runs as hyparquet decompresses it
 * (parquetCheckedChunks.ts); a check that fails, like any decoding error, is a FlowOpsError naming the file and
 * the rows read.
 */

import type * as Hyparquet from "hyparquet";
import { stat } from "node:fs/promises";

import type { AsyncBuffer, ColumnData, FileMetaData, SchemaTree } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";

import { FlowOpsError } from "../errors.js";
import type * as FooterReader from "./parquetFooterReader.js";
import { selectColumns } from "./columnSelection.js";
import { ColumnarTableChunk, isTypedColumnValues, type ColumnValues } from "./columnarTableChunk.js";
import { ColumnSegments, concatenated } from "./columnSegments.js";
import { CheckedColumnChunks } from "./parquetCheckedChunks.js";
import { openFileByteRanges, type FileByteRanges } from "./fileByteRanges.js";
import { isNestedField } from "./parquetNestedJson.js";
import { ParquetPlainColumns } from "./parquetPlainColumns.js";
import {
  STORED_PARSERS,
  isDecimal,
  storedElement,
  storedReadMetadata,
  storedValues,
} from "./parquetStoredColumns.js";
import { cellsOf } from "./parquetCells.js";
import { columnNullsInFile } from "./parquetColumnNulls.js";
import { parquetNumpyDtype, type NumericElement } from "./parquetNumpyColumn.js";
import { PARQUET_TEXT_PARSERS } from "./parquetText.js";
import type { TableChunk, TableSource } from "./tableChunk.js";

/**
 * Values decoded at once (rows times selected columns), unless a chunk is larger; also the most values held
 * ahead of the chunk being handed out, so a wide table is read in fewer rows at a time than a narrow one.
 */
const READ_WINDOW_CELLS = 1 << 22;

export interface ParquetTableOptions {
  chunkRows: number;
  columns?: readonly string[] | undefined;
}

export class ParquetTableSource implements TableSource {
  readonly format = "parquet" as const;

  constructor(
    readonly path: string,
    private readonly options: ParquetTableOptions,
  ) {}

  async columns(): Promise<readonly string[]> {
    const { file, columns } = await this.open();
    await file.close();
    return columns;
  }

  async *chunks(): AsyncGenerator<TableChunk, void, undefined> {
    const { file, metadata, columns: header, stored, nested } = await this.open();
    try {
      yield* this.chunksOf(file, metadata, header, stored, nested);
    } finally {
      await file.close();
    }
  }

  private async *chunksOf(
    file: AsyncBuffer,
    metadata: FileMetaData,
    header: string[],
    storedElements: ReadonlyMap<string, SchemaElement>,
    nestedFields: ReadonlyMap<string, SchemaTree>,
  ): AsyncGenerator<TableChunk, void, undefined> {
    const { selected } = selectColumns(this.path, header, this.options.columns);
    const nested = new Map(
      selected.flatMap((name) => {
        const schema = nestedFields.get(name);
        return schema === undefined ? [] : [[name, schema] as const];
      }),
    );
    const stored = new Map(
      selected.flatMap((name) => {
        const element = storedElements.get(name);
        return element === undefined ? [] : [[name, element] as const];
      }),
    );
    const decimals = new Set([...stored].filter(([, element]) => isDecimal(element)).map(([name]) => name));
    const decoding = { metadata, stored, storedMetadata: storedReadMetadata(metadata, decimals) };
    const totalRows = Number(metadata.num_rows);
    const chunkRows = this.options.chunkRows;
    // Decoding is done a window of rows at a time, never less than a page's worth, so a small chunk size does
    // not decode the same page once per chunk.
    const windowRows = Math.max(chunkRows, Math.floor(READ_WINDOW_CELLS / Math.max(1, selected.length)));
    // A window stops at the end of the row group where its first chunk ends, when that comes before the
    // window's size: a reader on its own thread then hands parts on a row group at a time, so batch
    // inference's scoring starts after one row group's decoding and never waits for several at once.
    const rowGroupEnds: number[] = [];
    for (const group of metadata.row_groups) {
      rowGroupEnds.push((rowGroupEnds.at(-1) ?? 0) + Number(group.num_rows));
    }
    let group = 0;
    const windowEndAfter = (from: number): number => {
      const least = Math.min(totalRows, from + chunkRows);
      while (group < rowGroupEnds.length && (rowGroupEnds[group] as number) < least) group++;
      return Math.min(totalRows, from + windowRows, rowGroupEnds[group] ?? totalRows);
    };
    const buffer = new ColumnSegments();
    const plainColumns = new ParquetPlainColumns(file, metadata);
    const checkedChunks = new CheckedColumnChunks(metadata);
    let readRows = 0;
    let startRow = 0;
    do {
      const rowCount = Math.min(chunkRows, totalRows - startRow);
      while (buffer.buffered < rowCount) {
        const windowEnd = windowEndAfter(readRows);
        const segments = await this.readWindow(
          file,
          decoding,
          { plainColumns, checkedChunks },
          selected,
          readRows,
          windowEnd,
        );
        for (const segment of segments) {
          buffer.push(segment.rows, segment.columns);
        }
        readRows = windowEnd;
      }
      const values =
        selected.length === 0 ? new Map<string, ColumnValues>() : buffer.take(rowCount, selected);
      yield new ColumnarTableChunk(this.path, header, values, startRow, rowCount, undefined, stored, nested);
      startRow += rowCount;
    } while (startRow < totalRows);
  }

  /**
   * Rows [rowStart, rowEnd) of the selected columns, typed arrays where they were decoded without nulls: one
   * segment per row group when every column came in the same pieces (no copy), else one joined segment. Flat
   * numeric columns are decoded by `plainColumns` when it can; the rest, and those it hands back, by hyparquet:
   * stored columns (parquetStoredColumns.ts) in a read of their own, as the file stores them.
   */
  private async readWindow(
    file: AsyncBuffer,
    { metadata, stored, storedMetadata }: WindowDecoding,
    { plainColumns, checkedChunks }: WindowReaders,
    selected: readonly string[],
    rowStart: number,
    rowEnd: number,
  ): Promise<WindowSegment[]> {
    const pieces = new Map<string, { rowStart: number; values: ColumnValues }[]>(
      selected.map((name) => [name, []]),
    );
    const add = (name: string, decoded: unknown, decodedStart: number, decodedEnd: number): void => {
      const from = Math.max(decodedStart, rowStart);
      const to = Math.min(decodedEnd, rowEnd);
      if (from >= to) return;
      const element = stored.get(name);
      // A decimal's unscaled integers may come as a typed array; they are no numbers to compute with.
      const values =
        isTypedColumnValues(decoded) && (element === undefined || !isDecimal(element))
          ? decoded.subarray(from - decodedStart, to - decodedStart)
          : element !== undefined
            ? storedValues(element, decoded as ArrayLike<unknown>, from - decodedStart, to - decodedStart)
            : cellsOf(decoded as ArrayLike<unknown>, from - decodedStart, to - decodedStart);
      pieces.get(name)?.push({ rowStart: from, values });
    };
    if (selected.length > 0 && rowEnd > rowStart) {
      try {
        const plain = await plainColumns.read(selected, rowStart, rowEnd);
        for (const [name, parts] of plain) {
          for (const part of parts) add(name, part.values, part.rowStart, part.rowStart + part.values.length);
        }
        const rest = selected.filter((name) => !plain.has(name));
        const { parquetRead } = await hyparquet();
        const onChunk = (data: ColumnData): void =>
          add(data.columnName, data.columnData, data.rowStart, data.rowEnd);
        // Without an offset index hyparquet fetches whole column chunks, which checkedChunks relies on.
        const window = {
          rowStart,
          rowEnd,
          compressors: checkedChunks.compressors,
          onChunk,
          useOffsetIndex: false,
        };
        const keptStored = rest.filter((name) => stored.has(name));
        const cells = rest.filter((name) => !stored.has(name));
        if (keptStored.length > 0) {
          // Without utf8, a BYTE_ARRAY decimal read without its annotation comes as its bytes, not as text;
          // the stored text columns are annotated as text, which hyparquet decodes either way.
          await parquetRead({
            ...window,
            file: checkedChunks.over(file, keptStored),
            metadata: storedMetadata,
            columns: keptStored,
            parsers: STORED_PARSERS,
            utf8: false,
          });
        }
        if (cells.length > 0) {
          await parquetRead({
            ...window,
            file: checkedChunks.over(file, cells),
            metadata,
            columns: cells,
            parsers: PARQUET_TEXT_PARSERS,
          });
        }
      } catch (error) {
        throw this.readError(error, `rows ${rowStart + 1}-${rowEnd}`);
      }
    }
    for (const [name, parts] of pieces) {
      parts.sort((a, b) => a.rowStart - b.rowStart);
      const covered = parts.reduce((sum, part) => sum + part.values.length, 0);
      if (covered !== rowEnd - rowStart) {
        throw this.readError(
          new Error(`column '${name}' gave ${covered} values for ${rowEnd - rowStart} rows`),
          `rows ${rowStart + 1}-${rowEnd}`,
        );
      }
    }
    return windowSegments(pieces, rowEnd - rowStart);
  }

  private async open(): Promise<{
    file: FileByteRanges;
    metadata: FileMetaData;
    columns: string[];
    stored: Map<string, SchemaElement>;
    nested: Map<string, SchemaTree>;
  }> {
    try {
      const info = await stat(this.path);
      if (info.isDirectory()) {
        throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${this.path} is a directory, not a table file`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `table file ${this.path} does not exist`);
      }
      throw error;
    }
    const { parquetSchema } = await hyparquet();
    const { readParquetMetadataAsync } = await footerReader();
    const file = await openFileByteRanges(this.path);
    try {
      const metadata = await readParquetMetadataAsync(file);
      checkRowCounts(metadata);
      const trees = parquetSchema(metadata).children;
      const fields = trees.map((child) => child.element);
      const stored = new Map<string, SchemaElement>();
      const nested = new Map<string, SchemaTree>();
      for (const tree of trees) {
        const element = storedElement(tree.element);
        if (element !== undefined)
          stored.set(tree.element.name, withNullsInFile(metadata, tree.element, element));
        else if (isNestedField(tree)) nested.set(tree.element.name, tree);
      }
      return { file, metadata, columns: fields.map((field) => field.name), stored, nested };
    } catch (error) {
      await file.close();
      throw this.readError(error, "its footer");
    }
  }

  private readError(error: unknown, where: string): unknown {
    if (error instanceof FlowOpsError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${this.path}: cannot read ${where} as Parquet (${reason})`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A stored integer or BOOLEAN column's element marked where the footer counts a null in it, so that every part
 * of it is float64 (integers) or object (booleans) to a model without a signature, as read_parquet types the
 * whole file (parquetColumnNulls.ts).
 */
function withNullsInFile(
  metadata: FileMetaData,
  field: Hyparquet.SchemaElement,
  element: SchemaElement,
): SchemaElement {
  const dtype = parquetNumpyDtype(element);
  const decidedOnFile = element.type === "BOOLEAN" || (dtype !== undefined && !dtype.startsWith("float"));
  if (!decidedOnFile || columnNullsInFile(metadata, field) !== true) return element;
  const marked: SchemaElement & Pick<NumericElement, "nullsInFile"> = { ...element, nullsInFile: true };
  return marked;
}

/** How a file's columns are decoded: stored columns with their elements, and the metadata to read them by. */
interface WindowDecoding {
  metadata: FileMetaData;
  stored: ReadonlyMap<string, SchemaElement>;
  storedMetadata: FileMetaData;
}

/**
 * The footer's row counts, which windows and chunks are cut by: a damaged footer can lose one (then NaN rows
 * were read and every column "gave 0 values for NaN rows") or make the row groups disagree with the file.
 */
function checkRowCounts(metadata: FileMetaData): void {
  const count = (value: unknown, what: string): number => {
    const rows = typeof value === "bigint" ? Number(value) : value;
    if (typeof rows !== "number" || !Number.isSafeInteger(rows) || rows < 0) {
      throw new Error(`the footer's ${what} is ${String(value)}, not a row count`);
    }
    return rows;
  };
  const total = count(metadata.num_rows, "num_rows");
  let sum = 0;
  metadata.row_groups.forEach((group, i) => {
    sum += count(group.num_rows, `row group ${i + 1} num_rows`);
  });
  if (sum !== total) {
    throw new Error(`the footer's num_rows is ${total} but its row groups hold ${sum} rows`);
  }
}

/** The per-pass state a window is read with: the fast path's cursors, the chunks already checked. */
interface WindowReaders {
  plainColumns: ParquetPlainColumns;
  checkedChunks: CheckedColumnChunks;
}

interface WindowSegment {
  rows: number;
  columns: Map<string, ColumnValues>;
}

/** The window's pieces as segments: per piece when all columns share their piece boundaries, else joined. */
function windowSegments(
  pieces: ReadonlyMap<string, readonly { rowStart: number; values: ColumnValues }[]>,
  rows: number,
): WindowSegment[] {
  const lists = [...pieces.values()];
  const first = lists[0];
  if (first === undefined) return [{ rows, columns: new Map() }];
  const aligned = lists.every(
    (parts) =>
      parts.length === first.length &&
      parts.every(
        (part, i) => part.rowStart === first[i]?.rowStart && part.values.length === first[i]?.values.length,
      ),
  );
  if (!aligned) {
    const columns = new Map<string, ColumnValues>();
    for (const [name, parts] of pieces) columns.set(name, concatenated(parts.map((part) => part.values)));
    return [{ rows, columns }];
  }
  return first.map((piece, i) => ({
    rows: piece.values.length,
    columns: new Map(
      [...pieces].map(([name, parts]) => [name, (parts[i] as { values: ColumnValues }).values]),
    ),
  }));
}

/**
 * Loaded on first use: commands that never read Parquet (`data status`, `repro`) then do not compile its
 * ~200 KiB at start-up.
 */
function hyparquet(): Promise<typeof Hyparquet> {
  return import("hyparquet");
}

/** Loaded on first use, as hyparquet is, which it imports. */
function footerReader(): Promise<typeof FooterReader> {
  return import("./parquetFooterReader.js");
}
