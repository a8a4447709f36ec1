/**
 * MLflow's cast of a DataFrame body's columns to the signature's numeric types (`cast_df_types_according_to_schema`
 * in mlflow/utils/proto_json_utils.py), run as the body is parsed: pandas first types each column from its JSON
 * cells, then `astype` casts it, and any exception becomes "Invalid input. Data is not compatible with model
 * signature. Failed to convert column x to type 'int32'. Error: '<repr>'". Checked against mlflow 3.17.2 with
 * pandas 3.1 and numpy 2.4 (x86): an int64 or uint64 column wraps to int32 (2147483648 to -2147483648); a float64
 * column truncates, every value out of range becoming the type's minimum, and any NaN (a null) is refused; a str
 * column (text and nulls) or an object column (mixed) casts each cell as Python's int() or float() does.
 */
import type { ColumnSpec, ModelSignature, TensorSignatureSpec } from "../signature.js";
import { columnValues, type Frame } from "./frameTensors.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { leafCastRefusal, pythonFloat, pythonInt } from "./numpyElementCasts.js";
import { pythonStrRepr } from "./pythonRepr.js";

/** The numpy dtypes whose casts FlowOps carries out as pandas does; others are left to the typed conversion. */
export type PandasNumericDtype = "float32" | "float64" | "int32" | "int64";

type PandasColumnDtype = "int64" | "uint64" | "float64" | "bool" | "str" | "object";

const INT64_MIN = -(2n ** 63n);
const UINT64_LIMIT = 2n ** 64n;

const NAN_TO_INTEGER =
  'IntCastingNaNError("Cannot convert non-finite values (NA or inf) to integer. Replace or remove non-finite ' +
  "values or cast to an integer type that supports these values (e.g. 'Int64')\")";

/**
 * Column `name`'s cells as `astype(dtype)` leaves them (numbers; BigInts for int64), or MLflow's refusal.
 * `wholeFloats`: the body wrote some whole number of the column as a float (`1.0`), which makes it float64.
 */
export function castPandasColumn(
  name: string,
  cells: readonly unknown[],
  dtype: PandasNumericDtype,
  wholeFloats: boolean,
): unknown[] {
  const column = pandasColumnDtype(cells, wholeFloats);
  const cast = dtype === "int32" || dtype === "int64" ? castToInteger : castToFloat;
  const result = cast(cells, column, dtype);
  if (typeof result === "string")
    throw invalidInput(
      "Data is not compatible with model signature. " +
        `Failed to convert column ${name} to type '${dtype}'. Error: '${result}'`,
    );
  return result;
}

/**
 * The frame with each column the signature types as a number cast as MLflow's parsing casts it (undefined when
 * none is): by name when the signature names every input, every column for a single unnamed tensor, in the
 * signature's order, so the first column that fails names the refusal. A tensor signature's column whose first
 * cell is a list is left for the schema check, as MLflow skips it.
 */
export function castDataframeColumns(frame: Frame, signature: ModelSignature | undefined): Frame | undefined {
  const columns = frame.columns;
  if (signature === undefined || columns === undefined || signature.inputs.length === 0) return undefined;
  const inputs: readonly (ColumnSpec | TensorSignatureSpec)[] = signature.inputs;
  let targets: [number, PandasNumericDtype | undefined][];
  if (inputs.every((input) => input.name !== undefined)) {
    targets = inputs
      .map((input): [number, PandasNumericDtype | undefined] => [
        columns.indexOf(input.name as string),
        numericDtype(input),
      ])
      .filter(([index]) => index >= 0);
  } else if (signature.kind === "tensors" && inputs.length === 1) {
    const dtype = numericDtype(inputs[0] as TensorSignatureSpec);
    targets = columns.map((_, index) => [index, dtype]);
  } else return undefined;
  let rows: unknown[][] | undefined;
  for (const [index, dtype] of targets) {
    if (dtype === undefined) continue;
    const cells = columnValues(frame.rows, index);
    if (signature.kind === "tensors" && Array.isArray(cells[0])) continue;
    const wholeFloats = frame.floatColumn?.(index) === true;
    const cast = castPandasColumn(columns[index] as string, cells, dtype, wholeFloats);
    rows ??= frame.rows.map((row) => row.slice());
    for (let r = 0; r < rows.length; r++) (rows[r] as unknown[])[index] = cast[r];
  }
  return rows === undefined ? undefined : { ...frame, rows };
}

function numericDtype(input: ColumnSpec | TensorSignatureSpec): PandasNumericDtype | undefined {
  if ("dtype" in input) {
    const dtype = input.dtype;
    return dtype === "float32" || dtype === "float64" || dtype === "int32" || dtype === "int64"
      ? dtype
      : undefined;
  }
  const types: Record<string, PandasNumericDtype> = {
    float: "float32",
    double: "float64",
    integer: "int32",
    long: "int64",
  };
  return typeof input.type === "string" ? types[input.type] : undefined;
}

/** A Python int as json.loads makes it: an integer literal (held exactly as a BigInt beyond 2^53). */
function isPythonInt(cell: unknown): cell is number | bigint {
  return typeof cell === "bigint" || (typeof cell === "number" && Number.isSafeInteger(cell));
}

/** The dtype pandas infers for a column of these cells (pandas 3: text with nulls is its str dtype). */
function pandasColumnDtype(cells: readonly unknown[], wholeFloats: boolean): PandasColumnDtype {
  let nulls = 0;
  let text = 0;
  let flags = 0;
  let ints = 0;
  let floats = 0;
  let negative = false;
  let beyondInt64 = false;
  let beyondUint64 = false;
  for (const cell of cells) {
    if (cell === null || cell === undefined) nulls++;
    else if (typeof cell === "string") text++;
    else if (typeof cell === "boolean") flags++;
    else if (isPythonInt(cell) && !wholeFloats) {
      ints++;
      const value = BigInt(cell);
      if (value < 0n) negative = true;
      if (value < INT64_MIN || value >= UINT64_LIMIT) beyondUint64 = true;
      else if (value >= -INT64_MIN) beyondInt64 = true;
    } else if (typeof cell === "number" || typeof cell === "bigint") floats++;
    else return "object";
  }
  const count = cells.length;
  if (text > 0 && text + nulls === count) return "str";
  if (flags > 0 && flags === count) return "bool";
  if (ints + floats + nulls !== count || ints + floats === 0) return "object";
  if (beyondUint64) return "object";
  if (floats > 0 || nulls > 0) return "float64";
  if (beyondInt64) return negative ? "object" : "uint64";
  return "int64";
}

function castToInteger(
  cells: readonly unknown[],
  column: PandasColumnDtype,
  dtype: PandasNumericDtype,
): unknown[] | string {
  const bits = dtype === "int32" ? 32 : 64;
  const asDtype = (value: bigint): number | bigint =>
    bits === 64 ? BigInt.asIntN(64, value) : Number(BigInt.asIntN(32, value));
  switch (column) {
    case "int64":
    case "uint64":
      return cells.map((cell) => asDtype(BigInt(cell as number | bigint)));
    case "bool":
      return cells.map((cell) => asDtype(cell === true ? 1n : 0n));
    case "float64": {
      if (cells.some((cell) => cell === null || cell === undefined || !Number.isFinite(Number(cell))))
        return NAN_TO_INTEGER;
      // numpy's C cast: out of range is the "integer indefinite" value x86 gives, the type's minimum.
      const limit = 2 ** (bits - 1);
      return cells.map((cell) => {
        const value = Math.trunc(Number(cell));
        const inRange = value >= -limit && value < limit;
        return asDtype(inRange ? BigInt(value) : -(2n ** BigInt(bits - 1)));
      });
    }
    case "str":
      if (cells.some((cell) => cell === null || cell === undefined))
        return "ValueError('cannot convert float NaN to integer')";
      return objectToInteger(cells, dtype);
    case "object":
      return objectToInteger(cells, dtype);
  }
}

/** numpy's cast of an object array: Python's int() of each cell in turn, then a range check. */
function objectToInteger(cells: readonly unknown[], dtype: PandasNumericDtype): unknown[] | string {
  const cast = dtype === "int32" ? "int32" : "int64";
  const out: unknown[] = [];
  for (const cell of cells) {
    const leaf = cell === undefined ? null : cell;
    const refusal = leafCastRefusal(leaf, cast);
    if (refusal !== undefined) return pythonException(refusal);
    const value = pythonInteger(leaf);
    out.push(cast === "int64" ? value : Number(value));
  }
  return out;
}

/** Python's int() of a cell leafCastRefusal passed. */
function pythonInteger(cell: unknown): bigint {
  if (typeof cell === "boolean") return cell ? 1n : 0n;
  if (typeof cell === "bigint") return cell;
  if (typeof cell === "number") return BigInt(Math.trunc(cell));
  return pythonInt(String(cell)) as bigint;
}

function castToFloat(cells: readonly unknown[], column: PandasColumnDtype): unknown[] | string {
  if (column !== "str" && column !== "object") return cells.map(floatOf);
  const out: unknown[] = [];
  for (const cell of cells) {
    if (typeof cell === "string") {
      const value = pythonFloat(cell);
      if (value === undefined)
        return `ValueError(${pythonStrRepr(`could not convert string to float: ${pythonStrRepr(cell)}`)})`;
      out.push(value);
    } else if (Array.isArray(cell)) return "ValueError('setting an array element with a sequence.')";
    else if (isJsonObject(cell))
      return "TypeError(\"float() argument must be a string or a real number, not 'dict'\")";
    else out.push(floatOf(cell));
  }
  return out;
}

function floatOf(cell: unknown): number {
  if (cell === null || cell === undefined) return Number.NaN;
  if (typeof cell === "boolean") return cell ? 1 : 0;
  return Number(cell);
}

/** The repr of the exception Python raises with this message. */
function pythonException(message: string): string {
  const type =
    message.startsWith("invalid literal") || message.startsWith("cannot convert float NaN")
      ? "ValueError"
      : message.includes("argument must be")
        ? "TypeError"
        : "OverflowError";
  return `${type}(${pythonStrRepr(message)})`;
}
