/**
 * The columns of a batch prediction part: the model's output tensors as named columns ([N] one column, [N, K]
 * K columns `<name>_<k>`), the batches' pieces joined in order, and the input columns written beside them.
 */

import { FlowOpsError } from "../errors.js";
import { hasNestedColumns, hasNumberText, hasTypedColumns } from "../tables/columnarTableChunk.js";
import { hasTextCells } from "../tables/csvChunk.js";
import { pandasCsvColumn, pandasJsonColumn, pandasJsonFloatColumn } from "../tables/pandasColumnTypes.js";
import {
  hasStoredColumns,
  writesStoredColumns,
  type StoredParquetColumn,
  type StoredValue,
} from "../tables/parquetStoredColumns.js";
import {
  hasPandasText,
  pandasCsvCells,
  pandasFloatColumn,
  pandasJsonCells,
} from "../tables/parquetStoredText.js";
import type { CellValue, TableChunk } from "../tables/tableChunk.js";
import { pandasNestedJson } from "../tables/parquetNestedJson.js";
import {
  JsonValueColumn,
  NumberTextColumn,
  TextCellColumn,
  writesJsonValues,
  writesNumberText,
  writesTextCells,
  type TableWriter,
  type WriterColumn,
} from "../tables/tableWriter.js";
import { decodeHalfFloat } from "./halfFloat.js";
import type { Tensor, TensorSpec } from "./tensor.js";

/**
 * Writes the chunk's input columns followed by `predictions` as one batch. Input columns go as the reader holds
 * them: typed arrays (numeric Parquet columns; INT64 ones as 64-bit integers, so they stay exact) keep their
 * type, and CSV cells go to a writer that takes them as spans of the file's text (CSV and TSV), so they are
 * neither made into strings nor reformatted, as do numbers whose text the reading thread kept or made
 * (NumberText: JSON Lines numbers, Parquet doubles and float32 values) to a writer that takes it (CSV, TSV,
 * JSON Lines); other writers get cells typed as pandas would read them. Parquet columns the reader holds as
 * stored (parquetStoredColumns.ts) go as they are to a writer that takes them (Parquet), which keeps their
 * type, and to the others as the text pandas writes for them (dates and timestamps, decimals); nested Parquet
 * columns go to a writer of JSON as JSON values, to the others as JSON text.
 */
export async function writePartRows(
  writer: TableWriter,
  chunk: TableChunk,
  predictions: Readonly<Record<string, WriterColumn>>,
): Promise<void> {
  if (writesStoredColumns(writer) && hasStoredColumns(chunk)) {
    const stored = (name: string): StoredParquetColumn | undefined => chunk.storedColumn(name);
    const untyped = (name: string): WriterColumn => typedCells(writer, chunk, name);
    await writer.write({
      ...inputColumns<WriterColumn | StoredParquetColumn>(chunk, untyped, stored, true),
      ...predictions,
    });
  } else if (writesTextCells(writer) && hasTextCells(chunk)) {
    const textColumn = (name: string): WriterColumn | TextCellColumn => {
      const cells = chunk.textCells(name);
      return cells === undefined ? chunk.column(name) : new TextCellColumn(cells);
    };
    await writer.write({ ...inputColumns(chunk, textColumn), ...predictions });
  } else if (writesNumberText(writer) && hasNumberText(chunk) && hasTypedColumns(chunk)) {
    const numberTextColumn = (name: string): WriterColumn | NumberTextColumn | undefined => {
      const storedText = storedTextCells(writer, chunk, name);
      if (storedText !== undefined) return storedText;
      const text = chunk.numberText(name);
      const values = chunk.typedColumn(name);
      return text !== undefined && (values instanceof Float64Array || values instanceof Float32Array)
        ? new NumberTextColumn(values, text)
        : undefined;
    };
    const untyped = (name: string): WriterColumn => typedCells(writer, chunk, name);
    const values = {
      ...inputColumns<WriterColumn | NumberTextColumn>(chunk, untyped, numberTextColumn, true),
      ...predictions,
    };
    if (writesJsonValues(writer)) await writer.write({ ...values, ...nestedJsonColumns(chunk) });
    else await writer.write(values);
  } else {
    const untyped = (name: string): WriterColumn => typedCells(writer, chunk, name);
    const storedText = (name: string): WriterColumn | undefined => storedTextCells(writer, chunk, name);
    await writer.write({ ...inputColumns(chunk, untyped, storedText, true), ...predictions });
  }
}

/** The chunk's nested Parquet columns (lists, maps, structs) as the JSON values pandas writes for them. */
function nestedJsonColumns(chunk: TableChunk): Record<string, JsonValueColumn> {
  const columns: Record<string, JsonValueColumn> = {};
  if (!hasNestedColumns(chunk)) return columns;
  for (const name of chunk.columns) {
    const schema = chunk.nestedSchema(name);
    if (schema !== undefined)
      columns[name] = new JsonValueColumn(pandasNestedJson(schema, chunk.column(name)));
  }
  return columns;
}

/**
 * A stored Parquet column whose numbers are not what pandas writes (times of day, timestamps, dates, decimals)
 * as pandas' text, for a writer of text; else undefined. It comes before the column's typed array: a TIME
 * column without nulls may be held as one, and its numbers are no times.
 */
function storedTextCells(writer: TableWriter, chunk: TableChunk, name: string): WriterColumn | undefined {
  const stored = hasStoredColumns(chunk) ? chunk.storedColumn(name) : undefined;
  if (stored === undefined || writer.format === "parquet" || !hasPandasText(stored.element)) return undefined;
  const text = writer.format === "jsonl" ? pandasJsonCells : pandasCsvCells;
  return text(stored.element, stored.values as ArrayLike<StoredValue>);
}

/**
 * An input column for a writer that keeps types, typed as pandas would have read it (pandasColumnTypes.ts), so
 * that the output holds what MLflow's batch scoring would write: CSV numbers as numbers, not their text, and a
 * Parquet float column with nulls as floats (pandasFloatColumn).
 */
function typedCells(writer: TableWriter, chunk: TableChunk, name: string): WriterColumn {
  const stored = hasStoredColumns(chunk) ? chunk.storedColumn(name) : undefined;
  if (stored !== undefined && writer.format !== "parquet") {
    const floats = pandasFloatColumn(stored.element, stored.values as ArrayLike<StoredValue>);
    if (floats !== undefined) return floats;
    const text = writer.format === "jsonl" ? pandasJsonCells : pandasCsvCells;
    return text(stored.element, stored.values as ArrayLike<StoredValue>);
  }
  const cells = hasTextCells(chunk) ? chunk.textCells(name) : undefined;
  if (cells !== undefined) return pandasCsvColumn(cells, writer.format !== "parquet");
  const values = chunk.column(name);
  const floats = writer.format === "parquet" ? undefined : pandasJsonFloatColumn(values);
  return pandasJsonColumn(values) ?? floats ?? values;
}

/**
 * The chunk's columns: 64-bit integer columns, then (where `preferred` gives one) a writer's own column, then
 * typed columns, then `untyped`'s; with `preferFirst`, the writer's own column before all others.
 */
function inputColumns<Column>(
  chunk: TableChunk,
  untyped: (name: string) => Column,
  preferred: (name: string) => Column | undefined = () => undefined,
  preferFirst = false,
): Record<string, WriterColumn | Column> {
  const typed = hasTypedColumns(chunk) ? chunk : undefined;
  const values: Record<string, WriterColumn | Column> = {};
  for (const name of chunk.columns) {
    const own = preferred(name);
    values[name] =
      (preferFirst ? own : undefined) ??
      typed?.int64Column(name) ??
      own ??
      typed?.typedColumn(name) ??
      untyped(name);
  }
  return values;
}

/** The batches' output columns joined, in order, into the part's columns. */
export function joinedBatches(
  batches: readonly Record<string, WriterColumn>[],
  where: string,
): Record<string, WriterColumn> {
  const first = batches[0] ?? {};
  if (batches.length === 1) return first;
  const names = Object.keys(first);
  const values: Record<string, WriterColumn> = {};
  for (const name of names) {
    values[name] = joinedColumn(
      batches.map((batch) => {
        const column = batch[name];
        if (column === undefined || Object.keys(batch).length !== names.length) {
          throw new FlowOpsError(
            "INVALID_STATE",
            `${where}: the model gave the columns ${Object.keys(batch).join(", ")} for one batch and ${names.join(", ")} for another`,
          );
        }
        return column;
      }),
    );
  }
  return values;
}

/** Pieces of one column as one: a typed array when they all are of one kind, else cells. */
function joinedColumn(pieces: readonly WriterColumn[]): WriterColumn {
  const first = pieces[0] as WriterColumn;
  if (ArrayBuffer.isView(first) && pieces.every((piece) => piece.constructor === first.constructor)) {
    const typed = first as Exclude<WriterColumn, readonly CellValue[]>;
    const Constructor = typed.constructor as new (length: number) => typeof typed;
    const joined = new Constructor(pieces.reduce((total, piece) => total + piece.length, 0));
    let at = 0;
    for (const piece of pieces) {
      joined.set(piece as never, at);
      at += piece.length;
    }
    return joined;
  }
  return pieces.flatMap((piece) => Array.from(piece as ArrayLike<CellValue>));
}

/** A tensor of shape [N, ...] as columns: [N] is one column, [N, K, ...] is K... columns `<name>_<i>`. */
export function outputColumns(tensor: Tensor, rowCount: number, where: string): Record<string, WriterColumn> {
  if (tensor.shape.length === 0 || tensor.shape[0] !== rowCount) {
    throw new FlowOpsError(
      "INVALID_STATE",
      `${where}: the model's output '${tensor.name}' has shape [${tensor.shape.join(",")}]; ` +
        `expected ${rowCount} rows first`,
    );
  }
  const data = columnData(tensor);
  if (tensor.shape.length === 1) return { [tensor.name]: data };
  const width = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  const result: Record<string, WriterColumn> = {};
  for (let k = 0; k < width; k++) {
    const column = stridedCopy(data, k, width, rowCount);
    result[`${tensor.name}_${k}`] = column;
  }
  return result;
}

/** The tensor's flat data as a writer column: BOOL as booleans, FP16 decoded to float32. */
function columnData(tensor: Tensor): WriterColumn {
  const data = tensor.data;
  if (Array.isArray(data)) return data;
  if (tensor.datatype === "BOOL") return Array.from(data as Uint8Array, (value) => value !== 0);
  if (tensor.datatype === "FP16") return Float32Array.from(data as Uint16Array, decodeHalfFloat);
  return data as WriterColumn;
}

function stridedCopy(data: WriterColumn, offset: number, stride: number, rows: number): WriterColumn {
  if (Array.isArray(data)) {
    return Array.from({ length: rows }, (_, r) => data[r * stride + offset] ?? null);
  }
  const typed = data as Exclude<WriterColumn, readonly CellValue[]>;
  const Constructor = typed.constructor as new (length: number) => typeof typed;
  const column = new Constructor(rows);
  for (let r = 0; r < rows; r++) column[r] = typed[r * stride + offset] as never;
  return column;
}

/** For an empty input: the prediction columns the output specs announce, with no rows. */
export function emptyPredictions(specs: readonly TensorSpec[]): {
  predictionColumns: string[];
  values: Record<string, WriterColumn>;
} {
  const values: Record<string, WriterColumn> = {};
  for (const spec of specs) {
    const trailing = spec.shape.slice(1);
    const width = trailing.reduce((a, b) => a * b, 1);
    if (trailing.length === 0 || width < 1) values[spec.name] = [];
    else for (let k = 0; k < width; k++) values[`${spec.name}_${k}`] = [];
  }
  return { predictionColumns: Object.keys(values), values };
}
