/**
 * A batch's (or a joined file's) values in the form hyparquet-writer's column encoder takes for a column's
 * Parquet type: numbers for FLOAT and DOUBLE, BigInts for INT64, booleans, text for STRING, and a stored
 * column's values (parquetStoredColumns.ts) as they are stored: days for DATE, BigInts in the column's unit
 * for timestamps, unscaled BigInts for DECIMAL (numbers there are scaled by the encoder). A value that does
 * not fit the type (text in a DOUBLE column) is an error naming the column and the row.
 */

import type { ColumnSource, SchemaElement } from "hyparquet-writer";

import { FlowOpsError } from "../errors.js";
import { isTypedArray, typeName } from "./parquetColumnTypes.js";
import { isDecimal, type StoredValue } from "./parquetStoredColumns.js";
import type { CellValue } from "./tableChunk.js";
import { numberText, type TypedArray, type WriterColumn } from "./tableWriter.js";

export type ColumnData = ColumnSource["data"];

/** Where the values go, for messages: the file, the column and the file row of the first value. */
export interface ColumnValuesTarget {
  path: string;
  name: string;
  firstRow: number;
  /** The values are float32 even when not held in a Float32Array (a FLOAT column read back as numbers). */
  float32?: boolean | undefined;
}

export function toColumnData(
  target: ColumnValuesTarget,
  values: WriterColumn | readonly StoredValue[],
  element: SchemaElement,
): ColumnData {
  const float32 = values instanceof Float32Array || target.float32 === true;
  const misfit = (row: number, value: unknown): FlowOpsError =>
    new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${target.path}: column '${target.name}' row ${target.firstRow + row + 1} holds ${describeValue(value)}, ` +
        `which does not fit its Parquet type ${typeName(element)} (set by the first rows written)`,
    );
  if (isDecimal(element)) {
    return Array.from(values as ArrayLike<StoredValue>, (value, row) => {
      if (value === null || typeof value === "bigint" || typeof value === "number") return value;
      throw misfit(row, value);
    }) as ColumnData;
  }
  if (element.logical_type?.type === "FLOAT16") {
    // hyparquet-writer encodes FLOAT16 from the numbers themselves, not from their text.
    return Array.from(values as ArrayLike<CellValue | bigint>, (value, row) => {
      if (value === null || typeof value === "number") return value;
      if (typeof value === "bigint") return Number(value);
      throw misfit(row, value);
    });
  }
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

function describeValue(value: unknown): string {
  return typeof value === "string"
    ? `the text ${JSON.stringify(value)}`
    : `the ${typeof value} ${String(value)}`;
}

/** A column's pieces as one array: a typed array when they all are of one kind, else plain values. */
export function joinedColumn(parts: readonly ArrayLike<unknown>[], rows: number): ColumnData {
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
