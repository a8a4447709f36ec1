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
