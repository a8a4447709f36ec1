/**
 * Parquet output: each batch becomes one row group, flushed to the file as soon as it is encoded, so memory is
 * bounded by a batch. The schema is fixed by the first batch (or the first appended file): typed arrays keep
 * their type (Float32Array -> FLOAT, Float64Array -> DOUBLE, small integers -> INT32, 64-bit integers -> INT64),
 * cell columns become DOUBLE when every value is a number, BOOLEAN when every value is a boolean, else STRING (a
 * column with only nulls is STRING). Later batches are converted into that schema, and a value that does not
 * fit (text in a DOUBLE column) is an error naming the column and the row; appended files are converted the
 * same way. Every column is nullable. A writer that got no rows writes a valid empty file with STRING columns.
 *
 * Typed numeric columns are written from their bytes (parquetNumericChunk.ts); cell columns go through
 * hyparquet-writer's column encoder (dictionary, Snappy, statistics). Appending a file with the same schema
 * (batch prediction's parts) copies its row groups' bytes and moves their footer entries; any other file is
 * read column by column and written again. Intermediate files (TableWriterOptions) leave out page indexes,
 * which a copied row group would not carry along.
 */

import { parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from "hyparquet-writer";
import { writeColumn } from "hyparquet-writer/src/column.js";
import { encodeNestedValues } from "hyparquet-writer/src/dremel.js";
import { writeBlooms } from "hyparquet-writer/src/bloom.js";
import { writeIndexes } from "hyparquet-writer/src/indexes.js";
import { schemaPathResolver } from "hyparquet-writer/src/schema.js";

import { FlowOpsError } from "../errors.js";
import { openFileByteRanges } from "./fileByteRanges.js";
import { writeParquetFooter } from "./parquetFooter.js";
import { plainNumericValues, writePlainNumericChunk, type PlainNumericArray } from "./parquetNumericChunk.js";
import { relocatedRowGroup, rowGroupSpans, sameLeafSchema } from "./parquetRowGroupSpans.js";
import { snappyDecompress } from "./snappyDecompress.js";
import type { CellValue } from "./tableChunk.js";
import {
  TableFileSink,
  batchRowCount,
  numberText,
  type TableWriter,
  type TypedArray,
  type WriterColumn,
} from "./tableWriter.js";

type ColumnData = ColumnSource["data"];
// hyparquet-writer brings its own copy of hyparquet's types; the footer structs are the same thrift structs.
type WriterRowGroup = ParquetWriter["row_groups"][number];
type ColumnEncoder = Parameters<typeof writeColumn>[0]["column"];
type SchemaPath = ReturnType<ReturnType<typeof schemaPathResolver>>;

/** "PAR1" read as a little-endian uint32: the bytes that open and close a Parquet file. */
const PARQUET_MAGIC = 0x31524150;

/** hyparquet-writer's default page size, used for the columns its encoder writes. */
const PAGE_BYTES = 1 << 20;

/** One column of a row group: bytes of a typed array, or values for hyparquet-writer's encoder. */
type RowGroupColumn = { plain: PlainNumericArray } | { encoded: ColumnSource };

/** A ByteWriter that hands its bytes to the file after each row group instead of keeping the whole file. */
class FlushingByteWriter extends ByteWriter {
  constructor(private readonly sink: TableFileSink) {
    super(1 << 16);
  }

  flush(): void {
    if (this.index > 0) this.sink.write(new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }

  /** Writes bytes to the file after those buffered, without copying them into the buffer. */
  appendDirect(bytes: Uint8Array): void {
    this.flush();
    this.sink.write(bytes);
    this.offset += bytes.length;
  }

  override finish(): void {
    this.flush();
  }
}

export class ParquetTableWriter implements TableWriter {
  readonly format = "parquet" as const;
  private readonly sink: TableFileSink;
  private out: FlushingByteWriter | undefined;
  private writer: ParquetWriter | undefined;
  private schema: SchemaElement[] | undefined;
  private schemaPaths: Map<string, SchemaPath> | undefined;
  private rowsWritten = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly options: { intermediate: boolean } = { intermediate: false },
  ) {
    this.sink = new TableFileSink(path);
  }

  async write(batch: Readonly<Record<string, WriterColumn>>): Promise<void> {
    const rows = batchRowCount(this.path, this.columns, batch);
    if (rows === 0) return;
    const schema =
      this.schema ?? this.start(this.columns.map((name) => schemaElement(name, batch[name] as WriterColumn)));
    const columns = this.columns.map((name, c): RowGroupColumn => {
      const element = schema[c + 1] as SchemaElement;
      const values = batch[name] as WriterColumn;
      const plain = plainNumericValues(element, values);
      if (plain !== undefined) return { plain };
      return { encoded: { name, data: this.toColumnData(name, values, element), ...this.encodingOf() } };
    });
    this.writeRowGroup(columns, rows);
  }

  async appendFile(path: string): Promise<void> {
    const file = await openFileByteRanges(path);
    try {
      await this.appendFrom(path, file);
    } finally {
      await file.close();
    }
  }

  private async appendFrom(path: string, file: AsyncBuffer): Promise<void> {
    const metadata = await parquetMetadataAsync(file);
    // hyparquet-writer brings its own copy of hyparquet's types; the schema elements are the same thrift structs.
    const partColumns = parquetSchema(metadata).children.map((child) => child.element as SchemaElement);
    const names = partColumns.map((element) => element.name);
    if (names.join("\u0000") !== this.columns.join("\u0000")) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `${path} has columns ${names.join(", ")}; ${this.path} has ${this.columns.join(", ")}`,
      );
    }
    // A part may mark its typed columns REQUIRED (written by another tool); the output keeps every column nullable.
    const schema =
      this.schema ??
      this.start(partColumns.map((element) => ({ ...element, repetition_type: "OPTIONAL" as const })));
    const rowCount = Number(metadata.num_rows);
    if (rowCount === 0) return;
    if (sameLeafSchema(metadata.schema as SchemaElement[], schema)) {
      await this.copyRowGroups(file, metadata);
      return;
    }
    // Read column by column: numeric columns come back as typed arrays and are written back as they are.
    const pieces = partColumns.map(() => [] as { rowStart: number; values: ArrayLike<unknown> }[]);
    await parquetRead({
      file,
      metadata,
      compressors: { SNAPPY: snappyDecompress },
      onChunk: (chunk) => {
        pieces[names.indexOf(chunk.columnName)]?.push({ rowStart: chunk.rowStart, values: chunk.columnData });
      },
    });
    const columns = partColumns.map((element, c): RowGroupColumn => {
      const own = schema[c + 1] as SchemaElement;
      const parts = (pieces[c] ?? []).sort((a, b) => a.rowStart - b.rowStart).map((part) => part.values);
      const values = joinedColumn(parts, rowCount);
      const plain = plainNumericValues(own, values);
      if (plain !== undefined) return { plain };
      // A part whose first rows called for another type (a column that was all null there) is converted.
      const sameType = element.type === own.type && element.converted_type === own.converted_type;
      const data = sameType ? values : this.toColumnData(element.name, values as (CellValue | bigint)[], own);
      return { encoded: { name: element.name, data, ...this.encodingOf() } };
    });
    this.writeRowGroup(columns, rowCount);
  }

  async close(): Promise<void> {
    if (this.writer === undefined && this.schema === undefined) {
      this.start(this.columns.map((name) => stringElement(name)));
    }
    if (this.writer !== undefined && this.out !== undefined) finishFile(this.out, this.writer);
    this.writer = undefined;
    this.sink.close();
  }

  private start(columns: readonly SchemaElement[]): SchemaElement[] {
    const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }, ...columns];
    this.schema = schema;
    this.out = new FlushingByteWriter(this.sink);
    this.writer = new ParquetWriter({ writer: this.out, schema, createdBy: "flowops" });
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
      writer.row_groups.push(relocatedRowGroup(span.rowGroup, BigInt(at - span.start)) as WriterRowGroup);
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

  /** The batch's values in the form hyparquet-writer expects for the column's schema element. */
  private toColumnData(
    name: string,
    values: WriterColumn | readonly (CellValue | bigint)[],
    element: SchemaElement,
  ): ColumnData {
    const float32 = values instanceof Float32Array;
    const misfit = (row: number, value: unknown): FlowOpsError =>
      new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${this.path}: column '${name}' row ${this.rowsWritten + row + 1} holds ${describeValue(value)}, ` +
          `which does not fit its Parquet type ${typeName(element)} (set by the first rows written)`,
      );
    switch (element.type) {
      case "FLOAT":
      case "DOUBLE":
        if (element.type === "FLOAT" && values instanceof Float32Array) return values;
        if (element.type === "DOUBLE" && values instanceof Float64Array) return values;
        if (isTypedArray(values)) return Float64Array.from(values as ArrayLike<number | bigint>, Number);
        return values.map((value, row) => {
          if (value === null || typeof value === "number") return value;
          if (typeof value === "bigint") return Number(value);
          throw misfit(row, value);
        });
      case "INT32":
      case "INT64": {
        const big = element.type === "INT64";
        return Array.from(values as ArrayLike<CellValue | bigint>, (value, row) => {
          if (value === null) return null;
          if (typeof value === "bigint") return big ? value : Number(value);
          if (typeof value === "number" && Number.isInteger(value)) return big ? BigInt(value) : value;
          throw misfit(row, value);
        }) as ColumnData;
      }
      case "BOOLEAN":
        return Array.from(values as ArrayLike<CellValue | bigint>, (value, row) => {
          if (value === null || typeof value === "boolean") return value;
          if (typeof value === "number" && isTypedArray(values)) return value !== 0;
          throw misfit(row, value);
        });
      default:
        return Array.from(values as ArrayLike<CellValue | bigint>, (value) => {
          if (value === null) return null;
          return typeof value === "number" ? numberText(value, float32) : String(value);
        });
    }
  }
}

/**
 * ParquetWriter.finish with the footer written by parquetFooter.ts (same bytes, a fraction of the time; batch
 * prediction writes one footer per part and one for the joined file): page indexes, bloom filters, the
 * footer, the closing magic.
 */
function finishFile(out: FlushingByteWriter, writer: ParquetWriter): void {
  writeIndexes(out, writer.pendingIndexes);
  writeBlooms(out, writer.pendingIndexes);
  writeParquetFooter(out, {
    version: 2,
    created_by: writer.createdBy,
    schema: writer.schema,
    num_rows: writer.num_rows,
    row_groups: writer.row_groups,
    key_value_metadata: writer.kvMetadata,
  } as Parameters<typeof writeParquetFooter>[1]);
  out.appendUint32(PARQUET_MAGIC);
  out.finish();
}

/** A column's pieces as one array: a typed array when they all are of one kind, else plain values. */
function joinedColumn(parts: readonly ArrayLike<unknown>[], rows: number): ColumnData {
  const first = parts[0];
  if (parts.length === 1 && first !== undefined && first.length === rows) return first as ColumnData;
  if (ArrayBuffer.isView(first) && parts.every((part) => part.constructor === first.constructor)) {
    const Kind = first.constructor as new (length: number) => TypedArray;
    const joined = new Kind(rows);
    let at = 0;
    for (const part of parts) {
      joined.set(part as never, at);
      at += part.length;
    }
    return joined as ColumnData;
  }
  const values = new Array<unknown>(rows);
  let at = 0;
  for (const part of parts) for (let i = 0; i < part.length; i++) values[at++] = part[i];
  return values as ColumnData;
}

function isTypedArray(values: WriterColumn | readonly (CellValue | bigint)[]): values is TypedArray {
  return ArrayBuffer.isView(values);
}

/** The schema element the first batch's values call for. */
function schemaElement(name: string, values: WriterColumn): SchemaElement {
  const optional = { name, repetition_type: "OPTIONAL" } as const;
  if (values instanceof Float32Array) return { ...optional, type: "FLOAT" };
  if (values instanceof Float64Array) return { ...optional, type: "DOUBLE" };
  if (values instanceof BigInt64Array || values instanceof Uint32Array) return { ...optional, type: "INT64" };
  if (values instanceof BigUint64Array) return { ...optional, type: "INT64", converted_type: "UINT_64" };
  if (isTypedArray(values)) return { ...optional, type: "INT32" };
  let numbers = 0;
  let booleans = 0;
  let others = 0;
  for (const value of values) {
    if (typeof value === "number") numbers++;
    else if (typeof value === "boolean") booleans++;
    else if (value !== null) others++;
  }
  if (others === 0 && booleans === 0 && numbers > 0) return { ...optional, type: "DOUBLE" };
  if (others === 0 && numbers === 0 && booleans > 0) return { ...optional, type: "BOOLEAN" };
  return stringElement(name);
}

function stringElement(name: string): SchemaElement {
  return { name, repetition_type: "OPTIONAL", type: "BYTE_ARRAY", converted_type: "UTF8" };
}

function typeName(element: SchemaElement): string {
  if (element.converted_type === "UTF8") return "STRING";
  return element.converted_type === undefined
    ? String(element.type)
    : `${element.type} (${element.converted_type})`;
}

function describeValue(value: unknown): string {
  return typeof value === "string"
    ? `the text ${JSON.stringify(value)}`
    : `the ${typeof value} ${String(value)}`;
}
