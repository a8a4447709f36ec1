/**
 * What `np.array(values, dtype)` makes of each JSON leaf for the numeric dtypes MLflow's parsing casts `inputs` and
 * `instances` to (convert_data_type): Python's `float()` for float16/32/64, `int()` then a range check for int32 and
 * int64. Checked against numpy 2.4 under mlflow 3.17.2: a float is truncated toward zero (`[1.5, -1.7]` to int32 is
 * `[1, -1]`), text is parsed as Python parses it (`" 7"`, `"1_0"`, `"+5"`; `"1.5"` and `"1e3"` are no int
 * literals), None is NaN to a float and refused by an int, and the first leaf numpy cannot cast names the error.
 */
import { isJsonObject } from "./invalidInput.js";
import { pythonStrRepr } from "./pythonRepr.js";

/** The numeric dtypes whose casts change or refuse what the body sent. */
export type NumericCast = "float" | "int32" | "int64";

const INT64_LIMIT = 2n ** 63n;
const INT32_LIMIT = 2n ** 31n;

/** numpy's message for casting this leaf, or undefined when it casts. */
export function leafCastRefusal(leaf: unknown, cast: NumericCast): string | undefined {
  if (cast === "float") {
    if (typeof leaf === "string" && pythonFloat(leaf) === undefined)
      return `could not convert string to float: ${pythonStrRepr(leaf)}`;
    if (isJsonObject(leaf)) return "float() argument must be a string or a real number, not 'dict'";
    return undefined;
  }
  const value = pythonIntOf(leaf);
  if (typeof value === "string") return value;
  if (value < -INT64_LIMIT || value >= INT64_LIMIT) return "Python int too large to convert to C long";
  if (cast === "int32" && (value < -INT32_LIMIT || value >= INT32_LIMIT))
    return `Python integer ${value} out of bounds for int32`;
  return undefined;
}

/** The leaf as the cast holds it (after leafCastRefusal passed it): a number, or a BigInt for int64. */
export function castLeaf(leaf: unknown, cast: NumericCast): number | bigint {
  if (cast === "float") {
    if (leaf === null) return Number.NaN;
    if (typeof leaf === "boolean") return leaf ? 1 : 0;
    if (typeof leaf === "string") return pythonFloat(leaf) as number;
    return Number(leaf);
  }
  const value = pythonIntOf(leaf) as bigint;
  return cast === "int64" ? value : Number(value);
}

/** Whether the typed path would take the leaf as the cast does: only text, and fractions for an int, differ. */
export function castKeepsLeaf(leaf: unknown, cast: NumericCast): boolean {
  if (typeof leaf === "string") return false;
  return cast === "float" || typeof leaf !== "number" || Number.isInteger(leaf);
}

/** Python's `int(leaf)`, or its error message. */
function pythonIntOf(leaf: unknown): bigint | string {
  if (typeof leaf === "boolean") return leaf ? 1n : 0n;
  if (typeof leaf === "bigint") return leaf;
  if (typeof leaf === "number") {
    if (Number.isNaN(leaf)) return "cannot convert float NaN to integer";
    if (!Number.isFinite(leaf)) return "cannot convert float infinity to integer";
    return BigInt(Math.trunc(leaf));
  }
  if (typeof leaf === "string") {
    const value = pythonInt(leaf);
    return value ?? `invalid literal for int() with base 10: ${pythonStrRepr(leaf)}`;
  }
  const type = leaf === null || leaf === undefined ? "NoneType" : isJsonObject(leaf) ? "dict" : "list";
  return `int() argument must be a string, a bytes-like object or a real number, not '${type}'`;
}

const DIGITS = "\\p{Nd}(?:_?\\p{Nd})*";
const PYTHON_INT = new RegExp(`^[+-]?${DIGITS}$`, "u");
/** Python's `float(text)` after stripping: decimal digits with single underscores between, inf, infinity, nan. */
const PYTHON_FLOAT = new RegExp(
  `^[+-]?(?:(?:${DIGITS}\\.(?:${DIGITS})?|\\.${DIGITS}|${DIGITS})(?:e[+-]?${DIGITS})?|inf|infinity|nan)$`,
  "iu",
);

/** Whether Python's `float()` takes the text. */
export function isPythonFloatText(text: string): boolean {
  return PYTHON_FLOAT.test(text.trim());
}

/** Python's `int(text)` in base 10, or undefined where it raises. */
export function pythonInt(text: string): bigint | undefined {
  const stripped = text.trim();
  if (!PYTHON_INT.test(stripped)) return undefined;
  return BigInt(asciiDigits(stripped));
}

/** Python's `float(text)`, or undefined where it raises. */
export function pythonFloat(text: string): number | undefined {
  const stripped = text.trim();
  if (!PYTHON_FLOAT.test(stripped)) return undefined;
  const ascii = asciiDigits(stripped).toLowerCase();
  const sign = ascii.startsWith("-") ? -1 : 1;
  const unsigned = ascii.replace(/^[+-]/, "");
  if (unsigned === "nan") return Number.NaN;
  if (unsigned === "inf" || unsigned === "infinity") return sign * Number.POSITIVE_INFINITY;
  return Number(ascii);
}

/** The text without underscores, every Unicode decimal digit as its ASCII digit (Python reads them alike). */
function asciiDigits(text: string): string {
  let out = "";
  for (const char of text.replace(/_/g, "")) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80 || !/\p{Nd}/u.test(char)) {
      out += char;
      continue;
    }
    // Unicode's decimal digits come in runs of ten from a zero, some runs adjoining (mathematical digits).
    let zero = code;
    while (/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
    out += String((code - zero) % 10);
  }
  return out;
}
