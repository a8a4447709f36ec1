/**
 * Parquet output: each batch becomes one row group, flushed to the file as soon as it is encoded, so memory is
 * bounded by a batch. The schema is fixed by the first batch (parquetColumnTypes.ts: typed arrays keep their
 * type, cells become DOUBLE, BOOLEAN or STRING; a column of a Parquet input given as it was stored,
 * StoredParquetColumn, keeps its element); later batches are converted into it, and a value that does not
 * fit (text in a DOUBLE column) is an error naming the column and the row. Appended files are different: each
 * part of a batch prediction was typed by its own rows (a JSON Lines column of numbers, then text), so their
 * footers are read as they are given and their rows only once the writer closes (or gets a batch), when the
 * schema is chosen to hold every file's types (`joinedElement`). Every column is nullable. A writer that got
 * no rows writes a valid empty file with STRING columns.
 *
 * Typed numeric columns are written from their bytes (parquetNumericChunk.ts); cell columns go through
 * hyparquet-writer's column encoder (dictionary, Snappy, statistics). Appending a file with the output's schema
 * (batch prediction's parts, as a rule) copies its row groups' bytes and moves their footer entries; any other
 * file is read column by column and written again. Intermediate files (TableWriterOptions) leave out page
 * indexes, which a copied row group would not carry along. A part writer (TablePartTarget) writes its row
 * groups into a file shared with the parts before and after it, and its footer to a file apart, for
 * parquetParts.ts to join.
 */

import { parquetRead, parquetSchema } from "hyparquet";
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { ParquetWriter, type ColumnSource, type SchemaElement } from "hyparquet-writer";
import { writeColumn } from "hyparquet-writer/src/column.js";
import { encodeNestedValues } from "hyparquet-writer/src/dremel.js";
import { schemaPathResolver } from "hyparquet-writer/src/schema.js";

import { FlowOpsError } from "../errors.js";
import { openFileByteRanges, type FileByteRanges } from "./fileByteRanges.js";
import {
  batchElement,
  fileColumns,
  joinedElement,
  sameDecimal,
  sameType,
  stringElement,
  type FileColumn,
} from "./parquetColumnTypes.js";
import { joinedColumn, toColumnData } from "./parquetColumnValues.js";
import { PARQUET_DECOMPRESSORS } from "./parquetDecompressors.js";
import { FlushingByteWriter, finishFile, finishPart } from "./parquetFileEnd.js";
import { readParquetMetadataAsync } from "./parquetFooterReader.js";
import { plainNumericValues, writePlainNumericChunk, type PlainNumericArray } from "./parquetNumericChunk.js";
import { relocatedRowGroup, rowGroupSpans, sameLeafSchema } from "./parquetRowGroupSpans.js";
import {
  STORED_PARSERS,
  StoredParquetColumn,
  rewritableRowGroup,
  storedReadMetadata,
  storedValues,
  type StoredColumnTableWriter,
} from "./parquetStoredColumns.js";
import type { CellValue } from "./tableChunk.js";
import { TableFileSink, batchRowCount, type TablePartTarget, type WriterColumn } from "./tableWriter.js";
// hyparquet-writer brings its own copy of hyparquet's types; the footer structs are the same thrift structs.
type WriterRowGroup = ParquetWriter["row_groups"][number];
type ColumnEncoder = Parameters<typeof writeColumn>[0]["column"];
type SchemaPath = ReturnType<ReturnType<typeof schemaPathResolver>>;

/** Opens the bytes of a Parquet file for reading. */
export type OpenParquetBytes = () => Promise<FileByteRanges>;

/** hyparquet-writer's default page size, used for the columns its encoder writes. */
const PAGE_BYTES = 1 << 20;

/** One column of a row group: bytes of a typed array, or values for hyparquet-writer's encoder. */
type RowGroupColumn = { plain: PlainNumericArray } | { encoded: ColumnSource };

export class ParquetTableWriter implements StoredColumnTableWriter {
  readonly format = "parquet" as const;
  readonly writesStoredColumns = true;
  private readonly sink: TableFileSink;
  private out: FlushingByteWriter | undefined;
  private writer: ParquetWriter | undefined;
  private schema: SchemaElement[] | undefined;
  private schemaPaths: Map<string, SchemaPath> | undefined;
  private rowsWritten = 0;
  /** Files given to appendFile and not yet copied, with their columns' types (see the module comment). */
  private pendingFiles: { path: string; open: OpenParquetBytes; columns: FileColumn[] }[] = [];

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly options: { intermediate: boolean; part?: TablePartTarget | undefined } = {
      intermediate: false,
    },
  ) {
    this.sink = options.part?.sink ?? new TableFileSink(path);
  }

  async write(batch: Readonly<Record<string, WriterColumn | StoredParquetColumn>>): Promise<void> {
    const rows = batchRowCount(this.path, this.columns, batch);
    if (rows === 0) return;
    await this.appendPendingFiles();
    const schema =
      this.schema ??
      this.start(
        this.columns.map((name) => {
          const column = batch[name] as WriterColumn | StoredParquetColumn;
          return column instanceof StoredParquetColumn
            ? { ...column.element, name }
            : batchElement(name, column);
        }),
      );
    const columns = this.columns.map((name, c): RowGroupColumn => {
      const element = schema[c + 1] as SchemaElement;
      const column = batch[name] as WriterColumn | StoredParquetColumn;
      const values = column instanceof StoredParquetColumn ? column.values : column;
      const plain = plainNumericValues(element, values);
      if (plain !== undefined) return { plain };
      const data = toColumnData({ path: this.path, name, firstRow: this.rowsWritten }, values, element);
      return { encoded: { name, data, ...this.encodingOf() } };
    });
    this.writeRowGroup(columns, rows);
  }

  /** Reads the file's footer now (a file with other columns fails here) and its rows when the schema is set. */
  async appendFile(path: string): Promise<void> {
    await this.appendBytes(path, () => openFileByteRanges(path));
  }

  /** appendFile for Parquet bytes that are not a file of their own (a part of a file built part by part). */
  async appendBytes(name: string, open: OpenParquetBytes): Promise<void> {
    const file = await open();
    try {
      const metadata = await readParquetMetadataAsync(file, { parsers: STORED_PARSERS });
      this.pendingFiles.push({
        path: name,
        open,
        columns: fileColumns(metadata, this.columnsOf(name, metadata)),
      });
    } finally {
      await file.close();
    }
  }

  /** The file's top-level schema elements, checked against this writer's columns. */
  private columnsOf(path: string, metadata: FileMetaData): SchemaElement[] {
    // hyparquet-writer brings its own copy of hyparquet's types; the schema elements are the same thrift structs.
    const elements = parquetSchema(metadata).children.map((child) => child.element as SchemaElement);
    const names = elements.map((element) => element.name);
    if (names.join("\u0000") !== this.columns.join("\u0000")) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `${path} has columns ${names.join(", ")}; ${this.path} has ${this.columns.join(", ")}`,
      );
    }
    return elements;
  }

  /**
   * Copies the files appendFile took, in order, into a schema that holds all of their types, unless a batch
   * already set it. Footers are read again rather than kept: a long run has thousands of parts.
   */
  private async appendPendingFiles(): Promise<void> {
    const files = this.pendingFiles;
    if (files.length === 0) return;
    this.pendingFiles = [];
    if (this.schema === undefined) {
      this.start(
        this.columns.map((_, c) => joinedElement(files.map((file) => file.columns[c] as FileColumn))),
      );
    }
    for (const { path, open } of files) {
      const file = await open();
      try {
        await this.appendFrom(path, file);
      } finally {
        await file.close();
      }
    }
  }

  private async appendFrom(path: string, file: AsyncBuffer): Promise<void> {
    const metadata = await readParquetMetadataAsync(file, { parsers: STORED_PARSERS });
    const partColumns = this.columnsOf(path, metadata);
    const schema = this.schema as SchemaElement[];
    const rowCount = Number(metadata.num_rows);
    if (rowCount === 0) return;
    if (sameLeafSchema(metadata.schema as SchemaElement[], schema)) {
      await this.copyRowGroups(file, metadata);
      return;
    }
    // Read column by column: numeric columns come back as typed arrays and are written back as they are.
    const pieces = partColumns.map(() => [] as { rowStart: number; values: ArrayLike<unknown> }[]);
    // Decimals that stay decimals of their scale as their unscaled integers: a double cannot hold every one.
    const unscaled = new Set(
      partColumns
        .filter((element, c) => sameDecimal(element, schema[c + 1] as SchemaElement))
        .map((element) => element.name),
    );
    // Timestamps and dates as stored: a Date would drop their microseconds.
    await parquetRead({
      file,
      metadata: storedReadMetadata(metadata, unscaled),
      compressors: PARQUET_DECOMPRESSORS,
      parsers: STORED_PARSERS,
      onChunk: (chunk) => {
        pieces[this.columns.indexOf(chunk.columnName)]?.push({
          rowStart: chunk.rowStart,
          values: chunk.columnData,
        });
      },
    });
    const columns = partColumns.map((element, c): RowGroupColumn => {
      const own = schema[c + 1] as SchemaElement;
      const parts = (pieces[c] ?? []).sort((a, b) => a.rowStart - b.rowStart).map((part) => part.values);
      const joined = joinedColumn(parts, rowCount);
      const values = unscaled.has(element.name) ? storedValues(element, joined, 0, rowCount) : joined;
      const plain = plainNumericValues(own, values);
      if (plain !== undefined) return { plain };
      // A part whose rows called for another type (all null there, or numbers where others hold text) is
      // converted; FLOAT values come back as numbers, and keep float32's shortest text.
      if (sameType(element, own))
        return { encoded: { name: element.name, data: values, ...this.encodingOf() } };
      const target = { path: this.path, name: element.name, firstRow: this.rowsWritten };
      const float32 = element.type === "FLOAT";
      const data = toColumnData({ ...target, float32 }, values as (CellValue | bigint)[], own);
      return { encoded: { name: element.name, data, ...this.encodingOf() } };
    });
    this.writeRowGroup(columns, rowCount);
  }

  async close(): Promise<void> {
    try {
      await this.appendPendingFiles();
      if (this.writer === undefined && this.schema === undefined) {
        this.start(this.columns.map((name) => stringElement(name)));
      }
      if (this.writer !== undefined && this.out !== undefined) {
        const part = this.options.part;
        if (part === undefined) finishFile(this.out, this.writer);
        else finishPart(this.out, this.writer, part.footerPath);
      }
    } finally {
      this.writer = undefined;
      if (this.options.part === undefined) this.sink.close();
    }
  }

  private start(columns: readonly SchemaElement[]): SchemaElement[] {
    const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }, ...columns];
    this.schema = schema;
    const at = this.sink.position;
    this.out = new FlushingByteWriter(this.sink);
    this.writer = new ParquetWriter({ writer: this.out, schema, createdBy: "flowops" });
    // A later part of a file built part by part: the file's opening magic is already there, and this part's
    // offsets count from the file's start.
    if (at > 0) {
      this.out.index = 0;
      this.out.offset = at;
    }
    const resolve = schemaPathResolver(schema);
    this.schemaPaths = new Map(columns.map((element) => [element.name, resolve([element.name])]));
    return schema;
  }

  /** hyparquet-writer's defaults, less page indexes in intermediate files (see TableWriterOptions). */
  private encodingOf(): Partial<ColumnSource> {
    return this.options.intermediate ? { offsetIndex: false } : {};
  }

  /** Appends the row groups of a file with this writer's schema as they are, moving only their offsets. */
  private async copyRowGroups(file: AsyncBuffer, metadata: FileMetaData): Promise<void> {
    const { out, writer } = this.open();
    for (const span of rowGroupSpans(metadata)) {
      const bytes = new Uint8Array(await file.slice(span.start, span.end));
      const at = out.offset;
      out.appendDirect(bytes);
      const group = rewritableRowGroup(span.rowGroup, this.schema ?? []);
      writer.row_groups.push(relocatedRowGroup(group, BigInt(at - span.start)) as WriterRowGroup);
      writer.num_rows += span.rowGroup.num_rows;
      this.rowsWritten += Number(span.rowGroup.num_rows);
    }
  }

  /**
   * One row group, assembled here rather than by ParquetWriter.write so that typed columns skip its encoder;
   * the footer (ParquetWriter.finish) lists it like any other.
   */
  private writeRowGroup(columns: readonly RowGroupColumn[], rows: number): void {
    const { out, writer } = this.open();
    const groupStart = out.offset;
    const chunks: WriterRowGroup["columns"] = [];
    try {
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c] as RowGroupColumn;
        const element = this.schema?.[c + 1] as SchemaElement;
        if ("plain" in column) {
          chunks.push(writePlainNumericChunk(out, element, column.plain));
          continue;
        }
        const source = column.encoded;
        const schemaPath = this.schemaPaths?.get(element.name) ?? [];
        const result = writeColumn({
          writer: out,
          column: {
            columnName: element.name,
            element,
            schemaPath: schemaPath.map((node) => node.element),
            codec: source.codec ?? writer.codec,
            compressors: writer.compressors as ColumnEncoder["compressors"],
            stats: source.statistics ?? writer.statistics,
            pageSize: PAGE_BYTES,
            columnIndex: false,
            offsetIndex: source.offsetIndex ?? true,
          },
          pageData: encodeNestedValues(schemaPath, source.data),
        });
        chunks.push(result.chunk);
        writer.pendingIndexes.push(result);
      }
    } catch (error) {
      if (error instanceof FlowOpsError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `cannot write ${this.path} as Parquet (${reason})`, {
        cause: error,
      });
    }
    let uncompressed = 0n;
    for (const chunk of chunks) uncompressed += chunk.meta_data?.total_uncompressed_size ?? 0n;
    writer.row_groups.push({
      columns: chunks,
      total_byte_size: uncompressed,
      num_rows: BigInt(rows),
      total_compressed_size: BigInt(out.offset - groupStart),
    });
    writer.num_rows += BigInt(rows);
    out.flush();
    this.rowsWritten += rows;
  }

  private open(): { out: FlushingByteWriter; writer: ParquetWriter } {
    if (this.writer === undefined || this.out === undefined) {
      throw new FlowOpsError("INVALID_STATE", `${this.path} is already closed`);
    }
    return { out: this.out, writer: this.writer };
  }
}
