/**
 * A chunk's column as the pandas reader of its file would hold it, for a model without a signature, which
 * MLflow hands the DataFrame as read: `pandas.read_json(lines=True)` converts text and booleans
 * (pandasJsonCells.ts); `pandas.read_parquet` converts nothing, so a string column's "1.5" stays text, an
 * integer column holding a null is float64, a DOUBLE column's whole values stay floats, FLOAT stays float32, an
 * INT(8) or UINT(32) keeps its width, and 64-bit values keep every digit (parquetNumpyColumn.ts). CSV is typed
 * by the frame path itself as read_csv types text (frameCells.ts), so it has none here.
 *
 * pandas decides a column's type on the whole file: a JSON Lines column's type decided so (jsonlColumnTypes.ts)
 * is given here for each chunk; without it a chunk's own rows decide. Every batch of a chunk gets the same type,
 * which `float` says where the values alone could not: whole values of a float64 column are floats.
 */
import { FlowOpsError } from "../errors.js";
import { parquetNumpyColumn, type NumericElement, type NumpyColumn } from "./parquetNumpyColumn.js";
import { hasStoredColumns } from "./parquetStoredColumns.js";
import { hasPandasText } from "./parquetStoredText.js";
import type { PandasColumnDtype } from "./pandasColumnDtype.js";
import { pandasJsonCells, type PandasJsonType } from "./pandasJsonCells.js";
import type { TableChunk } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";

/** A column's values as pandas holds them: NaN for float64's missing, BigInts for int64 beyond 2^53. */
export interface PandasCells {
  values: readonly unknown[];
  /** Whether pandas makes the column float64, which whole values alone would not tell. */
  float: boolean;
  /**
   * A numeric Parquet column as read_parquet's numpy array, whose dtype (float32, int8, uint64) the values
   * alone would not tell either; the model gets that array rather than the values.
   */
  numpy?: NumpyColumn;
  /** A JSON Lines column's dtype where its values, or a batch of them, would not tell it (pandasColumnDtype.ts). */
  dtype?: PandasColumnDtype;
  /** An object column's rows (from 0 in the chunk) whose whole number Python holds as a float (1.0). */
  wholeFloats?: ReadonlySet<number>;
  /**
   * An object column's rows (from 0 in the chunk) whose value Python holds as `json.loads` of this text reads it:
   * a JSON Lines array or object as a list or dict, -0.0 with its sign.
   */
  pythonJson?: ReadonlyMap<number, string>;
}

/**
 * Column `name` of `chunk`, read from a `format` file, as pandas' reader holds it; undefined for CSV and TSV.
 * `jsonType` is the JSON Lines column's type decided on the whole file.
 */
export function pandasReadCells(
  chunk: TableChunk,
  name: string,
  format: TableFormat,
  jsonType?: PandasJsonType,
): PandasCells | undefined {
  switch (format) {
    case "csv":
    case "tsv":
      return undefined;
    case "jsonl":
      return pandasJsonCells(chunk.column(name), name, chunk.startRow + 1, jsonType);
    case "parquet":
      return pandasParquetCells(chunk, name);
    default:
      return assertNever(format);
  }
}

/**
 * A Parquet column as read_parquet holds it: a numeric column as its numpy array (floats where pandas makes it
 * float64 or float32), the rest as the chunk's cells.
 */
function pandasParquetCells(chunk: TableChunk, name: string): PandasCells {
  const stored = hasStoredColumns(chunk) ? chunk.storedColumn(name) : undefined;
  if (stored?.element.converted_type === "UTF8") {
    // read_parquet makes a text column pandas' str on the whole file: a batch of nulls only is str NaN too.
    return { values: chunk.column(name), float: false, dtype: { kind: "str" } };
  }
  if (stored?.element.type === "BOOLEAN" && (stored.element as NumericElement).nullsInFile === true) {
    // read_parquet makes a boolean column with a null anywhere in the file object (True, False, None) in every
    // row, where a part without one would be bool from its own values.
    return { values: chunk.column(name), float: false, dtype: { kind: "object" } };
  }
  // Dates, times and decimals keep the cells the chunk gives them; nested and binary columns are not stored.
  if (stored !== undefined && !hasPandasText(stored.element)) {
    const numpy = parquetNumpyColumn(stored.element, stored.values);
    if (numpy !== undefined) {
      return {
        values: Array.from(numpy.values as ArrayLike<number | bigint>),
        float: numpy.dtype.startsWith("float"),
        numpy,
      };
    }
  }
  return { values: chunk.column(name), float: false };
}

function assertNever(value: never): never {
  throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown table format ${String(value)}`);
}
