/**
 * The tensor core every serving protocol maps onto: a named, typed, row-major flat array with a shape, the
 * KServe V2 datatype names, and JSON in and out (batching along dimension 0 is tensorBatch.ts).
 *
 * Data lives in TypedArrays (not JS number arrays) because the runtimes hand them to ONNX Runtime worker
 * threads by transfer. Conversions check each element once; JSON parsing stays free of schema libraries
 * because it sits on the hot path of every V2 request.
 */
import { FlowOpsError } from "../errors.js";
import { stringifyJsonWithBigIntegers } from "../tables/jsonBigIntegers.js";
import type { PandasColumnDtype } from "../tables/pandasColumnDtype.js";
import type { NumpyArray } from "../tables/parquetNumpyColumn.js";
import { decodeHalfFloat, encodeHalfFloat } from "./halfFloat.js";
import { flattenRectangular } from "./rectangularData.js";

export const DATATYPES = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;
export type Datatype = (typeof DATATYPES)[number];

/**
 * Flat row-major data: numeric types in their TypedArray (INT64/UINT64 as BigInt64Array/BigUint64Array, FP16 as
 * its raw bits in a Uint16Array, never parsed from JSON), BOOL as Uint8Array, BYTES as string[].
 */
export type TensorData = NumpyArray | string[];

export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: TensorData;
  /**
   * BYTES elements that are missing (their `data` entry is ""): null in an MLflow `string` column, or among the
   * strings of a column typed from its values for a model without a signature; MLflow passes them to the model as
   * None (NaN from CSV). Only the Python runtime takes them; ONNX refuses them.
   */
  nulls?: number[];
  /**
   * The column a Python model's DataFrame (or Series) answer gave this output: MLflow's /invocations answers
   * such predictions as records keyed by these.
   */
  recordKey?: string;
  /**
   * Elements as JSON values (flat, row-major) where Python holds them as objects. Outputs: a Python model's object
   * answer mixing numbers and text; `data` holds it as text for V2, while MLflow's /invocations answers each
   * element with its own type. Inputs: the values as the request sent them (text mixed with numbers, nulls among
   * numbers or booleans), which a Python model without a signature takes as MLflow hands them (objectTensor.ts).
   */
  jsonData?: unknown[];
  /** A Python model answered a dict with this output as one key: MLflow answers even one key as {name: value}. */
  dictKey?: true;
  /**
   * Input: one member of an MLflow body without a format key that holds `messages`, `prompt` or `input` (its
   * unified LLM form). MLflow's scoring server hands a Python model that dict as json.loads made it, members its
   * params schema names as params, and no cast to the signature; only the Python runtime takes such tensors.
   */
  llmMember?: true;
  /**
   * Input: one key's values of MLflow `instances` records. For a signature with nested columns MLflow casts each
   * record's value to the column's type (parse_instances_data), not the column as an `inputs` one; only the Python
   * runtime reads it.
   */
  instanceRecords?: true;
  /**
   * Input: part of a request read as for a model without a signature (ModelInput.schemaCast), which the Python
   * worker casts to the model's scalar column signature with MLflow's own functions; only that runtime takes it.
   */
  schemaCast?: true;
  /**
   * A Python model without a signature takes this 1-D column with its own numpy dtype (float32, int8, uint64), as
   * pandas.read_parquet holds it, where pandas would widen a column built from Python values to int64 or float64.
   * Only the Python runtime's DataFrame columns read it.
   */
  keepDtype?: true;
  /**
   * A Python model without a signature takes this 1-D column as a pandas column of this dtype, which its file's
   * reader decided on more rows than this tensor holds (pandasColumnDtype.ts). Only the Python runtime's
   * DataFrame columns read it.
   */
  pandasDtype?: PandasColumnDtype;
}

export interface TensorSpec {
  name: string;
  datatype: Datatype;
  /** -1 = any size in that dimension. */
  shape: number[];
}

export interface TensorJson {
  name: string;
  datatype: Datatype;
  shape: number[];
  /**
   * null only for a missing BYTES element of a Python model's output (`Tensor.nulls`); a bigint only for a
   * 64-bit integer beyond 2^53, which the JSON writers write as its exact digits.
   */
  data: JsonValue[];
}

/** An element as JSON: see TensorJson.data. */
export type JsonValue = number | string | boolean | bigint | null;

const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && DATATYPE_SET.has(value);
}

/** Number of elements of a concrete shape (no -1); the empty shape is a scalar (1). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (let i = 0; i < shape.length; i++) count *= shape[i] as number;
  return count;
}

/** A zeroed data array of `length` elements for `datatype`. */
export function allocateTensorData(datatype: Datatype, length: number): TensorData {
  switch (datatype) {
    case "BOOL":
    case "UINT8":
      return new Uint8Array(length);
    case "UINT16":
    case "FP16":
      return new Uint16Array(length);
    case "UINT32":
      return new Uint32Array(length);
    case "UINT64":
      return new BigUint64Array(length);
    case "INT8":
      return new Int8Array(length);
    case "INT16":
      return new Int16Array(length);
    case "INT32":
      return new Int32Array(length);
    case "INT64":
      return new BigInt64Array(length);
    case "FP32":
      return new Float32Array(length);
    case "FP64":
      return new Float64Array(length);
    case "BYTES":
      return new Array<string>(length).fill("");
  }
}

/** Inclusive value ranges of the integer datatypes held in Number-valued arrays. */
const INTEGER_RANGE: Partial<Record<Datatype, readonly [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_LIMIT = 2n ** 63n;
const UINT64_LIMIT = 2n ** 64n;

/**
 * Writes JSON values (already flat) into a new data array of `datatype`. Numbers go to numeric types when they fit
 * (integers only for integer types); booleans also go to numeric types as 0/1 and 0/1 to BOOL, as numpy does.
 * BigInts (integers beyond 2^53, as parseJsonWithBigIntegers reads them) go to INT64/UINT64 exactly and to the
 * float types as the nearest float. `describe(index)` names an element in the error message.
 */
export function dataFromJsonValues(
  datatype: Datatype,
  values: readonly unknown[],
  describe: (index: number) => string,
): TensorData {
  const length = values.length;
  const out = allocateTensorData(datatype, length);
  if (datatype === "BYTES") {
    const strings = out as string[];
    for (let i = 0; i < length; i++) {
      const value = values[i];
      if (typeof value !== "string") throw elementError(describe(i), value, "a string");
      strings[i] = value;
    }
    return strings;
  }
  if (datatype === "FP16") {
    // Only reached for values the client sent as FP32/FP64 (or untyped) for an FP16 input: JSON FP16 is refused.
    const halves = out as Uint16Array;
    for (let i = 0; i < length; i++) {
      const value = values[i];
      if (typeof value === "number" || typeof value === "bigint") halves[i] = encodeHalfFloat(Number(value));
      else if (typeof value === "boolean") halves[i] = encodeHalfFloat(value ? 1 : 0);
      else throw elementError(describe(i), value, "a number");
    }
    return halves;
  }
  if (datatype === "FP32" || datatype === "FP64") {
    const numbers = out as Float32Array | Float64Array;
    for (let i = 0; i < length; i++) {
      const value = values[i];
      if (typeof value === "number") numbers[i] = value;
      else if (typeof value === "boolean") numbers[i] = value ? 1 : 0;
      else if (typeof value === "bigint") numbers[i] = Number(value);
      else throw elementError(describe(i), value, "a number");
    }
    return numbers;
  }
  if (datatype === "BOOL") {
    const flags = out as Uint8Array;
    for (let i = 0; i < length; i++) {
      const value = values[i];
      if (value === true || value === 1) flags[i] = 1;
      else if (value !== false && value !== 0) throw elementError(describe(i), value, "true or false");
    }
    return flags;
  }
  if (datatype === "INT64" || datatype === "UINT64") {
    const big = out as BigInt64Array | BigUint64Array;
    const min = datatype === "INT64" ? INT64_MIN : 0n;
    const limit = datatype === "INT64" ? INT64_LIMIT : UINT64_LIMIT;
    for (let i = 0; i < length; i++) {
      const value = bigIntegerValue(values[i]);
      if (value === undefined || value < min || value >= limit) {
        throw elementError(describe(i), values[i], `an integer that fits ${datatype}`);
      }
      big[i] = value;
    }
    return big;
  }
  const [min, max] = INTEGER_RANGE[datatype] as readonly [number, number];
  const ints = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
  for (let i = 0; i < length; i++) {
    const value = integerValue(values[i]);
    if (value === undefined || value < min || value > max) {
      throw elementError(describe(i), values[i], `an integer that fits ${datatype}`);
    }
    ints[i] = value;
  }
  return ints;
}

function integerValue(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}

/** An element for INT64/UINT64: a BigInt as it is (exact), an integral number or boolean converted. */
function bigIntegerValue(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  const integer = integerValue(value);
  return integer === undefined ? undefined : BigInt(integer);
}

function elementError(element: string, value: unknown, expected: string): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${element} is ${showValue(value)}, expected ${expected}`,
  );
}

/** A short rendering of a JSON value for error messages. */
export function showValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = stringifyJsonWithBigIntegers(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Appends the leaves of a nested JSON array to `out` in row-major order, whatever their nesting (a cell of
 * lists); V2 data, whose nesting must be rectangular, goes through flattenRectangular instead.
 */
export function flattenJsonArray(value: readonly unknown[], out: unknown[]): void {
  for (let i = 0; i < value.length; i++) {
    const element = value[i];
    if (Array.isArray(element)) flattenJsonArray(element, out);
    else out.push(element);
  }
}

/**
 * Builds a tensor from the parts of a V2 JSON input (`where` names it in errors, e.g. "inputs[0] 'x'"): checks
 * the datatype and shape, flattens nested data (which must be rectangular) and checks that the element count
 * matches the shape.
 */
export function tensorFromJson(
  name: string,
  datatype: string,
  shape: unknown,
  data: unknown,
  where: string,
): Tensor {
  if (!isDatatype(datatype)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${where}: datatype ${showValue(datatype)} is not one of ${DATATYPES.join(", ")}`,
    );
  }
  if (datatype === "FP16") {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${where}: datatype FP16 cannot be carried in JSON; send FP32 (converted to the model's FP16) ` +
        "or binary tensor data (Content-Type application/octet-stream, binary_data_size)",
    );
  }
  const dims = shapeFromJson(shape, where);
  if (!Array.isArray(data)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${where}: data must be an array, got ${showValue(data)}`,
    );
  }
  const count = elementCount(dims);
  let flat: readonly unknown[] = data;
  if (data.length > 0 && Array.isArray(data[0])) flat = flattenRectangular(data, where, dims);
  if (flat.length !== count) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${where}: shape [${dims.join(",")}] holds ${count} elements but data has ${flat.length}`,
    );
  }
  const values = dataFromJsonValues(datatype, flat, (index) => `${where} data[${index}]`);
  return { name, datatype, shape: dims, data: values };
}

function shapeFromJson(shape: unknown, where: string): number[] {
  if (Array.isArray(shape)) {
    let valid = true;
    for (let i = 0; i < shape.length; i++) {
      const dim: unknown = shape[i];
      // Safe integers only: beyond 2^53 a dim is not the number the client wrote (uint64's 2^64 - 1 included).
      if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < 0) valid = false;
    }
    if (valid) return shape as number[];
  }
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${where}: shape must be an array of non-negative integers, got ${showValue(shape)}`,
  );
}

/**
 * The V2 JSON form of a tensor: BOOL as booleans, 64-bit integers as numbers while they are safe integers and as
 * BigInts beyond (never rounded to a double), FP16 decoded.
 */
export function tensorToJson(t: Tensor): TensorJson {
  return { name: t.name, datatype: t.datatype, shape: t.shape, data: jsonValues(t) };
}

/** The tensor's elements as flat JSON values (see tensorToJson). */
export function jsonValues(t: Tensor): JsonValue[] {
  const data = t.data;
  if (Array.isArray(data)) {
    if (t.nulls === undefined || t.nulls.length === 0) return data;
    const values: JsonValue[] = [...data];
    for (const index of t.nulls) values[index] = null;
    return values;
  }
  const length = data.length;
  const out = new Array<number | boolean | bigint>(length);
  if (t.datatype === "BOOL") {
    for (let i = 0; i < length; i++) out[i] = data[i] !== 0;
  } else if (t.datatype === "FP16") {
    for (let i = 0; i < length; i++) out[i] = decodeHalfFloat(data[i] as number);
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < length; i++) {
      const value = data[i] as bigint;
      const number = Number(value);
      out[i] = Number.isSafeInteger(number) ? number : value;
    }
  } else {
    for (let i = 0; i < length; i++) out[i] = data[i] as number;
  }
  return out;
}
