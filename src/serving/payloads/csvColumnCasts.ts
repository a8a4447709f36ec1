/**
 * A CSV body's columns as MLflow's `parse_csv_input` reads them for a model with a signature:
 * `pd.read_csv(body, dtype=dict(zip(schema.input_names(), schema.pandas_types())))`. A tensor signature fails
 * there (`TensorSpec.type` is a numpy dtype, which pandas_types() refuses), so every CSV body is refused. A column
 * signature's integer, long, float and double columns get the C parser's own reading of their text: integer text
 * for an int column; else float text (whole and in range, or refused); else true/false text; else Python's int()
 * or float() of each cell, which never yields the text back, so it is refused too. Checked against mlflow 3.17.2
 * with pandas 3.1.1 and numpy 2.4 (x86). A datetime column is refused (pandas cannot parse to datetime64 with
 * dtype=); other column types are left to the typed conversion.
 */
import type { ColumnSpec, ModelSignature } from "../signature.js";
import { csvError } from "./csvParseError.js";
import { columnValues } from "./frameTensors.js";
import { pythonFloat, pythonInt } from "./numpyElementCasts.js";
import { pythonStrRepr } from "./pythonRepr.js";

type CsvDtype = "float32" | "float64" | "int32" | "int64";

const DTYPES: Record<string, CsvDtype> = {
  integer: "int32",
  long: "int64",
  float: "float32",
  double: "float64",
};

/** pandas' tokenizer skips ASCII spaces around a number (isspace_ascii). */
const C_INT_TEXT = /^[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*$/;
const C_FLOAT_TEXT =
  /^[ \t\n\v\f\r]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\v\f\r]*$/;
/** _try_double's own spellings of infinity, matched whole and in any letter case. */
const C_INFINITY = /^([+-]?)(?:inf|infinity)$/i;
const TRUE_TEXT = new Set(["True", "TRUE", "true"]);
const FALSE_TEXT = new Set(["False", "FALSE", "false"]);

const INT64_LIMIT = 2n ** 63n;
const UINT64_LIMIT = 2n ** 64n;

/**
 * The rows with the signature's numeric columns as read_csv's dtype leaves them (numbers; BigInts for int64),
 * undefined when nothing is cast; throws MLflow's parse refusal. `columns` are the CSV header's names.
 */
export function castCsvColumns(
  columns: readonly string[],
  rows: readonly unknown[][],
  signature: ModelSignature | undefined,
): unknown[][] | undefined {
  if (signature === undefined || signature.inputs.length === 0) return undefined;
  if (signature.kind === "tensors")
    throw csvError("TensorSpec only supports numpy types, use numpy_types() instead");
  const inputs: readonly ColumnSpec[] = signature.inputs;
  // input_names() is the names, or the positions when the signature names none, which read_csv takes either way.
  const named = inputs.every((input) => input.name !== undefined);
  let cast: unknown[][] | undefined;
  for (let index = 0; index < columns.length; index++) {
    const input = named ? inputs.find((each) => each.name === columns[index]) : inputs[index];
    const type = input !== undefined && typeof input.type === "string" ? input.type : undefined;
    // pandas_types() makes a datetime column datetime64[ns], which the C parser refuses once it has rows.
    if (type === "datetime" && rows.length > 0)
      throw csvError(
        "the dtype datetime64[ns] is not supported for parsing, pass this column using parse_dates instead",
      );
    const dtype = type === undefined ? undefined : DTYPES[type];
    if (dtype === undefined) continue;
    const cells = columnValues(rows as unknown[][], index) as (string | null)[];
    const values =
      dtype === "int32" || dtype === "int64"
        ? integerColumn(cells, dtype, index)
        : floatColumn(cells, dtype, index);
    cast ??= rows.map((row) => row.slice());
    for (let r = 0; r < cast.length; r++) (cast[r] as unknown[])[index] = values[r];
  }
  return cast;
}

function integerColumn(
  cells: readonly (string | null)[],
  dtype: "int32" | "int64",
  index: number,
): unknown[] {
  const bits = dtype === "int32" ? 32n : 64n;
  const limit = 2n ** (bits - 1n);
  const asDtype = (value: bigint): number | bigint => (dtype === "int64" ? value : Number(value));
  // A column of only missing cells reads as integers too, with NA values.
  if (cells.every((cell) => cell === null || C_INT_TEXT.test(cell))) {
    const values = cells.map((cell) => (cell === null ? null : BigInt(cell.trim())));
    if (values.some((value) => value !== null && (value < -INT64_LIMIT || value >= INT64_LIMIT)))
      return unsignedColumn(values, dtype, index);
    if (values.includes(null)) throw csvError(`Integer column has NA values in column ${index}`);
    if (values.some((value) => (value as bigint) < -limit || (value as bigint) >= limit))
      throw unsafeCast(dtype, "int64", index);
    return values.map((value) => asDtype(value as bigint));
  }
  const floats = floatValues(cells);
  if (floats !== undefined) {
    // numpy's astype, then read_csv's check that it gave back every value (NaN never compares equal).
    const fits = (value: number) =>
      Number.isInteger(value) && value >= -Number(limit) && value < Number(limit);
    if (!floats.every(fits)) throw unsafeCast(dtype, "float64", index);
    return floats.map((value) => asDtype(BigInt(value)));
  }
  const flags = booleanValues(cells);
  if (flags !== undefined) {
    if (flags.includes(null))
      throw csvError(
        `cannot safely convert passed user dtype of ${dtype} for <class 'numpy.bool'> dtyped data in column ${index} due to NA values`,
      );
    return flags.map((flag) => asDtype(flag === true ? 1n : 0n));
  }
  // An object column: numpy casts each cell with Python's int(), in order; one that casts is still not the text.
  for (const cell of cells) {
    if (cell === null) throw csvError("cannot convert float NaN to integer");
    const value = pythonInt(cell);
    if (value === undefined) throw csvError(`invalid literal for int() with base 10: ${pythonStrRepr(cell)}`);
    if (value < -INT64_LIMIT || value >= INT64_LIMIT)
      throw csvError("Python int too large to convert to C long");
    if (value < -limit || value >= limit)
      throw csvError(`Python integer ${value} out of bounds for ${dtype}`);
  }
  throw unsafeCast(dtype, "object", index);
}

/** Integer text beyond int64, which read_csv reads as uint64 when it can. */
function unsignedColumn(values: readonly (bigint | null)[], dtype: string, index: number): never {
  for (const value of values) {
    if (value !== null && (value < -INT64_LIMIT || value >= UINT64_LIMIT)) throw csvError("Overflow");
  }
  if (values.some((value) => value === null || value < 0n))
    throw csvError("Cannot convert to numerical dtype");
  throw unsafeCast(dtype, "uint64", index);
}

function floatColumn(
  cells: readonly (string | null)[],
  dtype: "float32" | "float64",
  index: number,
): number[] {
  const single = (value: number) => (dtype === "float32" ? Math.fround(value) : value);
  const floats = floatValues(cells);
  if (floats !== undefined) return floats.map(single);
  const flags = booleanValues(cells);
  if (flags !== undefined) return flags.map((flag) => (flag === null ? Number.NaN : flag ? 1 : 0));
  for (const cell of cells) {
    if (cell !== null && pythonFloat(cell) === undefined)
      throw csvError(`could not convert string to float: ${pythonStrRepr(cell)}`);
  }
  throw unsafeCast(dtype, "object", index);
}

/** The column read as float64 by the C parser (missing cells NaN), or undefined where a cell is not float text. */
function floatValues(cells: readonly (string | null)[]): number[] | undefined {
  const values: number[] = [];
  for (const cell of cells) {
    if (cell === null) values.push(Number.NaN);
    else if (C_FLOAT_TEXT.test(cell)) values.push(Number(cell.trim()));
    else {
      const infinity = C_INFINITY.exec(cell);
      if (infinity === null) return undefined;
      values.push(infinity[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
    }
  }
  return values;
}

/** The column as read_csv's true/false values (missing cells null), or undefined where a cell is neither. */
function booleanValues(cells: readonly (string | null)[]): (boolean | null)[] | undefined {
  const values: (boolean | null)[] = [];
  for (const cell of cells) {
    if (cell === null) values.push(null);
    else if (TRUE_TEXT.has(cell)) values.push(true);
    else if (FALSE_TEXT.has(cell)) values.push(false);
    else return undefined;
  }
  return values;
}

function unsafeCast(dtype: string, parsed: string, index: number) {
  return csvError(
    `cannot safely convert passed user dtype of ${dtype} for ${parsed} dtyped data in column ${index}`,
  );
}
