/**
 * 64-bit integer arrays read as pairs of 32-bit words: reading an element of a BigInt64Array makes a BigInt
 * (tens of ns each), while two Int32 reads and a multiply give the same value as a double whenever it is a safe
 * integer. Little-endian machines only (the low word first); elsewhere callers read the BigInts.
 */
import { endianness } from "node:os";

export const LITTLE_ENDIAN = endianness() === "LE";

/** The array's words, two per element, sharing its memory; undefined on a big-endian machine. */
export function int64Words(values: BigInt64Array | BigUint64Array): Int32Array | undefined {
  return LITTLE_ENDIAN ? new Int32Array(values.buffer, values.byteOffset, values.length * 2) : undefined;
}

/**
 * Element `index` as a number when it is a safe integer, else undefined. The product and sum are exact up to
 * 2^53; beyond, they round to 2^53 or more, which the check refuses, so no unsafe value passes as exact.
 */
export function safeInt64At(words: Int32Array, index: number, signed: boolean): number | undefined {
  const high = words[2 * index + 1] as number;
  const value = (signed ? high : high >>> 0) * 4294967296 + ((words[2 * index] as number) >>> 0);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Elements [from, to) as table cells: a number when it is a safe integer, else its exact decimal text (a cell
 * has no 64-bit integer type, and a double would round it), made without a BigInt per safe value.
 */
export function int64Cells(
  values: BigInt64Array | BigUint64Array,
  from: number,
  to: number,
): (number | string)[] {
  const words = int64Words(values);
  const signed = values instanceof BigInt64Array;
  const cells = new Array<number | string>(to - from);
  for (let i = from; i < to; i++) {
    const safe = words === undefined ? undefined : safeInt64At(words, i, signed);
    cells[i - from] = safe ?? int64Cell(values[i] as bigint);
  }
  return cells;
}

function int64Cell(value: bigint): number | string {
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}
