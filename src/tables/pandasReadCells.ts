/**
 * A chunk's column as the pandas reader of its file would hold it, for a model without a signature, which
 * MLflow hands the DataFrame as read: `pandas.read_json(lines=True)` converts text and booleans
 * (pandasJsonCells.ts); `pandas.read_parquet` converts nothing, so a string column's "1.5" stays text, an
 * integer column holding a null is float64, a DOUBLE column's whole values stay floats, and int64 values keep
 * every digit. CSV is typed by the frame path itself as read_csv types text (frameCells.ts), so it has none here.
 *
 * pandas decides a column's type on the whole file; a chunk can only decide it on its own rows, so a column can
 * differ between chunks (a null in one only). Within a chunk every batch gets the same type, which `float` says
 * where the values alone could not: whole values of a float64 column are floats.
 */
import { FlowOpsError } from "../errors.js";
import { hasStoredColumns } from "./parquetStoredColumns.js";
import { hasPandasText, pandasFloatColumn } from "./parquetStoredText.js";
import type { StoredValue } from "./parquetStoredColumns.js";
import { pandasJsonCells } from "./pandasJsonCells.js";
import type { TableChunk } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";
import type { WriterColumn } from "./tableWriter.js";

/** A column's values as pandas holds them: NaN for float64's missing, BigInts for int64 beyond 2^53. */
export interface PandasCells {
  values: readonly unknown[];
  /** Whether pandas makes the column float64, which whole values alone would not tell. */
  float: boolean;
}

/** Column `name` of `chunk`, read from a `format` file, as pandas' reader holds it; undefined for CSV and TSV. */
export function pandasReadCells(
  chunk: TableChunk,
  name: string,
  format: TableFormat,
): PandasCells | undefined {
  switch (format) {
    case "csv":
    case "tsv":
      return undefined;
    case "jsonl":
      return pandasJsonCells(chunk.column(name));
    case "parquet":
      return pandasParquetCells(chunk, name);
    default:
      return assertNever(format);
  }
}

/** A Parquet column as read_parquet holds it: its stored values, as floats where pandas makes them float64. */
function pandasParquetCells(chunk: TableChunk, name: string): PandasCells {
  const stored = hasStoredColumns(chunk) ? chunk.storedColumn(name) : undefined;
  // Dates, times and decimals keep the cells the chunk gives them; nested and binary columns are not stored.
  if (stored !== undefined && !hasPandasText(stored.element)) {
    const floats = pandasFloatColumn(stored.element, stored.values);
    if (floats !== undefined) return { values: Array.from(floats), float: true };
    const type = stored.element.type;
    if (type === "INT32" || type === "INT64") return integerCells(stored.values);
  }
  return { values: chunk.column(name), float: false };
}

/** Integers as they are (BigInts beyond 2^53 included), or float64 with NaN where one is missing, as pandas has it. */
function integerCells(values: WriterColumn | readonly StoredValue[]): PandasCells {
  const integers = Array.from(values as ArrayLike<StoredValue>);
  if (!integers.includes(null)) return { values: integers, float: false };
  return { values: integers.map((value) => (value === null ? Number.NaN : Number(value))), float: true };
}

function assertNever(value: never): never {
  throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown table format ${String(value)}`);
}
