/**
 * The chunk the Parquet reader builds: each column is either a typed array (a numeric Parquet column with no
 * nulls in this chunk, exactly as hyparquet decoded it) or cells. Typed columns are what lets batch inference
 * interleave features into its input tensor and write them back out without one object per cell, and 64-bit
 * integer columns what lets it write them back exactly (as INT64, or as exact digits in text); `column()`
 * still gives cells for every consumer that wants them, converted once on first use.
 */

import type { SchemaTree } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";

import { int64Cells } from "./int64Words.js";
import { StoredParquetColumn, type StoredColumns, type StoredValue } from "./parquetStoredColumns.js";
import { storedCells } from "./parquetStoredText.js";
import { absentColumnError, type CellValue, type TableChunk } from "./tableChunk.js";

/** The typed arrays a numeric column may be held in; every value is a plain JavaScript number. */
export type NumericArray = Float32Array | Float64Array | Int32Array;

/** A 64-bit integer column (signed, or UINT_64); its values are BigInts, beyond what a number holds exactly. */
export type Int64Array = BigInt64Array | BigUint64Array;

/** Cells, or a Parquet column's stored values (parquetStoredColumns.ts) where the chunk knows its element. */
export type ColumnValues = NumericArray | Int64Array | readonly CellValue[] | readonly StoredValue[];

/** Capability of chunks that hold some columns as typed arrays. */
export interface TypedColumns {
  /** The column as a typed array when it is held as one (numeric, no nulls), else undefined. */
  typedColumn(name: string): NumericArray | undefined;
  /**
   * The column as 64-bit integers when it is held as them (an INT64 column without nulls), else undefined.
   * Kept apart from `typedColumn`, whose values are numbers: these are for writing the column back as it was.
   */
  int64Column(name: string): Int64Array | undefined;
}

/**
 * A column's numbers as their text in the file, where each is the text `String` gives the number (what the text
 * writers write for it): row r's bytes are `bytes[starts[r], ends[r])`. The JSON Lines reader keeps it for a
 * column of doubles, so a writer of text copies the numbers instead of formatting them again. The columns of a
 * chunk may share one `bytes` (the JSON Lines reader's holds the lines it read).
 */
export interface NumberText {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** Capability of chunks that may hold some columns' number text (see NumberText). */
export interface NumberTextColumns {
  numberText(name: string): NumberText | undefined;
}

export function hasNumberText(chunk: TableChunk): chunk is TableChunk & NumberTextColumns {
  return typeof (chunk as Partial<NumberTextColumns>).numberText === "function";
}

/**
 * Capability of chunks that know which columns are nested Parquet fields (lists, maps, structs), whose cells
 * are JSON text: their schema, which tells how pandas writes the values (parquetNestedJson.ts).
 */
export interface NestedColumns {
  nestedSchema(name: string): SchemaTree | undefined;
}

export function hasNestedColumns(chunk: TableChunk): chunk is TableChunk & NestedColumns {
  return typeof (chunk as Partial<NestedColumns>).nestedSchema === "function";
}

export function hasTypedColumns(chunk: TableChunk): chunk is TableChunk & TypedColumns {
  return typeof (chunk as Partial<TypedColumns>).typedColumn === "function";
}

export function isNumericArray(values: unknown): values is NumericArray {
  return values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array;
}

export function isInt64Array(values: unknown): values is Int64Array {
  return values instanceof BigInt64Array || values instanceof BigUint64Array;
}

/** Values held as a typed array, of either kind. */
export function isTypedColumnValues(values: unknown): values is NumericArray | Int64Array {
  return isNumericArray(values) || isInt64Array(values);
}

/** Typed values as cells: numbers of a numeric array, 64-bit integers as int64Cells gives them. */
export function cellValues(values: NumericArray | Int64Array | readonly CellValue[]): readonly CellValue[] {
  if (isInt64Array(values)) return int64Cells(values, 0, values.length);
  return isNumericArray(values) ? Array.from(values) : values;
}

export class ColumnarTableChunk
  implements TableChunk, TypedColumns, NumberTextColumns, StoredColumns, NestedColumns
{
  private readonly cells = new Map<string, readonly CellValue[]>();

  constructor(
    private readonly path: string,
    readonly columns: readonly string[],
    private readonly values: ReadonlyMap<string, ColumnValues>,
    readonly startRow: number,
    readonly rowCount: number,
    /** The number text of some of the Float64Array columns. */
    private readonly numberTexts?: ReadonlyMap<string, NumberText>,
    /**
     * The Parquet element of the columns whose values are as the file stores them (parquetStoredColumns.ts);
     * the other columns' values are cells.
     */
    private readonly elements?: ReadonlyMap<string, SchemaElement>,
    /** The schema of the nested Parquet columns, whose cells are JSON text. */
    private readonly nested?: ReadonlyMap<string, SchemaTree>,
  ) {}

  nestedSchema(name: string): SchemaTree | undefined {
    return this.nested?.get(name);
  }

  storedColumn(name: string): StoredParquetColumn | undefined {
    const element = this.elements?.get(name);
    const values = this.values.get(name);
    return element === undefined || values === undefined
      ? undefined
      : new StoredParquetColumn(element, values);
  }

  numberText(name: string): NumberText | undefined {
    return this.numberTexts?.get(name);
  }

  typedColumn(name: string): NumericArray | undefined {
    const values = this.values.get(name);
    return isNumericArray(values) ? values : undefined;
  }

  int64Column(name: string): Int64Array | undefined {
    const values = this.values.get(name);
    return isInt64Array(values) ? values : undefined;
  }

  column(name: string): readonly CellValue[] {
    const values = this.values.get(name);
    if (values === undefined) throw absentColumnError(this.path, this.columns, [...this.values.keys()], name);
    const element = this.elements?.get(name);
    if (!isTypedColumnValues(values) && element === undefined) return values as readonly CellValue[];
    let cells = this.cells.get(name);
    if (cells === undefined) {
      cells = isTypedColumnValues(values)
        ? cellValues(values)
        : storedCells(element as SchemaElement, values);
      this.cells.set(name, cells);
    }
    return cells;
  }

  describeRow(fileRow: number): string {
    return `row ${fileRow + 1}`;
  }
}
