/**
 * A flat numeric Parquet column as the numpy array `pandas.read_parquet` gives it, for a model without a
 * signature, which MLflow hands the DataFrame as read: FLOAT stays float32, an INT32 annotated INT(8), UINT(16)
 * and the like keeps that width, UINT(64) stays uint64, and any null makes an integer column float64 (NaN), while
 * a float column keeps its own width with NaN; FLOAT16 (FIXED_LEN_BYTE_ARRAY(2)) is float16. Values typed from
 * cells would widen to int64 or float64, and an all-null column would be object None. Text, booleans, dates,
 * times and decimals have none here: their pandas types are not numpy numbers of the stored width.
 *
 * pandas decides an integer column's float64 on the whole file, a reader of parts on each part; `nullsInFile`
 * on the element (from the footer, parquetColumnNulls.ts) makes every part of a column with a null float64.
 */

/** The numpy dtypes read_parquet gives numeric columns. */
export type NumpyDtype =
  | "float16"
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64";

/** A numeric column as numpy holds it; also the numeric half of a serving tensor's data. */
export type NumpyArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/**
 * A column as pandas holds it: `values` is a typed array of `dtype`, NaN where a float is missing; float16, which
 * has no typed array in Node 20, as its exact values in a Float64Array (halfFloat.ts makes the bits).
 */
export interface NumpyColumn {
  dtype: NumpyDtype;
  values: NumpyArray;
}

/** The parts of a Parquet schema element (as hyparquet reads it, or as a stored column keeps it) that type it. */
export interface NumericElement {
  type?: string | undefined;
  converted_type?: string | undefined;
  logical_type?: { type: string; bitWidth?: number; isSigned?: boolean } | undefined;
  num_children?: number | undefined;
  repetition_type?: string | undefined;
  /**
   * FlowOps' own, never written: the file's footer counts a null in this column somewhere (not necessarily in
   * the part at hand), so read_parquet makes an integer column float64, and a BOOLEAN one object, in every part.
   */
  nullsInFile?: boolean | undefined;
}

const CONVERTED_INTEGERS: Readonly<Record<string, NumpyDtype>> = {
  INT_8: "int8",
  INT_16: "int16",
  INT_32: "int32",
  INT_64: "int64",
  UINT_8: "uint8",
  UINT_16: "uint16",
  UINT_32: "uint32",
  UINT_64: "uint64",
};

/** The dtype read_parquet gives a column of `element` without nulls, or undefined when it is no plain number. */
export function parquetNumpyDtype(element: NumericElement): NumpyDtype | undefined {
  const { type, converted_type: converted, logical_type: logical } = element;
  if ((element.num_children ?? 0) > 0 || element.repetition_type === "REPEATED") return undefined;
  if (type === "FIXED_LEN_BYTE_ARRAY") return logical?.type === "FLOAT16" ? "float16" : undefined;
  if (type === "FLOAT" || type === "DOUBLE") {
    if (converted !== undefined || logical !== undefined) return undefined;
    return type === "FLOAT" ? "float32" : "float64";
  }
  if (type !== "INT32" && type !== "INT64") return undefined;
  if (logical !== undefined) {
    if (logical.type !== "INTEGER") return undefined;
    const prefix = logical.isSigned === false ? "UINT" : "INT";
    return CONVERTED_INTEGERS[`${prefix}_${String(logical.bitWidth)}`];
  }
  if (converted !== undefined) return CONVERTED_INTEGERS[converted];
  return type === "INT32" ? "int32" : "int64";
}

/**
 * Column values (numbers, BigInts for 64-bit integers, null or undefined for missing; a typed array too) of a
 * column of `element` as read_parquet's numpy array, or undefined for a column that is no plain number.
 */
export function parquetNumpyColumn(
  element: NumericElement,
  values: ArrayLike<unknown>,
): NumpyColumn | undefined {
  const dtype = parquetNumpyDtype(element);
  if (dtype === undefined) return undefined;
  const length = values.length;
  const missing = (value: unknown): boolean => value === null || value === undefined;
  const integers = !dtype.startsWith("float");
  if (integers && (element.nullsInFile === true || Array.prototype.some.call(values, missing))) {
    const floats = new Float64Array(length);
    for (let i = 0; i < length; i++) floats[i] = missing(values[i]) ? Number.NaN : Number(values[i]);
    return { dtype: "float64", values: floats };
  }
  const array = allocate(dtype, length);
  if (array instanceof BigInt64Array || array instanceof BigUint64Array) {
    // Unsigned 64-bit values may arrive as a signed BigInt64Array's bits; asUintN/asIntN keep every digit.
    const unsigned = array instanceof BigUint64Array;
    for (let i = 0; i < length; i++) {
      const value = BigInt(values[i] as bigint | number);
      array[i] = unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value);
    }
  } else {
    for (let i = 0; i < length; i++) {
      const value = values[i];
      array[i] = missing(value) ? Number.NaN : Number(value);
    }
  }
  return { dtype, values: array };
}

function allocate(dtype: NumpyDtype, length: number): NumpyArray {
  switch (dtype) {
    case "float16":
    case "float64":
      return new Float64Array(length);
    case "float32":
      return new Float32Array(length);
    case "int8":
      return new Int8Array(length);
    case "int16":
      return new Int16Array(length);
    case "int32":
      return new Int32Array(length);
    case "int64":
      return new BigInt64Array(length);
    case "uint8":
      return new Uint8Array(length);
    case "uint16":
      return new Uint16Array(length);
    case "uint32":
      return new Uint32Array(length);
    case "uint64":
      return new BigUint64Array(length);
  }
}
