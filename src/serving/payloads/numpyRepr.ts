/**
 * numpy 2's `repr(ndarray)` (`numpy/_core/arrayprint.py`, default print options), for MLflow messages that quote
 * the arrays its scoring server parsed (`{'k': array([1, 2])}`): line wrapping at 75 characters, summaries of
 * arrays over 1000 elements, the dtype (and shape) suffix where numpy cannot imply it, and each dtype's element
 * format. Elements are JSON values as the request held them; nested arrays inside object arrays are not printed
 * as numpy would.
 */
import { pythonFloatRepr, pythonRepr } from "./pythonRepr.js";

/** The dtypes MLflow's parsing gives request values: `str` is `<U{width}`, the longest element's length. */
export type NumpyDtype =
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "float64"
  | "float32"
  | "float16"
  | "bool"
  | "str"
  | "object";

export interface NumpyArray {
  dtype: NumpyDtype;
  shape: readonly number[];
  /** Row-major elements: numbers or bigints, booleans, strings, null (None, or NaN in a float array). */
  values: readonly unknown[];
}

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;
const PREFIX = "array(";

export function numpyArrayRepr(array: NumpyArray): string {
  const size = array.shape.reduce((product, dim) => product * dim, 1);
  const summary = size > THRESHOLD;
  const shown = summary ? shownIndices(array.shape) : undefined;
  const format = formatter(array, shown === undefined ? array.values : shown.map((i) => array.values[i]));
  const lst =
    size === 0
      ? "[]"
      : formatArray(array, format, summary, " ".repeat(PREFIX.length + 1), LINE_WIDTH - 1, ", ");
  const extras: string[] = [];
  if ((size === 0 && !(array.shape.length === 1 && array.shape[0] === 0)) || summary) {
    extras.push(`shape=${shapeRepr(array.shape)}`);
  }
  if (!implied(array.dtype) || size === 0) extras.push(`dtype=${dtypeRepr(array)}`);
  if (extras.length === 0) return `${PREFIX}${lst})`;
  const text = `${PREFIX}${lst},`;
  const extra = `${extras.join(", ")})`;
  const lastLine = text.length - (text.lastIndexOf("\n") + 1);
  const spacer = lastLine + extra.length + 1 > LINE_WIDTH ? `\n${" ".repeat(PREFIX.length)}` : " ";
  return text + spacer + extra;
}

/** numpy 2's `str(ndarray)`: elements as repr prints them, separated by spaces, without `array(` and the dtype. */
export function numpyArrayStr(array: NumpyArray): string {
  const size = array.shape.reduce((product, dim) => product * dim, 1);
  const summary = size > THRESHOLD;
  const shown = summary ? shownIndices(array.shape) : undefined;
  const format = formatter(array, shown === undefined ? array.values : shown.map((i) => array.values[i]));
  return size === 0 ? "[]" : formatArray(array, format, summary, " ", LINE_WIDTH, " ");
}

function implied(dtype: NumpyDtype): boolean {
  return dtype === "int64" || dtype === "float64" || dtype === "bool";
}

function dtypeRepr(array: NumpyArray): string {
  if (array.dtype === "str") {
    const width = Math.max(0, ...array.values.map((value) => [...String(value)].length));
    return `'<U${width}'`;
  }
  return array.dtype;
}

function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** The flat indices numpy prints of a summarised array: the first and last EDGE_ITEMS along every axis. */
function shownIndices(shape: readonly number[]): number[] {
  const out: number[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      out.push(offset);
      return;
    }
    const length = shape[axis] as number;
    const stride = shape.slice(axis + 1).reduce((product, dim) => product * dim, 1);
    for (const i of edgeIndices(length)) walk(axis + 1, offset + i * stride);
  };
  walk(0, 0);
  return out;
}

function edgeIndices(length: number): number[] {
  const all = Array.from({ length }, (_, i) => i);
  return 2 * EDGE_ITEMS < length ? [...all.slice(0, EDGE_ITEMS), ...all.slice(-EDGE_ITEMS)] : all;
}

/** numpy's `_formatArray`: nested brackets, elements wrapped to the width, rows of a matrix on lines of their own. */
function formatArray(
  array: NumpyArray,
  format: (value: unknown) => string,
  summary: boolean,
  prefix: string,
  lineWidth: number,
  separator: string,
): string {
  const closing = separator.trimEnd();
  const recurse = (axis: number, offset: number, hanging: string, width: number): string => {
    if (axis === array.shape.length) return format(array.values[offset]);
    const length = array.shape[axis] as number;
    const stride = array.shape.slice(axis + 1).reduce((product, dim) => product * dim, 1);
    const cut = summary && 2 * EDGE_ITEMS < length;
    const indices = cut
      ? [...range(0, EDGE_ITEMS), -1, ...range(length - EDGE_ITEMS, length)]
      : range(0, length);
    const item = (i: number): string => recurse(axis + 1, offset + i * stride, `${hanging} `, width - 1);
    let text = "";
    if (axis === array.shape.length - 1) {
      const elementWidth = width - closing.length;
      let line = hanging;
      indices.forEach((i, position) => {
        const word = i === -1 ? "..." : item(i);
        const wraps = line.length + word.length > elementWidth && line.length > hanging.length;
        if (wraps) {
          text += `${line.trimEnd()}\n`;
          line = hanging;
        }
        line += word;
        if (position < indices.length - 1) line += separator;
      });
      text += line;
    } else {
      const rows = `${closing}${"\n".repeat(array.shape.length - axis - 1)}`;
      text = indices.map((i) => hanging + (i === -1 ? "..." : item(i))).join(rows);
    }
    return `[${text.slice(hanging.length)}]`;
  };
  return recurse(0, 0, prefix, lineWidth);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** numpy's element format for the dtype, fitted to the values it prints (padding, float notation). */
function formatter(array: NumpyArray, values: readonly unknown[]): (value: unknown) => string {
  const zeroDim = array.shape.length === 0;
  switch (array.dtype) {
    case "bool":
      return (value) => (value === true ? (zeroDim ? "True" : " True") : "False");
    case "float64":
    case "float32":
    case "float16":
      return floatFormatter(values.map((value) => (value === null ? NaN : Number(value))));
    case "str":
      return (value) => pythonRepr(String(value));
    case "object":
      return objectRepr;
    default: {
      const texts = values.map((value) => String(value));
      const width = Math.max(0, ...texts.map((text) => text.length));
      return (value) => String(value).padStart(width);
    }
  }
}

/** numpy's FloatingFormat in "maxprec" mode: unique digits up to 8 decimals, aligned on the point. */
function floatFormatter(values: readonly number[]): (value: unknown) => string {
  const finite = values.filter((value) => Number.isFinite(value));
  const nonZero = finite.filter((value) => value !== 0).map(Math.abs);
  const max = Math.max(...nonZero);
  const min = Math.min(...nonZero);
  const scientific = nonZero.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);
  let padLeft: number;
  let padRight: number;
  let body: (value: number) => string;
  if (finite.length === 0) {
    padLeft = 0;
    padRight = 0;
    body = () => "";
  } else if (scientific) {
    const parts = finite.map((value) => scientificParts(value));
    const digits = Math.max(...parts.map(([, fraction]) => fraction.length));
    const exponent = Math.max(2, ...parts.map(([, , exp]) => exp.length - 1));
    padLeft = Math.max(...parts.map(([whole]) => whole.length));
    padRight = exponent + 2 + digits;
    body = (value) => {
      const [whole, fraction, exp] = scientificParts(value);
      const sign = exp.startsWith("-") ? "-" : "+";
      return `${whole.padStart(padLeft)}.${fraction.padEnd(digits, "0")}e${sign}${exp.slice(1).padStart(exponent, "0")}`;
    };
  } else {
    const parts = finite.map((value) => positionalParts(value));
    padLeft = Math.max(...parts.map(([whole]) => whole.length));
    padRight = Math.max(...parts.map(([, fraction]) => fraction.length));
    body = (value) => {
      const [whole, fraction] = positionalParts(value);
      return `${whole.padStart(padLeft)}.${fraction.padEnd(padRight)}`;
    };
  }
  if (finite.length < values.length) {
    const negativeInfinity = values.some((value) => value === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + negativeInfinity - (padRight + 1));
  }
  return (cell) => {
    const value = cell === null ? NaN : Number(cell);
    if (Number.isFinite(value)) return body(value);
    const text = Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    return text.padStart(padLeft + padRight + 1);
  };
}

/** dragon4_positional(unique, precision 8, trim '.'): [sign and whole digits, fraction digits]. */
function positionalParts(value: number): [string, string] {
  let text = pythonFloatRepr(value);
  if ((text.split(".")[1] ?? "").length > PRECISION) text = value.toFixed(PRECISION).replace(/0+$/, "");
  const [whole = "", fraction = ""] = text.split(".");
  // Python writes a whole float 1.0, numpy "1.".
  return [whole, fraction === "0" && Number.isInteger(value) ? "" : fraction];
}

/** dragon4_scientific(unique, precision 8): [sign and leading digit, fraction digits, signed exponent]. */
function scientificParts(value: number): [string, string, string] {
  let text = value.toExponential();
  if ((text.split("e")[0]?.split(".")[1] ?? "").length > PRECISION) {
    text = value.toExponential(PRECISION).replace(/\.?0+e/, "e");
  }
  const [mantissa = "", exponent = "+0"] = text.split("e");
  const [whole = "", fraction = ""] = mantissa.split(".");
  return [whole, fraction, exponent];
}

/** Python's repr of an object array's element; a whole float the body wrote as one is a PythonFloat. */
function objectRepr(value: unknown): string {
  if (isPythonFloat(value)) return pythonFloatRepr(value.float ?? NaN);
  if (isScalarArray(value))
    return numpyArrayRepr({ dtype: scalarDtype(value.array), shape: [], values: [value.array] });
  return pythonRepr(value);
}

/** numpy's `np.array(value)` of a JSON scalar, in an object array (`array([array(1), array(None, dtype=object)])`). */
function isScalarArray(value: unknown): value is { array: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "array" in value;
}

function scalarDtype(value: unknown): NumpyDtype {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return "int64";
  if (typeof value === "number") return "float64";
  return typeof value === "string" ? "str" : "object";
}

function isPythonFloat(value: unknown): value is { float: number | null } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "float" in value;
}
