/**
 * The fast path of batch inference for the common tabular model: one numeric input of shape [N, F] fed from F
 * numeric columns: taken as the typed arrays a Parquet column decodes to, or as the numbers a CSV column's plain
 * decimals give (parsed on the reading thread, or here in one pass over the chunk's cells), or parsed one by
 * one, and interleaved into one typed array (no row objects, no per-cell protocol coercion), which is what lets
 * `flowops predict` keep up with the runtime. Anything else (several inputs, strings, a column the file lacks) returns undefined and takes the
 * general frame path, which also reports the errors.
 */
import { FlowOpsError } from "../errors.js";
import { hasTypedColumns, type NumericArray } from "../tables/columnarTableChunk.js";
import { hasPlainNumbers, hasTextCells } from "../tables/csvChunk.js";
import type { TableChunk } from "../tables/tableChunk.js";
import { numericColumn, plainDecimalColumns, type NumericColumnOptions } from "../tables/numericColumn.js";
import { integerColumns, integerMissingNote } from "./integerFeatures.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

/** The model's input for rows [start, end) of the chunk the features came from. */
export type BatchInput = (start: number, end: number) => Tensor[];

/**
 * The chunk's feature columns, taken (or parsed) once, as a function giving the input tensor for any row range
 * of the chunk: batch prediction reads parts larger than one inference batch and cuts them into batches.
 */
export function numericBatchInput(
  model: Pick<LoadedModel, "inputs" | "signature">,
  chunk: TableChunk,
  names: readonly string[],
): BatchInput | undefined {
  const spec = model.inputs.length === 1 ? model.inputs[0] : undefined;
  if (spec === undefined || spec.shape.length !== 2) return undefined;
  if (spec.datatype !== "FP32" && spec.datatype !== "FP64") return undefined;
  // The features come from `names` only, as on the frame path, which reports a name the file lacks and a
  // signature column `names` leaves out: reading those from the file instead would hide a typo in --columns.
  if (!names.every((name) => chunk.columns.includes(name))) return undefined;
  const order = featureOrder(model, names);
  if (order === undefined || !order.every((name) => names.includes(name))) return undefined;
  const width = order.length;
  if (spec.shape[1] !== -1 && spec.shape[1] !== width) return undefined;
  // A CSV file for a column signature is read as MLflow reads a CSV body (read_csv with the signature's
  // dtypes): where the plain reading below refuses a cell, or lets through a number an integer column refuses,
  // the frame path decides (csvBatchCasts.ts), accepting or refusing as MLflow does and naming the cell.
  const csvSignature = hasTextCells(chunk) && model.signature?.kind === "columns";
  let columns: NumericArray[];
  try {
    columns = featureColumns(model, chunk, order);
  } catch (error) {
    if (csvSignature && error instanceof FlowOpsError) return undefined;
    throw error;
  }
  if (csvSignature && !signatureIntegersFit(model, order, columns)) return undefined;
  const { name, datatype } = spec;
  return (start, end) => {
    const rows = end - start;
    const data =
      datatype === "FP32"
        ? interleaveFloat32(columns, start, rows, width)
        : interleaveFloat64(columns, start, rows, width);
    return [{ name, datatype, shape: [rows, width], data }];
  };
}

/**
 * The features as numbers, column by column: a Parquet column's typed array as it is; a CSV column the reading
 * thread parsed (tableReadWorker.ts); the other CSV columns' plain decimals read here in one pass over the
 * chunk's cells, row by row as the parser stored them; and whatever is left (blanks, missing markers, cells)
 * by numericColumn, which reads it or names the cell.
 */
function featureColumns(
  model: Pick<LoadedModel, "inputs" | "signature">,
  chunk: TableChunk,
  order: readonly string[],
): NumericArray[] {
  const typed = hasTypedColumns(chunk) ? chunk : undefined;
  const parsed = hasPlainNumbers(chunk) ? chunk : undefined;
  const columns = order.map((name) => typed?.typedColumn(name) ?? parsed?.plainNumbers(name));
  if (hasTextCells(chunk)) {
    const unread = order.flatMap((_, i) => (columns[i] === undefined ? [i] : []));
    const cells = unread.map((i) => chunk.textCells(order[i] as string));
    if (cells.every((column) => column !== undefined)) {
      plainDecimalColumns(cells).forEach((values, k) => (columns[unread[k] as number] = values));
    }
  }
  const integers = integerColumns(model, order);
  return columns.map(
    (values, i) =>
      values ?? numericColumn(chunk, order[i] as string, featureOptions(integers.get(order[i] as string))),
  );
}

/*
 * Interleaving is the one per-value loop of this path (rows x features values per chunk). Each loop below
 * reads one kind of typed array and writes one, so V8 compiles it to a monomorphic load and store; a single
 * loop over `NumericArray` and `Float32Array | Float64Array` would see up to six combinations and go
 * polymorphic. Text and cell columns arrive here as Float64Array (numericColumn), so they share those loops.
 * Rows go in blocks of BLOCK_ROWS, every column per block: a whole batch is ~0.6 MB (8,192 rows x 20 floats), and
 * a column written down all of it at a stride of one row touched every cache line of that once per column,
 * while a block's ~40 KB stays in the core's cache across its columns.
 */
const BLOCK_ROWS = 512;

function interleaveFloat32(
  columns: readonly NumericArray[],
  start: number,
  rows: number,
  width: number,
): Float32Array {
  const data = new Float32Array(rows * width);
  const parts = columns.map((whole) => whole.subarray(start, start + rows));
  for (let from = 0; from < rows; from += BLOCK_ROWS) {
    const to = Math.min(rows, from + BLOCK_ROWS);
    parts.forEach((column, j) => {
      if (column instanceof Float32Array) float32FromFloat32(data, column, j, from, to, width);
      else if (column instanceof Float64Array) float32FromFloat64(data, column, j, from, to, width);
      else float32FromInt32(data, column, j, from, to, width);
    });
  }
  return data;
}

function interleaveFloat64(
  columns: readonly NumericArray[],
  start: number,
  rows: number,
  width: number,
): Float64Array {
  const data = new Float64Array(rows * width);
  const parts = columns.map((whole) => whole.subarray(start, start + rows));
  for (let from = 0; from < rows; from += BLOCK_ROWS) {
    const to = Math.min(rows, from + BLOCK_ROWS);
    parts.forEach((column, j) => {
      if (column instanceof Float32Array) float64FromFloat32(data, column, j, from, to, width);
      else if (column instanceof Float64Array) float64FromFloat64(data, column, j, from, to, width);
      else float64FromInt32(data, column, j, from, to, width);
    });
  }
  return data;
}

function float32FromFloat32(
  out: Float32Array,
  column: Float32Array,
  j: number,
  from: number,
  to: number,
  width: number,
): void {
  for (let r = from, at = from * width + j; r < to; r++, at += width) out[at] = column[r]!;
}

function float32FromFloat64(
  out: Float32Array,
  column: Float64Array,
  j: number,
  from: number,
  to: number,
  width: number,
): void {
  for (let r = from, at = from * width + j; r < to; r++, at += width) out[at] = column[r]!;
}

function float32FromInt32(
  out: Float32Array,
  column: Int32Array,
  j: number,
  from: number,
  to: number,
  width: number,
): void {
  for (let r = from, at = from * width + j; r < to; r++, at += width) out[at] = column[r]!;
}

function float64FromFloat32(
  out: Float64Array,
  column: Float32Array,
  j: number,
  from: number,
  to: number,
  width: number,
): void {
  for (let r = from, at = from * width + j; r < to; r++, at += width) out[at] = column[r]!;
}

function float64FromFloat64(
  out: Float64Array,
  column: Float64Array,
  j: number,
  from: number,
  to: number,
  width: number,
): void {
  for (let r = from, at = from * width + j; r < to; r++, at += width) out[at] = column[r]!;
}

function float64FromInt32(
  out: Float64Array,
  column: Int32Array,
  j: number,
  from: number,
  to: number,
  width: number,
): void {
  for (let r = from, at = from * width + j; r < to; r++, at += width) out[at] = column[r]!;
}

/**
 * How a feature's cells are read: as pandas reads a float column (missing markers and nulls as NaN, "inf" as
 * infinite), which is what MLflow hands the model; a column the signature types as integers takes neither,
 * as MLflow refuses the float64 column pandas would make of it.
 */
function featureOptions(integerType: string | undefined): NumericColumnOptions {
  if (integerType !== undefined) return { missingNote: integerMissingNote(integerType) };
  return { allowMissing: true, allowInfinite: true };
}

/** The signature's integer and long types, and the bound (exclusive) of their values' magnitude. */
const INTEGER_LIMITS: Readonly<Record<string, number>> = { integer: 2 ** 31, long: 2 ** 63 };

/**
 * Whether every value of the signature's integer columns is whole and within its type, as read_csv's dtype
 * asks; a column with none is not scanned, so plain float features cost nothing here.
 */
function signatureIntegersFit(
  model: Pick<LoadedModel, "signature">,
  order: readonly string[],
  columns: readonly NumericArray[],
): boolean {
  const signature = model.signature;
  if (signature?.kind !== "columns") return true;
  return order.every((name, i) => {
    const type = signature.inputs.find((input) => input.name === name)?.type;
    const limit = typeof type === "string" ? INTEGER_LIMITS[type] : undefined;
    if (limit === undefined) return true;
    const values = columns[i] as NumericArray;
    for (let r = 0; r < values.length; r++) {
      const value = values[r] as number;
      if (!Number.isInteger(value) || value >= limit || value < -limit) return false;
    }
    return true;
  });
}

/** A column signature orders the features by name; otherwise they go in the order given. */
function featureOrder(
  model: Pick<LoadedModel, "signature">,
  names: readonly string[],
): readonly string[] | undefined {
  const signature = model.signature;
  if (signature?.kind !== "columns") return names;
  const ordered = signature.inputs.map((column) => column.name);
  return ordered.every((name): name is string => name !== undefined) ? ordered : undefined;
}
