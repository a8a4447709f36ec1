/**
 * Capability of frames read from a file whose numeric columns pandas' reader types by the file's own schema
 * (read_parquet: float32, int8, uint64, float64 NaN for an integer column with a null), which a model without a
 * signature gets as read. Typing those columns from their cells could not tell float32 from float64 or int8 from
 * int64, and would make an all-null column object None. A typed model's signature casts the cells instead, so
 * only untypedFrameTensors.ts reads this, and the columns are plain data that copyPredictRequest can clone.
 */
import type { NumpyColumn, NumpyDtype } from "../../tables/parquetNumpyColumn.js";
import type { Datatype, Tensor } from "../tensor.js";
import type { Frame } from "./frameTensors.js";

export interface NumpyFrameColumns {
  /** By column position: the column as the reader's numpy array, one value per row; undefined where cells decide. */
  numpyColumns: readonly (NumpyColumn | undefined)[];
}

export function hasNumpyColumns(frame: Frame): frame is Frame & NumpyFrameColumns {
  return Array.isArray((frame as Partial<NumpyFrameColumns>).numpyColumns);
}

const DATATYPES: Readonly<Record<NumpyDtype, Datatype>> = {
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
export function numpyColumnTensor(name: string, column: NumpyColumn): Tensor {
  const { dtype, values } = column;
  return { name, datatype: DATATYPES[dtype], shape: [values.length], data: values, keepDtype: true };
}
