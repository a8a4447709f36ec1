/**
 * Decoded Parquet values as table cells, for the columns that stay neither typed arrays nor stored columns:
 * BigInt -> number when it is a safe integer (else its decimal text, so no digit is lost), Date -> ISO 8601
 * text, binary -> base64, lists, maps and structs -> JSON text, missing -> null.
 */
import type { CellValue } from "./tableChunk.js";

export function cellsOf(decoded: ArrayLike<unknown>, from: number, to: number): CellValue[] {
  const cells = new Array<CellValue>(to - from);
  for (let i = from; i < to; i++) cells[i - from] = toCellValue(decoded[i]);
  return cells;
}

function toCellValue(value: unknown): CellValue {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
      return JSON.stringify(value, jsonValue);
  }
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}
