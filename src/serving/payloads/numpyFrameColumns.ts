/**
 * Capability of frames read from a file whose columns pandas' reader types by the file's own schema
 * (read_parquet: float16, float32, int8, uint64, float64 NaN for an integer column with a null, str for text),
 * which a model without a signature gets as read. Typing those columns from their cells could not tell float32
 * from float64 or int8 from int64, and would make an all-null column object None. A typed model's signature
 * casts the cells instead, so only untypedFrameTensors.ts reads this, and the columns are plain data that
 * copyPredictRequest can clone.
 */
import type { NumpyColumn, NumpyDtype } from "../../tables/parquetNumpyColumn.js";
import { encodeHalfFloat } from "../halfFloat.js";
import type { Datatype, Tensor } from "../tensor.js";
import type { Frame } from "./frameTensors.js";

/**
 * A text column holding only nulls, which read_parquet makes pandas' str dtype (NaN each) where pandas would
 * make the same values, as sent, an object column of None. Text with a value is str from its values alike.
 */
export interface MissingTextColumn {
  dtype: "str";
  rows: number;
}

/** A column whose dtype the file's reader gave it. */
export type ReadFrameColumn = NumpyColumn | MissingTextColumn;

export interface NumpyFrameColumns {
  /** By column position: the column as the reader typed it, one value per row; undefined where cells decide. */
  numpyColumns: readonly (ReadFrameColumn | undefined)[];
}

export function hasNumpyColumns(frame: Frame): frame is Frame & NumpyFrameColumns {
  return Array.isArray((frame as Partial<NumpyFrameColumns>).numpyColumns);
}

const DATATYPES: Readonly<Record<NumpyDtype, Datatype>> = {
  float16: "FP16",
  float32: "FP32",
  float64: "FP64",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
};

/** Column `name` as a 1-D tensor that the Python runtime hands the model with its dtype kept. */
export function numpyColumnTensor(name: string, column: ReadFrameColumn): Tensor {
  if (column.dtype === "str") {
    const { rows } = column;
    const nulls = Array.from({ length: rows }, (_, row) => row);
    const data = new Array<string>(rows).fill("");
    return { name, datatype: "BYTES", shape: [rows], data, nulls, pandasDtype: { kind: "str" } };
  }
  const { dtype, values } = column;
  // FP16 tensors hold their bits; the values are float16 already, so encoding them is exact.
  const data = dtype === "float16" ? Uint16Array.from(values as Float64Array, encodeHalfFloat) : values;
  return { name, datatype: DATATYPES[dtype], shape: [values.length], data, keepDtype: true };
}
