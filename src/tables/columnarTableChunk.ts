/**
 * The chunk the Parquet reader builds: each column is either a typed array (a numeric Parquet column with no
 * nulls in this chunk, exactly as hyparquet decoded it) or cells. Typed columns are what lets batch inference
 * interleave features into its input tensor and write them back out without one object per cell; `column()`
 * still gives cells for every consumer that wants them, converted once on first use.
 */

import { absentColumnError, type CellValue, type TableChunk } from "./tableChunk.js";

/** The typed arrays a numeric column may be held in; every value is a plain JavaScript number. */
export type NumericArray = Float32Array | Float64Array | Int32Array;

export type ColumnValues = NumericArray | readonly CellValue[];

/** Capability of chunks that hold some columns as typed arrays. */
export interface TypedColumns {
  /** The column as a typed array when it is held as one (numeric, no nulls), else undefined. */
  typedColumn(name: string): NumericArray | undefined;
}

export function hasTypedColumns(chunk: TableChunk): chunk is TableChunk & TypedColumns {
  return typeof (chunk as Partial<TypedColumns>).typedColumn === "function";
}

export function isNumericArray(values: unknown): values is NumericArray {
  return values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array;
}

export class ColumnarTableChunk implements TableChunk, TypedColumns {
  private readonly cells = new Map<string, readonly CellValue[]>();

  constructor(
    private readonly path: string,
    readonly columns: readonly string[],
    private readonly values: ReadonlyMap<string, ColumnValues>,
    readonly startRow: number,
    readonly rowCount: number,
  ) {}

  typedColumn(name: string): NumericArray | undefined {
    const values = this.values.get(name);
    return isNumericArray(values) ? values : undefined;
  }

  column(name: string): readonly CellValue[] {
    const values = this.values.get(name);
    if (values === undefined) throw absentColumnError(this.path, this.columns, [...this.values.keys()], name);
    if (!isNumericArray(values)) return values;
    let cells = this.cells.get(name);
    if (cells === undefined) {
      cells = Array.from(values);
      this.cells.set(name, cells);
    }
    return cells;
  }

  describeRow(fileRow: number): string {
    return `row ${fileRow + 1}`;
  }
}
