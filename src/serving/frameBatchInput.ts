/**
 * The general path of batch inference, taken when the numeric fast path (numericBatchInput.ts) is not: a
 * chunk's rows as a frame, adapted to the model's inputs by the same adaptInput an HTTP request goes through,
 * so a file and a request with the same rows reach the model alike. A model without a signature gets the
 * columns as the pandas reader of the file would have typed them (MLflow hands such a model the DataFrame as
 * read): CSV text as read_csv types it, JSON Lines and Parquet columns as pandasReadCells.ts gives them, a
 * JSON Lines column as the first pass over the whole file typed it (jsonlColumnTypes.ts) where there was one.
 */
import { hasTextCells } from "../tables/csvChunk.js";
import { PANDAS_NA_VALUES } from "../tables/numericColumn.js";
import type { PandasJsonType } from "../tables/pandasJsonCells.js";
import { pandasReadCells, type PandasCells } from "../tables/pandasReadCells.js";
import type { NumpyColumn } from "../tables/parquetNumpyColumn.js";
import type { CellValue, TableChunk } from "../tables/tableChunk.js";
import type { TableFormat } from "../tables/tableFormat.js";
import type { PandasColumnDtype } from "../tables/pandasColumnDtype.js";
import { csvSignatureCells } from "./csvBatchCasts.js";
import { integerColumns, integerMissingError } from "./integerFeatures.js";
import type { BatchInput } from "./numericBatchInput.js";
import { adaptInput } from "./payloads/adaptInput.js";
import { pythonFloat } from "./payloads/objectTensor.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

/**
 * The general path: the chunk's rows as a frame, adapted to the model's inputs as the serving protocols are.
 * `jsonTypes`: a JSON Lines file's column types decided on the whole file, for a model without a signature.
 */
export function frameBatchInput(
  model: Pick<LoadedModel, "inputs" | "signature">,
  chunk: TableChunk,
  names: readonly string[],
  format: TableFormat,
  jsonTypes?: ReadonlyMap<string, PandasJsonType>,
): BatchInput {
  const csv = hasTextCells(chunk);
  // Typed once per chunk, so that every batch of it gets a column alike (whole floats stay floats in all).
  const read = untypedColumns(model, chunk, names, format, jsonTypes);
  // A typed model's CSV columns as MLflow reads a CSV body for it: read_csv with the signature's dtypes.
  const cast = csv && read === undefined ? csvSignatureCells(model.signature, chunk, names) : undefined;
  const cells = read?.map((column) => column.values) ?? cast ?? names.map((name) => chunk.column(name));
  const dtypes = read?.some((column) => column.dtype !== undefined)
    ? new Map(
        names.flatMap((name, column) => {
          const dtype = read[column]?.dtype;
          const wholeFloats = read[column]?.wholeFloats;
          const pythonJson = read[column]?.pythonJson;
          return dtype === undefined ? [] : [[name, { dtype, column, wholeFloats, pythonJson }] as const];
        }),
      )
    : undefined;
  const integerTypes = integerColumns(model, names);
  const integers = names.map((name) => integerTypes.get(name));
  // CSV text as pandas.read_csv reads it (MLflow's batch scoring): its default NA markers are missing.
  const cell = (value: unknown, c: number, r: number): unknown => {
    const missing =
      value === undefined ||
      value === null ||
      (csv && typeof value === "string" && PANDAS_NA_VALUES.has(value));
    if (!missing) return value;
    const integer = integers[c];
    if (integer !== undefined)
      throw integerMissingError(chunk, names[c] as string, r, value as CellValue | undefined, integer);
    return null;
  };
  return (start, end) => {
    const rows: unknown[][] = new Array<unknown[]>(end - start);
    for (let r = start; r < end; r++) rows[r - start] = cells.map((column, c) => cell(column[r], c, r));
    const firstRow = chunk.startRow + start + 1;
    const frame = {
      kind: "frame" as const,
      columns: [...names],
      rows,
      firstRow,
      // A CSV file's text as read_csv types it for a model without a signature (true/false are booleans);
      // JSON Lines and Parquet cells already typed as their reader types them, to be taken as they are.
      ...(csv ? { textCells: "csv" as const } : read !== undefined ? { textCells: "json" as const } : {}),
      ...(read !== undefined ? { floatColumn: (c: number) => read[c]?.float === true } : {}),
      ...(read?.some((column) => column.numpy !== undefined) === true
        ? { numpyColumns: numpyRows(read, start, end) }
        : {}),
    };
    const tensors = adaptInput(frame, model.inputs, model.signature);
    if (dtypes !== undefined) for (const tensor of tensors) withPandasDtype(tensor, dtypes, rows, start);
    return tensors;
  };
}

/**
 * Tags a column tensor with the dtype the reader gave its column over the whole chunk (JSON Lines' str, object
 * and datetime64 columns), which the batch's own values would not tell the Python worker. An object column's
 * values go as the file holds them, where the tensor typed from a batch of them may be bool or int64, and a
 * whole number the file wrote as a float (1.0) as a Python float, and a nested value (or -0.0) as the text
 * Python's json.loads makes a list or dict of (`{json: text}`). `start` is the batch's first row in the chunk.
 */
function withPandasDtype(
  tensor: Tensor,
  dtypes: ReadonlyMap<
    string,
    {
      dtype: PandasColumnDtype;
      column: number;
      wholeFloats: ReadonlySet<number> | undefined;
      pythonJson: ReadonlyMap<number, string> | undefined;
    }
  >,
  rows: readonly (readonly unknown[])[],
  start: number,
): void {
  const found = dtypes.get(tensor.name);
  if (found === undefined) return;
  tensor.pandasDtype = found.dtype;
  if (found.dtype.kind !== "object") return;
  const { column, wholeFloats, pythonJson } = found;
  tensor.jsonData = rows.map((row, r) => {
    const json = pythonJson?.get(start + r);
    if (json !== undefined) return { json };
    const value = row[column] ?? null;
    return wholeFloats?.has(start + r) === true ? pythonFloat(value as number) : value;
  });
}

/** Rows [start, end) of the columns read_parquet types by the file's schema (numpyFrameColumns.ts). */
function numpyRows(read: readonly PandasCells[], start: number, end: number): (NumpyColumn | undefined)[] {
  return read.map(({ numpy }) => numpy && { dtype: numpy.dtype, values: numpy.values.subarray(start, end) });
}

/**
 * For a model that declares no inputs (adaptInput then types the frame from its values), the columns as the
 * file's pandas reader holds them; undefined for a typed model, whose signature casts the cells as they are.
 */
function untypedColumns(
  model: Pick<LoadedModel, "inputs">,
  chunk: TableChunk,
  names: readonly string[],
  format: TableFormat,
  jsonTypes: ReadonlyMap<string, PandasJsonType> | undefined,
): PandasCells[] | undefined {
  if (model.inputs.length > 0) return undefined;
  const columns: PandasCells[] = [];
  for (const name of names) {
    const column = pandasReadCells(chunk, name, format, jsonTypes?.get(name));
    if (column === undefined) return undefined;
    columns.push(column);
  }
  return columns;
}
